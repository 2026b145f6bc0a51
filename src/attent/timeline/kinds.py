"""Typed timeline events: one definition per kind, used by its writer, the brief and the labels.

A kind is a frozen dataclass of its payload, registered under its name with `@kind("promise.kept",
visible=True)`: the name is written nowhere else. Its writer builds it (`PromiseKept(promise_id=…)`)
and hands it to `timeline.service`, which stores the name, the payload as JSON and whether the
customer sees it; the brief's reducers and the case page find kinds by their class, and read a
stored row back as its type with `Kind.of(event)`. How a kind reads in Dutch and English is its
name's entry in the catalogs (`label`), and, where a line says more, its `detail`.

Each domain defines the kinds it writes in its own `kinds.py`, imported by its package, so the
registry is complete once the domains are imported (attent.models imports them all).
"""

import dataclasses
import uuid
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar, Self, TypeVar

from attent.core.i18n import gettext
from attent.timeline.models import TimelineEvent


@dataclasses.dataclass(frozen=True)
class Say:
    """Saying things in the reader's language: `say("message {x}", x=…)`, and `say.language`."""

    language: str

    def __call__(self, message: str, **values: object) -> str:
        return gettext(self.language, message, **values)

    def pick(self, texts: object) -> str:
        """The reader's language from a stored {"nl": …, "en": …} value (Dutch when theirs is missing)."""
        if isinstance(texts, dict):
            return str(texts.get(self.language) or texts.get("nl") or "")
        return str(texts or "")


KINDS: dict[str, type["Kind"]] = {}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Kind:
    """The payload of one kind of timeline event; subclasses are frozen, keyword-only dataclasses."""

    name: ClassVar[str]
    visible: ClassVar[bool] = False
    # Stored key -> field name; a key may be a Python keyword (`from_: str = stored("from")`).
    _keys: ClassVar[dict[str, str]] = {}

    def customer_visible(self) -> bool:
        """Whether the customer sees this event (their page, the conversation as they had it)."""
        return self.visible

    def data(self) -> dict[str, Any]:
        """The payload as stored: JSON values (ids and times as text, enums as their values)."""
        return {key: _json(getattr(self, field)) for key, field in self._keys.items()}

    def heading(self, say: Say) -> str:
        """How the timeline line names the event: the kind's label (its name's catalog entry)."""
        return say(self.name)

    def detail(self, say: Say) -> str:
        """What the timeline line says besides its heading; nothing by default."""
        return ""

    def quote(self) -> str:
        """Words quoted on the line (a note's or a message's text); none by default."""
        text = getattr(self, "text", None)
        return text if isinstance(text, str) else ""

    def marks(self) -> str:
        """Extra CSS classes for the line (who spoke a message)."""
        return ""

    @classmethod
    def load(cls, data: dict[str, Any]) -> Self:
        """The payload from a stored row; fields it does not know are left out, missing ones default."""
        return cls(**{cls._keys[k]: v for k, v in data.items() if k in cls._keys})

    @classmethod
    def of(cls, event: TimelineEvent) -> Self:
        """A stored event of this kind, read back as its type."""
        assert event.kind == cls.name, f"{event.kind} is not {cls.name}"
        return cls.load(event.data)


K = TypeVar("K", bound=type[Kind])


def kind(name: str, *, visible: bool = False) -> Callable[[K], K]:
    """Register a payload class as the kind `name` (customer-visible or not)."""

    def register(cls: K) -> K:
        if name in KINDS and KINDS[name] is not cls:
            raise ValueError(f"timeline kind {name!r} is defined twice")
        cls.name, cls.visible = name, visible
        cls._keys = {f.metadata.get("key", f.name): f.name for f in dataclasses.fields(cls)}
        KINDS[name] = cls
        return cls

    return register


def stored(key: str, default: Any = None) -> Any:
    """A payload field stored under another key than its name (`from_: str = stored("from")`)."""
    return dataclasses.field(default=default, metadata={"key": key})


@dataclasses.dataclass(frozen=True)
class Line:
    """One stored event as the case page's timeline shows it, in the reader's language."""

    event: TimelineEvent
    heading: str
    detail: str
    quote: str
    marks: str  # CSS classes: the kind's name, "internal", and the kind's own


def line_of(event: TimelineEvent, say: Say) -> Line:
    """The timeline line of a stored event (a kind this version does not know reads by its name)."""
    found = KINDS.get(event.kind)
    own = event.kind.replace(".", "-") + ("" if event.customer_visible else " internal")
    if found is None:
        return Line(event, say(event.kind), "", "", own)
    payload = found.load(event.data)
    extra = payload.marks()
    return Line(
        event, payload.heading(say), payload.detail(say), payload.quote(), f"{own} {extra}" if extra else own
    )


def _json(value: Any) -> Any:
    if isinstance(value, uuid.UUID | datetime):
        return str(value) if isinstance(value, uuid.UUID) else value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
