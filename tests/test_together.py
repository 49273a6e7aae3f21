"""config.together, which `make run` and `make serve` use to start the web server and the task
worker side by side: Ctrl-C stops both, and neither is left running when the other stops."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.together import split_commands

ROOT = Path(__file__).resolve().parent.parent
# Writes its process id to the file named by its argument, then waits to be stopped.
WAITER = (
    "import os, pathlib, sys, time; "
    "pathlib.Path(sys.argv[1]).write_text(str(os.getpid())); time.sleep(60)"
)


def _together(*commands) -> subprocess.Popen:
    argv = [sys.executable, "-m", "config.together"]
    for command in commands:
        argv += ["--", *command]
    return subprocess.Popen(argv, cwd=ROOT)


def _pid_in(path: Path) -> int:
    deadline = time.monotonic() + 10
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, f"{path.name} never started"
        time.sleep(0.05)
    return int(path.read_text())


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_commands_are_split_on_double_dashes():
    assert split_commands(["--", "a", "b", "--", "c", "--"]) == [["a", "b"], ["c"]]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_every_command(tmp_path, stop):
    runner = _together(
        [sys.executable, "-c", WAITER, str(tmp_path / "web")],
        [sys.executable, "-c", WAITER, str(tmp_path / "worker")],
    )
    pids = [_pid_in(tmp_path / "web"), _pid_in(tmp_path / "worker")]

    runner.send_signal(stop)

    assert runner.wait(timeout=10) == 128 + signal.SIGTERM  # each was stopped with SIGTERM
    assert not any(_running(pid) for pid in pids)


def test_when_one_command_ends_the_other_is_stopped_and_its_status_kept(tmp_path):
    runner = _together(
        [sys.executable, "-c", WAITER, str(tmp_path / "worker")],
        [sys.executable, "-c", "import sys, time; time.sleep(0.5); sys.exit(3)"],
    )
    worker = _pid_in(tmp_path / "worker")

    assert runner.wait(timeout=10) == 3  # the web server could not start, say
    assert not _running(worker)
