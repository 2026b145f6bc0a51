"""Domain events: a lower domain says what happened, and the higher domains that care react.

A domain that must let a higher one react (a contact ended: the coach scores it, the promise keeper
keeps a call-back) cannot call it without an arrow pointing up. Instead it publishes a named event
in its own transaction, and `attent.wiring` — the one module that knows every domain — subscribes
the reactions. Subscribers run at once, in the publisher's transaction, in the order they were
subscribed: all of it commits or none of it does. What must leave the process goes through the
outbox, as everywhere.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

E = TypeVar("E")
Handler = Callable[[Session, Any], object]
_SUBSCRIBERS: dict[type, list[Handler]] = defaultdict(list)
_wired = False


def subscribe(event_type: type[E], handler: Callable[[Session, E], object]) -> None:
    """Call `handler(db, event)` whenever an event of this type is published."""
    if handler not in _SUBSCRIBERS[event_type]:
        _SUBSCRIBERS[event_type].append(handler)


def wired() -> None:
    """Declare the subscriptions complete (`attent.wiring` calls this once)."""
    global _wired
    _wired = True


def publish(db: Session, event: object) -> None:
    """Run every subscriber of the event's type, in the caller's transaction."""
    if not _wired:
        raise RuntimeError("domain events published before attent.wiring subscribed their reactions")
    for handler in _SUBSCRIBERS.get(type(event), ()):
        handler(db, event)


Q = TypeVar("Q")
R = TypeVar("R")
_ANSWERERS: dict[type, Callable[[Session, Any], Any]] = {}


def answer(question_type: type[Q], handler: Callable[[Session, Q], Any]) -> None:
    """Let `handler(db, question)` answer questions of this type (one answerer per type)."""
    _ANSWERERS[question_type] = handler


def ask(db: Session, question: object) -> Any:
    """A lower domain's question that a higher one answers (which customer details verification hides),
    wired like a subscription; the caller types the answer."""
    if not _wired:
        raise RuntimeError("a question asked before attent.wiring named who answers it")
    return _ANSWERERS[type(question)](db, question)
