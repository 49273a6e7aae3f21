"""Reading uploaded benchmark files into memory only.

Django writes an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file on disk;
the benchmark page reads its files with this handler instead, as the imports do theirs
(audits.imports.uploads, which keeps one file): every file is kept in memory up to ``limit``
bytes and ``files`` files. A file past the limit, and any file past the count, is counted but
dropped (marked ``too_big`` / ``too_many``), so the form can say so without holding it. Nothing
is written anywhere: the files live as long as the request.
"""

import io

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class MemoryFilesUploadHandler(FileUploadHandler):
    def __init__(self, request=None, *, limit: int, files: int):
        super().__init__(request)
        self.limit = limit
        self.files = files
        self.files_seen = 0
        self.buffer = io.BytesIO()
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        self.buffer = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.files_seen <= self.files and self.received <= self.limit:
            self.buffer.write(raw_data)
        return None  # the data goes no further: no other handler writes it anywhere

    def file_complete(self, file_size):
        too_big = self.received > self.limit
        too_many = self.files_seen > self.files
        buffer = io.BytesIO() if too_big or too_many else self.buffer
        buffer.seek(0)
        uploaded = InMemoryUploadedFile(
            file=buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
        uploaded.too_big = too_big
        uploaded.too_many = too_many
        return uploaded
