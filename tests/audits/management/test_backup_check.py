"""manage.py backup_check: a pg_dump of the database restores into a fresh database with every
table's rows (PostgreSQL only: the embedded SQLite database is backed up by copying its file)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.helpers import moderated_audit, submitted_audit

ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump and pg_restore need PostgreSQL")
# serialized_rollback, as the suite's other committing tests: the flush afterwards would otherwise
# wipe the migrated rows (groups, the tool, content types) the tests after it rely on.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_with_every_row():
    submitted_audit(case_reference="CR-7001")
    moderated_audit(case_reference="CR-7002")
    out = io.StringIO()

    call_command("backup_check", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("Restored ") and lines[-1].endswith("every row count matches.")
    audits_row = next(line for line in lines if line.startswith("audits_audit "))
    assert audits_row.split()[1:] == ["2", "2"]
    grades_row = next(line for line in lines if line.startswith("audits_domaingrade "))
    assert grades_row.split()[1:] == ["24", "24"]


@pytest.mark.skipif(ON_POSTGRESQL, reason="the SQLite refusal")
@pytest.mark.django_db
def test_on_sqlite_it_says_it_needs_postgresql():
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("backup_check")
