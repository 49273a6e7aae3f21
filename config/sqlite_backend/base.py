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
and still decides; a writer outside a transaction (Django's autocommit) does not queue here and
is served by SQLite's busy handler as before; and a writer that has queued for the database's
``timeout`` (20 s) goes on to BEGIN anyway, where SQLite's busy handler has the last word
("database is locked" after its own timeout), as without the queue. In-memory databases (the
test suite's) do not queue.
"""

import fcntl
import os
import time

from django.db.backends.sqlite3 import base

# How often a writer looks at the queue's lock while waiting: a free lock is taken within this.
POLL_SECONDS = 0.001


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
