"""Run by test_sqlite_concurrency.py in its own interpreter, with DATABASE_URL naming a fresh
SQLite file: migrates it, then saves drafts from several threads at once, as a small team does.

Prints one line of JSON: how many saves succeeded, and every error's text.
"""

import json
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from audits import roles  # noqa: E402
from audits.services import AuditContent, audit_save_draft  # noqa: E402

THREADS = 8
SAVES_PER_THREAD = 10


def main() -> None:
    call_command("migrate", verbosity=0)
    auditor = User.objects.create_user("concurrent-auditor", password="correct-horse-battery")
    auditor.groups.add(Group.objects.get(name=roles.AUDITOR))
    shared = audit_save_draft(audit=None, by=auditor, content=AuditContent())
    connection.close()

    saves, errors, lock = [], [], threading.Lock()
    start = threading.Barrier(THREADS)

    def work(n: int) -> None:
        try:
            start.wait()
            own = None
            for i in range(SAVES_PER_THREAD):
                # Each thread keeps its own draft and also saves the one draft they all share:
                # both read then write in one transaction, the case SQLite fails at once when
                # transactions begin DEFERRED.
                content = AuditContent(header={"case_reference": f"CR-{n:02d}{i:03d}"})
                own = audit_save_draft(audit=own, by=auditor, content=content)
                audit_save_draft(audit=shared, by=auditor, content=content)
                with lock:
                    saves.append(2)
        except Exception as exc:  # every error is reported, not just the first
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    shared.refresh_from_db()
    print(
        json.dumps(
            {
                "saves": sum(saves),
                "errors": errors,
                "journal_mode": journal_mode,
                "shared_revision": shared.revision,
            }
        )
    )


if __name__ == "__main__":
    main()
