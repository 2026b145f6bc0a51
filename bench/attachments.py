"""Attachments: what one upload and one download cost the web app in-process, per file size.

Each round uploads a file of each size through the real app (body limit, input guard, multipart,
type sniffing, SHA-256, the write to ATTENT_FILES_DIR, the row and its timeline event, the commit)
and downloads it again; the baseline is a JSON note on the same case in the same run. It prints the
median over rounds and the ratio to the baseline, and the process's peak memory.

    .venv/bin/python -m bench.attachments [--url sqlite:////tmp/attent_bench_files.db] [--rounds 5]
"""

import argparse
import os
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from attent.app import create_app
from attent.core.clock import FrozenClock
from attent.core.db import Database
from attent.core.migrate import upgrade
from attent.core.settings import Settings
from bench.machine import print_machine
from tests.conftest import make_tenant, reset_postgres

SIZES = {"100 kB": 100 * 1024, "1 MB": 1024 * 1024, "10 MB": 10 * 1024 * 1024, "25 MB": 25 * 1024 * 1024 - 64}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    folder = Path(tempfile.mkdtemp(prefix="attent-bench-files-"))
    parser.add_argument("--url", default=f"sqlite:///{folder / 'bench.db'}")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.url.startswith("postgresql"):
        assert "bench" in args.url.rsplit("/", 1)[-1], "use a database whose name says bench"
        reset_postgres(args.url)
    upgrade(args.url)
    print_machine(args.url)
    settings = Settings(database_url=args.url, embedded_worker=False, files_dir=folder / "files")
    database = Database.from_url(args.url)
    clock = FrozenClock(datetime(2026, 12, 7, 9, tzinfo=UTC))
    with database.sessions() as db:
        tenant = make_tenant(db, clock, "bench-files")
    app = create_app(settings, database=database, clock=clock, worker=False)
    case = f"/api/v1/cases/{tenant.case.id}"
    timings: dict[str, list[float]] = {"note (baseline)": []}
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {tenant.tokens['agent']}"
        for _ in range(args.rounds):
            start = time.perf_counter()
            assert client.post(f"{case}/notes", json={"text": "Baseline"}).status_code == 201
            timings["note (baseline)"].append(time.perf_counter() - start)
            for name, size in SIZES.items():
                data = b"%PDF-1.4\n" + os.urandom(size - 9)  # new bytes each round: no help from dedup
                start = time.perf_counter()
                sent = client.post(
                    f"{case}/attachments", files=[("files", ("f.pdf", data, "application/pdf"))]
                )
                uploaded = time.perf_counter() - start
                assert sent.status_code == 201, sent.text
                start = time.perf_counter()
                got = client.get(f"{case}/attachments/{sent.json()[0]['id']}")
                downloaded = time.perf_counter() - start
                assert got.content == data
                timings.setdefault(f"upload {name}", []).append(uploaded)
                timings.setdefault(f"download {name}", []).append(downloaded)
    baseline = statistics.median(timings["note (baseline)"])
    print(f"rounds: {args.rounds}; median seconds, and the ratio to the baseline")
    for what, seconds in timings.items():
        median = statistics.median(seconds)
        print(f"  {what:<18} {median * 1000:9.1f} ms  x{median / baseline:8.1f}")
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
