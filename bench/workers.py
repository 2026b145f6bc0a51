"""Run real `attent worker` processes against a database, the way an operator starts them."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

VENV_BIN = Path(sys.executable).parent
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


class Workers:
    """`count` worker processes with the real clock, started (and ready) on enter, stopped on exit."""

    def __init__(self, url: str, count: int, *, env: dict[str, str] | None = None) -> None:
        self.url, self.count, self.extra = url, count, env or {}
        self.folder = Path(tempfile.mkdtemp(prefix="attent-bench-workers-"))
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def pids(self) -> list[int]:
        """The process ids, for CPU accounting."""
        return [p.pid for p in self.processes]

    def __enter__(self) -> "Workers":
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENT_")}
        env |= {"ATTENT_DATABASE_URL": self.url, **self.extra}
        for i in range(self.count):
            with (self.folder / f"worker{i}.log").open("wb") as log:
                self.processes.append(
                    subprocess.Popen(
                        [str(VENV_BIN / "attent"), "worker"],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        """Each worker logs `worker … started` once its models are imported and it is about to poll."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        for i, process in enumerate(self.processes):
            log = self.folder / f"worker{i}.log"
            while " started" not in log.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__(None, None, None)
                    raise RuntimeError(f"worker {i} did not start; see {log}")
                time.sleep(0.1)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # finishes the batch in hand, then leaves the loop
        for process in self.processes:
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def problems(self) -> list[str]:
        """Non-zero exits and tracebacks in the logs; empty when every worker ran and stopped cleanly."""
        found = []
        for i, process in enumerate(self.processes):
            log = self.folder / f"worker{i}.log"
            if process.returncode not in (0, None):
                found.append(f"worker {i} exited with {process.returncode} (log {log})")
            if "Traceback" in log.read_text(errors="replace"):
                found.append(f"worker {i} logged a traceback (log {log})")
        return found
