"""Web processes that each accept their own connections: one port, SO_REUSEPORT, the kernel spreads.

uvicorn's `--workers` shares one listening socket, and with keep-alive clients one process tends to
accept nearly every connection (measured: 7.1 s of CPU against 2.2 s), so two processes served like
one. Each process here binds its own socket to the same port with SO_REUSEPORT; the kernel hashes
new connections across them, so N processes share the load as N separate servers would.
"""

import gc
import logging
import os
import socket
import sys
import threading
import time
from typing import TextIO

import uvicorn

from attent.core import supervise

APP = "attent.app:create_app"


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A listening socket that other processes may bind to the same address too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def serve_one(host: str, port: int, *, reuse_port: bool, access_log: bool = True) -> None:
    """One web process; with `reuse_port`, beside its siblings on the same port."""
    config = uvicorn.Config(
        APP, factory=True, host=host, port=port, proxy_headers=False, log_level="info", access_log=access_log
    )
    sockets = [reuse_port_socket(host, port)] if reuse_port else None
    config.load()
    buffer_access_log()
    settle_heap()
    uvicorn.Server(config).run(sockets=sockets)


FLUSH_SECONDS = 1.0


class SecondFlush(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes each line through the stream's buffer and flushes it at most once a second.

    uvicorn flushes the access log after every line: a system call per request, which cost a third of
    a logged contact's throughput on a small VM (bench/README.md). Like nginx's `buffer= flush=1s`, a
    line reaches the log within a second (a thread flushes an idle buffer); a crash loses at most that.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._flushed = time.monotonic()

    def flush(self) -> None:
        """Flush when the last flush is a second old; `flush_now` for the timer and on close."""
        if time.monotonic() - self._flushed >= FLUSH_SECONDS:
            self.flush_now()

    def flush_now(self) -> None:
        """Write out whatever the stream holds (nothing once the stream is closed)."""
        self._flushed = time.monotonic()
        if not getattr(self.stream, "closed", False):
            super().flush()

    def close(self) -> None:
        """Nothing is left in the buffer when logging shuts down."""
        self.flush_now()
        super().close()


def buffer_access_log() -> None:
    """Swap the access log's stream handlers for SecondFlush ones, flushed by a daemon thread too."""
    access = logging.getLogger("uvicorn.access")
    swapped: list[SecondFlush] = []
    for handler in list(access.handlers):
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, SecondFlush):
            buffered = SecondFlush(handler.stream)
            buffered.setFormatter(handler.formatter)
            buffered.setLevel(handler.level)
            access.removeHandler(handler)
            access.addHandler(buffered)
            swapped.append(buffered)
    if swapped:
        threading.Thread(
            target=_flush_every_second, args=(swapped,), name="attent-log-flush", daemon=True
        ).start()


def _flush_every_second(handlers: list[SecondFlush]) -> None:
    while True:
        time.sleep(FLUSH_SECONDS)
        for handler in handlers:
            handler.flush_now()


def settle_heap() -> None:
    """Keep the garbage collector off what was built at start-up: modules, models, routes, schemas.

    A request makes enough objects to set off collections, and every full collection walked the whole
    long-lived heap: 14% of a logged contact's instructions (callgrind, bench/README.md). Frozen
    objects are still freed when their last reference goes; only cycles among them would stay.
    """
    gc.collect()
    gc.freeze()


def serve_many(host: str, port: int, processes: int, worker: bool) -> int:
    """Become the supervisor of `processes` web processes on one port (`attent.core.supervise`).

    exec, not a child: the pid stays the one the operator started, and the application this process
    imported to get here is gone from memory (the supervisor imports only the standard library).
    """
    sys.stdout.flush()
    sys.stderr.flush()
    argv = supervise.command(host, port, processes, worker)
    os.execv(argv[0], argv)  # noqa: S606 - our own interpreter and module; returns only by raising
