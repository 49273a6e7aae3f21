"""The embedded SQLite database takes several users saving drafts at once (config.settings).

The suite's own SQLite database is in memory, where WAL and locking between connections do not
apply; so a fresh interpreter migrates a temporary file and saves from eight threads there.
Without IMMEDIATE transactions most of those saves fail with "database is locked".
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("sqlite_concurrent_drafts.py")
THREADS, SAVES_PER_THREAD = 8, 10


def test_eight_threads_saving_drafts_on_a_sqlite_file_never_find_it_locked(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'team.sqlite3'}"

    result = subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert outcome["journal_mode"] == "wal"
    # Two saves a round per thread: its own draft and the shared one.
    assert outcome["saves"] == THREADS * SAVES_PER_THREAD * 2
    # Created (1), saved once before the threads (2), then once for every thread's every round.
    assert outcome["shared_revision"] == 2 + THREADS * SAVES_PER_THREAD


@pytest.mark.parametrize("option", ["timeout", "transaction_mode", "init_command"])
def test_the_sqlite_options_are_set_only_on_sqlite(settings, option):
    options = settings.DATABASES["default"].get("OPTIONS", {})
    is_sqlite = settings.DATABASES["default"]["ENGINE"] == "config.sqlite_backend"

    assert (option in options) == is_sqlite
