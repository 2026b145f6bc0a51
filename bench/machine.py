"""The machine a benchmark ran on, and CPU accounting for the processes that share it."""

import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from attent.core.db import make_engine

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _database(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                version = conn.scalar(text("SHOW server_version"))
                buffers = conn.scalar(text("SHOW shared_buffers"))
                return f"PostgreSQL {version} (shared_buffers {buffers})"
            return f"SQLite {conn.scalar(text('SELECT sqlite_version()'))}"
    finally:
        engine.dispose()


def describe(url: str | None = None) -> str:
    """A few lines naming CPU, cores, memory, OS, Python and (given a URL) the database."""
    cores = len(os.sched_getaffinity(0))
    load1, load5, _ = os.getloadavg()
    lines = [
        f"machine:  {_cpu_model()}, {cores} cores usable ({os.cpu_count()} online), {_ram_gib():.1f} GiB RAM",
        f"system:   {platform.system()} {platform.release()}, Python {sys.version.split()[0]}",
        f"load:     {load1:.2f} (1 min), {load5:.2f} (5 min) at start",
    ]
    if url is not None:
        lines.append(f"database: {_database(url)}")
    return "\n".join(lines)


def print_machine(url: str | None = None) -> None:
    """Print `describe()` under a header, as every benchmark does first."""
    print("== machine ==")
    print(describe(url))
    print()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live descendants."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
        todo.extend(_children(current))
    return total


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def process_tree_rss(pid: int) -> tuple[float, float]:
    """(resident MB of a process and all its live descendants, resident MB of the process alone)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += _rss_mb(current)
        todo.extend(_children(current))
    return total, _rss_mb(pid)


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds summed over all cores since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # steal included, guest already counted in user
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


@dataclass(frozen=True)
class CpuShare:
    """Where the machine's CPU went during one measured interval, in cores (1.0 = one core busy)."""

    server: float
    client: float
    other: float  # mostly PostgreSQL

    def __str__(self) -> str:
        return f"server {self.server:.2f} + client {self.client:.2f} + other {self.other:.2f} cores"


class CpuMeter:
    """Measure CPU use of the server process trees, the client and everything else over an interval."""

    def __init__(self, *server_pids: int) -> None:
        self.server_pids = server_pids
        self._busy, self._server = self._read()

    def _read(self) -> tuple[float, float]:
        return machine_cpu()[0], sum(process_tree_cpu(pid) for pid in self.server_pids)

    def stop(self, elapsed: float, client_cpu: float) -> CpuShare:
        """The shares since construction, given the CPU seconds the client used meanwhile."""
        busy, server = self._read()
        server_used = server - self._server
        other = max(0.0, busy - self._busy - server_used - client_cpu)
        return CpuShare(server_used / elapsed, client_cpu / elapsed, other / elapsed)


if __name__ == "__main__":
    print_machine(sys.argv[1] if len(sys.argv) > 1 else None)
