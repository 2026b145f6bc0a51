"""The supervisor of `attent serve --workers N`: starts the web processes, forwards signals, holds no app.

`attent serve` imports the whole command line (every domain, the app's modules) before it knows it
will only supervise; kept, that copy cost the parent 73 MB to 125 MB of memory it never used. So
`serving.serve_many` replaces the process (exec: same pid, same signals for whoever started it) with
this module, which imports only the standard library. Run as
`python -m attent.core.supervise HOST PORT PROCESSES (--worker|--no-worker)`.
"""

import os
import signal
import subprocess
import sys
from types import FrameType


def supervise(host: str, port: int, processes: int, worker: bool) -> int:
    """Start `processes` web processes on one port and stop them all when one stops or on a signal."""
    command = [sys.executable, "-m", "attent", "serve", "--host", host, "--port", str(port), "--reuse-port"]
    if not worker:
        command.append("--no-worker")
    children = [subprocess.Popen(command) for _ in range(processes)]
    asked: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        asked.append(signum)
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    first = _first_to_exit(children)
    stopped_as_asked = bool(asked) and first in (0, *(-signum for signum in asked))
    stop(signal.SIGTERM, None)
    for child in children:
        child.wait()
    # uvicorn re-raises the signal after a clean shutdown, so a child stopped as asked reads -SIGTERM.
    return 0 if stopped_as_asked else first


def _first_to_exit(children: list[subprocess.Popen[bytes]]) -> int:
    """Wait until any child exits (a crash, or the signal forwarded to all); its exit status."""
    while True:
        pid, status = os.wait()
        for child in children:
            if child.pid == pid:
                child.returncode = os.waitstatus_to_exitcode(status)
                return child.returncode


def command(host: str, port: int, processes: int, worker: bool) -> list[str]:
    """The command line that becomes the supervisor."""
    flag = "--worker" if worker else "--no-worker"
    return [sys.executable, "-m", "attent.core.supervise", host, str(port), str(processes), flag]


def main(argv: list[str]) -> int:
    """Parse the four arguments `command` writes and supervise."""
    host, port, processes, flag = argv
    return supervise(host, int(port), int(processes), flag == "--worker")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
