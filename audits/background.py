"""Work done off the request: emails and report PDFs, as tasks of Django's tasks API (the
django-tasks backport), kept in the database by django-tasks-db and run by `manage.py db_worker`.

A service queues its task once its change has committed (``enqueue_on_commit``), with ids and
plain values only; the task reads what it needs itself when it runs. What the request saved
never depends on the task: a task row the database refuses is logged, not raised into the page.

django-tasks runs a task once. A ``retried_task`` that fails queues itself again after the next
of RETRY_DELAYS (the waits grow: five attempts over about an hour) and then fails with
TaskFailed, whose message says which attempt failed, whether it will be tried again and what
failed (the task's own error names the email and the case reference, or the report). Each
failed attempt is a row of the task results table, which administrators read in the admin.
"""

import datetime
from collections.abc import Callable

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

# The wait before each attempt after the first.
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=15),
    datetime.timedelta(minutes=40),
)
ATTEMPTS = len(RETRY_DELAYS) + 1

# A task still "running" after this long is taken as lost: its worker was killed half-way, and
# django-tasks-db leaves such a row running for ever. Ours take seconds.
LOST_AFTER = datetime.timedelta(minutes=10)


class TaskFailed(Exception):
    """An attempt of a task failed; the message is for the administrator reading the results."""


def _in_words(wait: datetime.timedelta) -> str:
    minutes = int(wait.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def retried_task(function: Callable[..., None]) -> Task:
    """The task that runs ``function(**kwargs)``, tried again later each time it raises, up
    to ATTEMPTS in all. Use it as a decorator on a module-level function taking keyword
    arguments (stored as JSON, so ids and plain values) and returning nothing."""

    def run(*, attempt: int = 1, **kwargs) -> None:
        try:
            function(**kwargs)
        except ObjectDoesNotExist as error:
            # What the task is about was deleted since (the retention schedule, say): trying
            # again will not bring it back.
            raise TaskFailed(f"Attempt {attempt} failed, not trying again: {error}") from error
        except Exception as error:
            if attempt < ATTEMPTS:
                wait = RETRY_DELAYS[attempt - 1]
                retried.using(run_after=timezone.now() + wait).enqueue(
                    attempt=attempt + 1, **kwargs
                )
                outcome = f"trying again in {_in_words(wait)}"
            else:
                outcome = "not trying again"
            raise TaskFailed(
                f"Attempt {attempt} of {ATTEMPTS} failed, {outcome}: {error}"
            ) from error

    # The worker finds the task by this module and name: the name the decorator binds it to.
    run.__module__, run.__name__, run.__qualname__ = (
        function.__module__,
        function.__name__,
        function.__qualname__,
    )
    run.__doc__ = function.__doc__
    retried = task(run)
    return retried


def enqueue_on_commit(queued: Task, **kwargs) -> None:
    """Queue ``queued`` with ``kwargs`` once the current transaction commits (at once outside
    one). A failure to queue is logged by Django (robust), never raised: the change is saved."""
    transaction.on_commit(lambda: queued.enqueue(**kwargs), robust=True)


def is_queued(queued: Task, **kwargs) -> bool:
    """Whether a run of ``queued`` with these arguments is waiting (a first attempt or a retry)
    or running, and not lost (LOST_AFTER)."""
    rows = DBTaskResult.objects.filter(
        task_path=queued.module_path,
        backend_name=queued.backend,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    )
    for name, value in kwargs.items():
        rows = rows.filter(**{f"args_kwargs__kwargs__{name}": value})
    lost = {"status": TaskResultStatus.RUNNING, "started_at__lt": timezone.now() - LOST_AFTER}
    return rows.exclude(**lost).exists()
