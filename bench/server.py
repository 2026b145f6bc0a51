"""Run the real Attent server as a subprocess on loopback, the way an operator starts it."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

VENV_BIN = Path(sys.executable).parent
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """`attent serve --no-worker` against `url`, started on enter and stopped on exit.

    `access_log=False` sets ATTENT_ACCESS_LOG=false, to show what the per-request log line costs.
    """

    def __init__(
        self, url: str, *, workers: int = 1, access_log: bool = True, settings: dict[str, str] | None = None
    ) -> None:
        self.url, self.workers, self.access_log = url, workers, access_log
        self.settings = settings or {}  # extra ATTENT_* variables
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(tempfile.mkdtemp(prefix="attent-bench-")) / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        """The command line this server runs."""
        return [str(VENV_BIN / "attent"), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                "--no-worker", "--workers", str(self.workers)]  # fmt: skip

    def describe(self) -> str:
        """One line: what runs, with how many processes."""
        kind = "attent serve (access log " + ("on)" if self.access_log else "off)")
        return f"{kind}, {self.workers} web process{'es' if self.workers > 1 else ''}, no worker"

    def __enter__(self) -> "Server":
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENT_")}
        env |= {"ATTENT_DATABASE_URL": self.url, "ATTENT_EMBEDDED_WORKER": "false", **self.settings}
        env["ATTENT_ACCESS_LOG"] = "true" if self.access_log else "false"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log_path}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2.0)
            try:
                connection.request("GET", "/api/v1/agents/me")  # 401 without a token: it answers
                connection.getresponse().read()
            except OSError:
                time.sleep(0.2)
                continue
            finally:
                connection.close()
            if self.workers > 1:
                time.sleep(2.0)  # let the other web processes finish starting too
            return
        self.stop()
        raise RuntimeError(f"server did not answer within {READY_TIMEOUT_S:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        """Stop the server (SIGTERM to its process group, then SIGKILL if it lingers)."""
        if self.process is None or self.process.poll() is not None:
            return
        pgid = os.getpgid(self.process.pid)
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT_S)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        """The server's main process id."""
        assert self.process is not None
        return self.process.pid
