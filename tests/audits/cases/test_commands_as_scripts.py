"""import_cases and draw_sample run as a script runs them: a process of their own, reading
standard output (one JSON list) and the exit code.

On PostgreSQL the processes use the suite's test database; the suite's in-memory SQLite
database is out of another process's reach, so on SQLite they use a file of their own, migrated
first (as tests/test_no_lost_update.py does).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.audits.cases.test_importer import csv_bytes, row

ROOT = Path(__file__).resolve().parents[3]

# serialized_rollback, as every transactional test here: without it the flush after the test
# makes the content types again in another order, and the next test that restores the
# migrated data (the browser journeys) collides with them.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SETUP = """
import datetime
from django.contrib.auth.models import User
from audits.models import AuditActivity, Person, Team
north = Team.objects.create(name="North", slug="north")
south = Team.objects.create(name="South", slug="south")
activity = AuditActivity.objects.create(name="Peer audit", month=datetime.date(2026, 11, 1))
for name, team in (("ann", north), ("bob", south)):
    user = User.objects.create(username=name)
    Person.objects.create(name=name.title(), user=user, team=team)
    activity.auditors.add(user)
"""

COUNT = """
from audits.models import SampleDraw, DrawnCase
print(SampleDraw.objects.count(), DrawnCase.objects.count())
"""


@pytest.fixture
def manage(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    env.pop("DEBUG", None)
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'script.sqlite3'}"
    else:
        db = connection.settings_dict
        who = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = (
            f"postgres://{who}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )

    def run(*arguments) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    if connection.vendor == "sqlite":
        migrated = run("migrate", "--verbosity=0")
        assert migrated.returncode == 0, migrated.stderr
    return run


def test_import_then_draw_as_a_script(manage, tmp_path):
    assert manage("shell", "-v", "0", "-c", SETUP).returncode == 0

    # A bad file: exit 1, every problem on standard error by line and column, nothing written.
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(row(), row(case_reference="CR-2", age_band="ancient", team="")))
    done = manage("import_cases", str(bad))
    assert done.returncode == 1 and done.stdout == ""
    assert "Nothing was imported from bad.csv: 2 problem(s) in 1 row(s)." in done.stderr
    assert "Line 3, team:" in done.stderr and "Line 3, age_band:" in done.stderr

    good = tmp_path / "cases.csv"
    good.write_bytes(
        csv_bytes(
            *(
                row(case_reference=f"CR-{n}", case_holder=f"Holder {n % 3}", team=team)
                for n in range(1, 13)
                for team in ["North" if n % 2 else "South"]
            )
        )
    )
    done = manage("import_cases", str(good))
    assert done.returncode == 0, done.stderr
    assert "12 new case(s)" in done.stdout

    draw = ["draw_sample", "--activity", "Peer audit", "--seed", "fair-2026", "--size", "6"]
    dry = manage(*draw, "--exclude-own-team", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    drawn = json.loads(dry.stdout)
    assert isinstance(drawn, list) and len(drawn) == 6 and len(set(drawn)) == 6
    assert "dry run" in dry.stderr
    assert manage("shell", "-v", "0", "-c", COUNT).stdout.split() == ["0", "0"]

    # The same database, arguments and seed: the same list, now recorded.
    recorded = manage(*draw, "--exclude-own-team")
    assert recorded.returncode == 0, recorded.stderr
    assert json.loads(recorded.stdout) == drawn
    assert manage("shell", "-v", "0", "-c", COUNT).stdout.split() == ["1", "6"]

    # Errors: exit non-zero with a message saying so.
    missing = manage("draw_sample", "--activity", "No such thing", "--seed", "1", "--size", "1")
    assert missing.returncode != 0 and "There is no audit activity “No such thing”" in (
        missing.stderr
    )
    too_many = manage("draw_sample", "--activity", "Peer audit", "--seed", "1", "--size", "50")
    assert too_many.returncode != 0
    assert "asks for 50 cases but only 6 cases are eligible" in too_many.stderr
    no_activity = manage("draw_sample", "--seed", "1", "--size", "1")
    assert no_activity.returncode != 0 and "--activity" in no_activity.stderr
