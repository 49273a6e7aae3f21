"""config.sqlite_backend: writers to a SQLite file queue for it in the kernel (flock on
<database>.writers) from BEGIN to COMMIT or ROLLBACK, instead of SQLite's sleeping retries.

Each test makes its own SQLite file and connections, so it runs the same whatever database the
suite is on.
"""

import fcntl
import os
import threading

import pytest
from django.db.utils import ConnectionHandler

from config.sqlite_backend.base import DatabaseWrapper


def connect(alias: str, name: str, **options):
    """A connection of config.sqlite_backend outside Django's own connections."""
    settings = ConnectionHandler().configure_settings(
        {
            "default": {"ENGINE": "django.db.backends.dummy"},
            alias: {"ENGINE": "config.sqlite_backend", "NAME": name, "OPTIONS": options},
        }
    )
    return DatabaseWrapper(settings[alias], alias)


@pytest.fixture(autouse=True)
def own_connections(django_db_blocker):
    """These connections are the tests' own, not the suite's database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def databases(tmp_path):
    """Two connections to one SQLite file, as two workers of the server would have."""
    path = tmp_path / "team.sqlite3"
    one, two = (
        connect(alias, str(path), timeout=5, transaction_mode="IMMEDIATE")
        for alias in ("one", "two")
    )
    with one.cursor() as cursor:
        cursor.execute("CREATE TABLE draft (text TEXT)")
    yield path, one, two
    one.close()
    two.close()


def queue_is_free(path) -> bool:
    fd = os.open(f"{path}.writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def begin(db):
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def end(db, how):
    getattr(db, how)()
    db.set_autocommit(True)


@pytest.mark.parametrize("how", ["commit", "rollback"])
def test_a_write_transaction_holds_the_queue_from_begin_to_its_end(databases, how):
    path, one, _ = databases
    assert queue_is_free(path)

    begin(one)
    with one.cursor() as cursor:
        cursor.execute("INSERT INTO draft VALUES ('saved')")
    assert not queue_is_free(path)

    end(one, how)
    assert queue_is_free(path)


def test_closing_a_connection_in_a_transaction_frees_the_queue(databases):
    path, one, _ = databases
    begin(one)
    assert not queue_is_free(path)

    one.close()

    assert queue_is_free(path)


def _waits_for_the_first_writer(databases, second, text: str) -> None:
    """A first writer in a transaction writes 'first'; ``second(two, reached)``, in a thread,
    must not reach ``reached.set()`` until the first commits, then writes ``text`` after it."""
    path, one, two = databases
    begin(one)
    with one.cursor() as cursor:
        cursor.execute("INSERT INTO draft VALUES ('first')")
    reached = threading.Event()

    def run():
        two.inc_thread_sharing()
        second(two, reached)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert not reached.wait(0.3)  # queued behind the first writer
        end(one, "commit")
        assert reached.wait(5)
    finally:
        thread.join(10)
        two.dec_thread_sharing()

    with one.cursor() as cursor:
        cursor.execute("SELECT text FROM draft ORDER BY rowid")
        assert [row[0] for row in cursor.fetchall()] == ["first", text]
    assert queue_is_free(path)


def test_a_second_writer_waits_for_the_first_and_then_goes_on(databases):
    def second(two, began):
        begin(two)
        began.set()
        with two.cursor() as cursor:
            cursor.execute("INSERT INTO draft VALUES ('second')")
        end(two, "commit")

    _waits_for_the_first_writer(databases, second, "second")


def test_an_in_memory_database_does_not_queue(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = connect("memory", ":memory:", transaction_mode="IMMEDIATE")
    begin(db)
    end(db, "commit")
    assert list(tmp_path.iterdir()) == []


def test_a_write_outside_a_transaction_queues_for_its_one_statement(databases, monkeypatch):
    """Django's autocommit: an INSERT run alone takes the queue while it runs and gives it
    back; a read never takes it."""
    path, one, _ = databases
    held_while_writing = []
    execute = DatabaseWrapper.writing_alone

    def watched(self, query):
        manager = execute(self, query)

        class Watch:
            def __enter__(self_):
                manager.__enter__()
                held_while_writing.append((query.split()[0], not queue_is_free(path)))

            def __exit__(self_, *exc):
                return manager.__exit__(*exc)

        return Watch()

    monkeypatch.setattr(DatabaseWrapper, "writing_alone", watched)
    with one.cursor() as cursor:
        cursor.execute("INSERT INTO draft VALUES ('viewed')")
        cursor.execute("SELECT count(*) FROM draft")

    assert held_while_writing == [("INSERT", True), ("SELECT", False)]
    assert queue_is_free(path)


def test_a_write_outside_a_transaction_waits_for_a_writer_in_one(databases):
    def alone(two, written):
        with two.cursor() as cursor:
            cursor.execute("INSERT INTO draft VALUES ('alone')")
        written.set()

    _waits_for_the_first_writer(databases, alone, "alone")
