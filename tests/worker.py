"""Running queued tasks in tests the way production does: django-tasks-db's worker.

The suite uses the database backend, as production does, so a service's email or PDF is a row
in the task table until a worker runs it. ``run_worker`` is the real `manage.py db_worker` in
its run-once mode (``--batch``: every task that is due, then stop): for transactional tests,
whose writes are committed as in production. Inside the transaction that wraps an ordinary
test the worker's loop would drop the database connection (it closes connections it finds in
a transaction, as a long-running worker must), so ``run_tasks`` then runs each due task
through the worker's own ``run_task``, claim and all, and leaves out only the loop.
"""

from io import StringIO

from django.core.management import call_command
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_worker() -> int:
    """Run `db_worker --batch` once; return how many tasks it ran."""
    finished_before = DBTaskResult.objects.finished().count()
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--queue-name=*",
        verbosity=0,
        stdout=StringIO(),
    )
    return DBTaskResult.objects.finished().count() - finished_before


def run_tasks() -> int:
    """Run every task that is due now, as the worker would; return how many ran."""
    if not connection.in_atomic_block:
        return run_worker()
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (due := DBTaskResult.objects.ready().first()) is not None:
        due.claim(worker.worker_id)
        worker.run_task(due)
        ran += 1
    return ran


def queued(task) -> list[DBTaskResult]:
    """The runs of ``task`` waiting in the queue, due or not (first attempts and retries)."""
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    return list(waiting.filter(task_path=task.module_path).order_by("run_after"))


def failures() -> list[str]:
    """What each failed task failed with (its error's last line), oldest first."""
    return [
        row.traceback.strip().splitlines()[-1]
        for row in DBTaskResult.objects.failed().order_by("finished_at")
    ]
