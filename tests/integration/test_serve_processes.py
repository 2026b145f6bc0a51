"""`attent serve --workers 2`: two processes on one port, and new connections reach both."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import free_port

ATTENT = str(Path(sys.executable).with_name("attent"))


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _rss_kib(pid: int) -> int:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1])


@pytest.mark.skipif(not Path("/proc").exists(), reason="counts processes through Linux /proc")
def test_two_web_processes_share_one_port_and_its_connections(committed_url, tmp_path):
    port = free_port()
    env = {**os.environ, "ATTENT_DATABASE_URL": committed_url, "ATTENT_EMBEDDED_WORKER": "false"}
    log = (tmp_path / "serve.log").open("wb")
    parent = subprocess.Popen(
        [ATTENT, "serve", "--port", str(port), "--workers", "2", "--no-worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and len(_children(parent.pid)) < 2:
            time.sleep(0.1)
        children = _children(parent.pid)
        assert len(children) == 2, (tmp_path / "serve.log").read_text()
        for pid in children:  # several processes run API work on their event loops (no thread trip)
            assert b"ATTENT_API_ON_EVENT_LOOP=true" in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/signin", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        # The parent only supervises: it became a process of the standard library alone (exec, same pid).
        assert _rss_kib(parent.pid) < 0.25 * min(_rss_kib(pid) for pid in children)
        before = {pid: _cpu_ticks(pid) for pid in children}
        for _ in range(300):  # a new connection each time, as many browsers would open
            assert httpx.get(f"{base}/signin", timeout=10).status_code == 200
        used = {pid: _cpu_ticks(pid) - before[pid] for pid in children}
        assert min(used.values()) > 0.2 * sum(used.values()), used  # both processes took their share
    finally:
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=30) == 0
        log.close()
    assert all(not Path(f"/proc/{pid}").exists() for pid in children)
