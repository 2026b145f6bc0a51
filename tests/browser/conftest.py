"""The real `attent serve` in a subprocess with demo data, and Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium (`make browser-deps`).
Without Chromium the browser tests are skipped, unless ATTENT_REQUIRE_BROWSER=1 (CI): then each one
errors in set-up with the reason, so the run fails.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
BIN = Path(sys.executable).parent  # the virtual environment's bin/, where `attent` is installed
START_TIMEOUT = 30.0
DEMO_ORG = "kopje-koffie"
DEMO_AGENT = "fatima@kopjekoffie.example"
VIEWPORT = {"width": 1280, "height": 800}
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _need_browser() -> None:
    """Skip without Chromium, or fail when the run demands a browser (ATTENT_REQUIRE_BROWSER=1)."""
    if Path(CHROMIUM).exists():
        return
    reason = f"Chromium is not installed at {CHROMIUM}; run `make browser-deps` to install Debian's chromium."
    if os.environ.get("ATTENT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"ATTENT_REQUIRE_BROWSER=1, but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Server:
    """A running `attent serve` with the demo data loaded."""

    url: str
    env: dict[str, str]
    workdir: Path

    def attent(self, *args: str) -> str:
        """Run an `attent` command against the same database and return what it printed."""
        done = subprocess.run(
            [str(BIN / "attent"), *args],
            env={**self.env, "COLUMNS": "500"},  # Rich must not wrap a token over two lines
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"attent {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def api(self, method: str, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
        """Call the JSON API as the token's agent."""
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            with exc:
                raise AssertionError(f"{method} {path} answered {exc.code}: {exc.read().decode()}") from None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"attent serve exited with {process.returncode}:\n{log.read_text()}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(
        f"attent serve did not answer {url} within {START_TIMEOUT:.0f}s:\n{log.read_text()}", pytrace=False
    )


def _serve(workdir: Path, *, worker: bool, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """Migrate a fresh SQLite database in `workdir`, load the demo, and serve it until the caller is done."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENT_")} | (extra_env or {})
    env["ATTENT_DATABASE_URL"] = f"sqlite:///{workdir / 'attent.db'}"
    env["ATTENT_WORKER_POLL_SECONDS"] = "0.2"
    port = _free_port()
    probe = Server(url=f"http://127.0.0.1:{port}", env=env, workdir=workdir)
    probe.attent("migrate")
    probe.attent("demo")
    log = workdir / "server.log"
    command = [str(BIN / "attent"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--worker" if worker else "--no-worker"],
            env=env,
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(f"{probe.url}/signin", process, log)
        yield probe
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo served without a worker, so nothing changes under a test but what it does itself; one per
    module, so what one module's stories change (a call dropped, a form sent, cases merged) never meets
    another module's expectations of the demo."""
    yield from _serve(tmp_path_factory.mktemp("attent-server"), worker=False)


@pytest.fixture(scope="module")
def server_with_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo served as `make run` serves it: with the worker in the same process."""
    yield from _serve(tmp_path_factory.mktemp("attent-worker-server"), worker=True)


@pytest.fixture(scope="module")
def api_token(server: Server) -> str:
    """An API token for Fatima, made the way an operator would: `attent token create`."""
    return server.attent(
        "token", "create", "--org", DEMO_ORG, "--email", DEMO_AGENT, "--name", "browser tests"
    ).strip()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the whole session."""
    _need_browser()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    """A fresh browser profile (no cookies) at 1280x800 with the server as its base URL."""
    context = browser.new_context(base_url=server.url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
