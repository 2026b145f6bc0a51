"""Live updates: "this case changed" travels from the transaction that changed it to every open page.

A transaction that records a case's timeline event, or calls `changed`, marks the case. After it
commits, and only then, the signal goes out: on PostgreSQL as one `pg_notify` statement on a connection
of its own, so every `attent serve` process listening hears it (several processes, several machines);
on SQLite, where there is one process, straight to this process's hub. The hub hands it to the
server-sent event streams of the pages that have that case open.

Sending after commit rather than inside the transaction (or from a trigger, as migration 0014 did until
0019 dropped it) is what Citus needs: a NOTIFY inside a transaction that touched several shards makes
its two-phase commit fail, and a trigger on a distributed table would notify on the worker node that
holds the shard, where nobody listens. A signal lost to a crash between commit and notify costs a page
one refresh: the streams also re-read on reconnect.
"""

import asyncio
import logging
import threading
import uuid
import weakref
from collections import defaultdict

import psycopg
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session

from attent.core.db import ping_when_idle

log = logging.getLogger(__name__)
CHANNEL = "attent_live"
_MARKS = "attent_live"


def case_key(organisation_id: uuid.UUID, case_id: uuid.UUID) -> str:
    """The name pages subscribe to."""
    return f"{organisation_id}:{case_id}"


class Hub:
    """The open streams of this process, by case; `publish` may be called from any thread."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None

    def subscribe(self, key: str) -> asyncio.Queue[str]:
        """A queue that receives the key each time the case changes (call inside the event loop)."""
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=100)
        self._queues[key].add(queue)
        return queue

    def unsubscribe(self, key: str, queue: asyncio.Queue[str]) -> None:
        """Forget a closed stream."""
        self._queues[key].discard(queue)
        if not self._queues[key]:
            del self._queues[key]

    def publish(self, key: str) -> None:
        """Wake every stream on this case."""
        if self._loop is not None and key in self._queues:
            self._loop.call_soon_threadsafe(self._fan_out, key)

    def _fan_out(self, key: str) -> None:
        for queue in list(self._queues.get(key, ())):
            if not queue.full():
                queue.put_nowait(key)


HUB = Hub()


def changed(db: Session, key: str) -> None:
    """Mark a case as changed in this transaction (for writes that bypass the ORM's unit of work)."""
    db.info.setdefault(_MARKS, set()).add(key)


_NOTIFY = text("SELECT pg_notify(:channel, key) FROM unnest(CAST(:keys AS text[])) AS key")


_NOTIFIERS: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()
_NOTIFIERS_LOCK = threading.Lock()


def _notifier(engine: Engine) -> Engine:
    """A small pool of its own for the signals: a request that has just committed may still hold its
    connection, and taking a second one from the same pool could wait for ever when every request of
    a burst does the same (pool exhaustion)."""
    with _NOTIFIERS_LOCK:
        notifier = _NOTIFIERS.get(engine)
        if notifier is None:
            # Tested on checkout only after sitting idle, as the main pool is: `pool_pre_ping` cost every
            # request one more round trip (bench/README.md, issue 21).
            base = create_engine(engine.url, pool_size=2, max_overflow=0, hide_parameters=True)
            ping_when_idle(base)
            notifier = base.execution_options(isolation_level="AUTOCOMMIT")
            _NOTIFIERS[engine] = notifier
            # Its connections close with the engine's (disposed, or collected), never left to the collector.
            event.listen(engine, "engine_disposed", lambda _engine: notifier.dispose())
            weakref.finalize(engine, notifier.dispose)
        return notifier


@event.listens_for(Session, "after_commit")
def _publish(db: Session) -> None:
    keys = db.info.pop(_MARKS, None)
    if not keys:
        return
    bind = db.get_bind()
    if bind.dialect.name != "postgresql":
        for key in keys:
            HUB.publish(key)
        return
    engine = bind.engine if isinstance(bind, Connection) else bind
    try:
        with _notifier(engine).connect() as conn:
            conn.execute(_NOTIFY, {"channel": CHANNEL, "keys": sorted(keys)})
    except Exception:  # the change is committed; a page missing one signal refreshes on its next one
        log.warning("live: could not send %d change signal(s)", len(keys), exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget(db: Session) -> None:
    db.info.pop(_MARKS, None)


class Listener:
    """A thread that LISTENs on PostgreSQL and hands each signal to the hub; reconnects if dropped."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+psycopg://", "postgresql://")
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="attent-live", daemon=True)

    def start(self) -> None:
        """Start listening; returns once LISTEN is in place (or after 5 seconds)."""
        self.thread.start()
        self.ready.wait(5)

    def stop(self) -> None:
        """Leave the loop within a second."""
        self.stopping.set()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    while not self.stopping.is_set():
                        for note in conn.notifies(timeout=1.0):
                            HUB.publish(note.payload)
            except psycopg.Error as exc:
                log.warning("live updates: %s; reconnecting", exc)
                self.stopping.wait(1.0)
