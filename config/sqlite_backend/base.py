"""Django's SQLite backend, with writers queued by the operating system rather than by polling.

With ``transaction_mode`` IMMEDIATE every transaction takes SQLite's write lock at BEGIN. A
writer that finds it taken is left to SQLite's busy handler, which sleeps and tries again: 1,
2, 5, 10, 15, 20, 25, 25, 25, 50, 50 ms, then 100 ms at a time. So a save that arrives while
another commits (a moderation rebuilding a month's figures, 40-50 ms) can sleep a further 50 to
100 ms after the lock is free, and under a steady load of saves those sleeps were most of the
autosave's p95 on the embedded database.

Here each connection to a database file first takes an exclusive ``flock`` on a file beside it
(``<database>.writers``), then begins. The kernel wakes the next writer the moment the lock is
given back (at COMMIT or ROLLBACK, or when the connection closes), in every process and thread
on the machine that uses the same file. Nothing else changes: SQLite's own lock is still taken
and still decides; a writer outside a transaction (Django's autocommit, where SQLite's busy
handler made a report page's record of its viewing wait up to 0.4 s under load) queues too,
for its one statement (an INSERT, UPDATE, DELETE or REPLACE run alone); and a writer that has
queued for the database's ``timeout`` (20 s) goes on to BEGIN anyway, where SQLite's busy
handler has the last word ("database is locked" after its own timeout), as without the queue.
In-memory databases (the test suite's) do not queue.
"""

import contextlib
import fcntl
import os
import time

from django.db.backends.sqlite3 import base

# How often a writer looks at the queue's lock while waiting: a free lock is taken within this.
POLL_SECONDS = 0.001


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class QueuedCursor(base.SQLiteCursorWrapper):
    """A cursor whose statements that write, run outside a transaction, queue for the
    database as a transaction does (``DatabaseWrapper.writing_alone``)."""

    database = None  # the DatabaseWrapper, set by create_cursor

    def execute(self, query, params=None):
        with self.database.writing_alone(query):
            return super().execute(query, params)

    def executemany(self, query, param_list):
        with self.database.writing_alone(query):
            return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    _writers_fd = None
    _writers_pid = None
    _holding = False

    def _queue_fd(self):
        # A descriptor shared across fork() would share the lock too: one per process.
        if self._writers_fd is None or self._writers_pid != os.getpid():
            self._writers_fd = os.open(
                f"{self.settings_dict['NAME']}.writers", os.O_RDWR | os.O_CREAT, 0o600
            )
            self._writers_pid = os.getpid()
        return self._writers_fd

    def _queues(self) -> bool:
        return self.transaction_mode == "IMMEDIATE" and not self.is_in_memory_db()

    def _take_queue(self) -> None:
        fd = self._queue_fd()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # Blocking flock() cannot give up after a time: wait in short steps instead, and
            # after the database's timeout leave the rest to SQLite's busy handler.
            deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
            while True:
                time.sleep(POLL_SECONDS)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        return
        self._holding = True

    def _give_back_queue(self) -> None:
        if self._holding:
            self._holding = False
            fcntl.flock(self._writers_fd, fcntl.LOCK_UN)

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=QueuedCursor)
        cursor.database = self
        return cursor

    @contextlib.contextmanager
    def writing_alone(self, query: str):
        """Around a statement: holds the queue while it runs when it writes outside a
        transaction (in one, the queue is held from BEGIN)."""
        alone = (
            not self._holding
            and self._queues()
            and self.get_autocommit()
            and query.lstrip()[:7].upper().startswith(WRITES)
        )
        if not alone:
            yield
            return
        self._take_queue()
        try:
            yield
        finally:
            self._give_back_queue()

    def _start_transaction_under_autocommit(self):
        if not self._queues():
            return super()._start_transaction_under_autocommit()
        self._take_queue()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._give_back_queue()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._give_back_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._give_back_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._give_back_queue()
