"""Reading an uploaded file into memory only, up to a limit.

Django writes an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file on disk.
An import's file is case data and is kept in the database instead (``audits.imports``), so the
import pages read uploads with this handler: the first file is kept in memory up to ``limit``
bytes; past the limit (and for any further file) the bytes are counted but dropped, so the form
can say how large the file was without holding it.
"""

import io

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class CappedMemoryUploadHandler(FileUploadHandler):
    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.files_seen = 0
        self.buffer = None
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        self.buffer = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.files_seen == 1 and self.received <= self.limit:
            self.buffer.write(raw_data)
        return None  # the data goes no further: no other handler writes it anywhere

    def file_complete(self, file_size):
        too_big = self.received > self.limit
        buffer = io.BytesIO() if too_big or self.files_seen > 1 else self.buffer
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
        return uploaded
