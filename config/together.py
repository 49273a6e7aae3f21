"""python -m config.together -- COMMAND ... -- COMMAND ...: run commands side by side and stop
them together. `make run` and `make serve` start the web server and the task worker with it.

Each command runs in a process group of its own, so Ctrl-C (SIGINT) or a service manager's
SIGTERM reaches this process alone, which passes SIGTERM on to every group still running and
waits for them all. The worker then finishes the task in hand before it stops; a second Ctrl-C
passes SIGTERM on again, which stops it at once. When one command ends by itself (the web
server cannot bind its port, say), the others are stopped the same way, so neither is left
running alone. Exits with the status of the command that ended first.
"""

import os
import signal
import subprocess
import sys
import time


def split_commands(argv: list[str]) -> list[list[str]]:
    """``-- a b -- c d`` as ``[["a", "b"], ["c", "d"]]``; empty commands are dropped."""
    commands, current = [], []
    for word in argv:
        if word == "--":
            commands.append(current)
            current = []
        else:
            current.append(word)
    commands.append(current)
    return [command for command in commands if command]


def run_together(commands: list[list[str]]) -> int:
    processes = [subprocess.Popen(command, start_new_session=True) for command in commands]

    def stop_all(*_signal_args) -> None:
        for process in processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:  # ended between poll() and here
                    pass

    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    first_status = None
    while any(process.poll() is None for process in processes):
        if first_status is None:
            ended = [process for process in processes if process.poll() is not None]
            if ended:
                first_status = ended[0].returncode
                stop_all()
        time.sleep(0.2)
    if first_status is None:
        first_status = processes[0].returncode
    return first_status if first_status >= 0 else 128 - first_status


def main() -> int:
    commands = split_commands(sys.argv[1:])
    if not commands:
        print("usage: python -m config.together -- COMMAND ... -- COMMAND ...", file=sys.stderr)
        return 2
    return run_together(commands)


if __name__ == "__main__":
    sys.exit(main())
