"""Prove that a backup restores: dump the PostgreSQL database with pg_dump, restore the dump
into a fresh database with pg_restore, and compare the row count of every table.

    python manage.py backup_check [--keep]

The scratch database is named after the live one with a "_restore_check" suffix and dropped
afterwards (unless --keep). Exit status 0 when every table has the same count; 1 otherwise.
docs/DEPLOY.md describes the backup routine this checks.
"""

import os
import subprocess
import tempfile

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def _libpq_environment(settings: dict) -> dict:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings.get(key):
            env[name] = str(settings[key])
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{command[0]} failed: {result.stderr.strip()}")


def _counts(database: str, env: dict) -> dict[str, int]:
    """Every table of the public schema with its row count, from psql."""
    query = (
        "SELECT format('%s %s', table_name, "
        "(xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', "
        "table_name), false, true, '')))[1]::text) FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    result = subprocess.run(
        ["psql", "-X", "-A", "-t", "-d", database, "-c", query],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise CommandError(f"psql failed: {result.stderr.strip()}")
    counts = {}
    for line in result.stdout.splitlines():
        table, count = line.rsplit(" ", 1)
        counts[table] = int(count)
    return counts


class Command(BaseCommand):
    help = "Dump the database, restore it into a scratch database and compare every table."

    def add_arguments(self, parser):
        parser.add_argument("--keep", action="store_true", help="keep the scratch database")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("backup_check needs PostgreSQL (DATABASE_URL=postgres://…).")
        settings = connection.settings_dict
        live = settings["NAME"]
        scratch = f"{live}_restore_check"[:63]
        env = _libpq_environment(settings)
        with tempfile.TemporaryDirectory() as folder:
            dump = os.path.join(folder, "backup.dump")
            _run(["pg_dump", "--format=custom", f"--file={dump}", live], env)
            _run(["dropdb", "--if-exists", scratch], env)
            _run(["createdb", scratch], env)
            try:
                _run(["pg_restore", "--no-owner", f"--dbname={scratch}", dump], env)
                before, after = _counts(live, env), _counts(scratch, env)
            finally:
                if not options["keep"]:
                    _run(["dropdb", "--if-exists", scratch], env)
        differ = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
        for table in sorted(before):
            self.stdout.write(f"{table:<45} {before[table]:>9} {after.get(table, '-'):>9}")
        if differ:
            self.stderr.write(f"Tables that differ after restoring: {', '.join(differ)}")
            raise SystemExit(1)
        self.stdout.write(f"Restored {len(before)} tables; every row count matches.")
