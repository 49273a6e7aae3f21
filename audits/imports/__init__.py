"""Importing historic audits and the case list from a CSV file in the browser (issue 14, item 8).

A QA lead uploads a file; the page shows what importing it would make (counts, the first rows)
or every problem by line and column; nothing is written until they confirm. The rules are the
commands' own: the preview runs the very import ``manage.py import_audits`` and ``manage.py
import_cases`` run (``audits.csv.importer``, ``audits.cases.importer``) inside a transaction that
is then rolled back, and confirming runs it again, for real, on exactly the text previewed.

Between the two the file waits in the database (``audits.models.ImportUpload``), never on a
server's disk: several app servers share the one database, and the confirm may reach another
server. ``uploads`` keeps the upload in memory while the request is read, up to the size limit
(``settings.IMPORT_MAX_UPLOAD_BYTES``); ``kinds`` says what each import is called and how its
result is summed up; ``services`` previews, confirms and discards; ``selectors`` reads.
"""
