"""The state a brief is folded into, and the registry of reducers, one per timeline event kind."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from attent.briefs.schemas import (
    CurrentStep,
    DoneItem,
    GestureLine,
    Need,
    NextStep,
    OpenPromise,
    Question,
    Verified,
)
from attent.core.i18n import gettext
from attent.core.when import say_when
from attent.timeline import Kind, TimelineEvent


@dataclass
class Fold:
    """The state the reducers build up while reading the timeline in order."""

    language: str
    names: dict[uuid.UUID, str]
    now: datetime  # the reader's moment: due times are said relative to their today
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    need: Need | None = None
    description: str | None = None
    done: list[DoneItem] = field(default_factory=list)
    promises: dict[str, OpenPromise] = field(default_factory=dict)
    questions: list[Question] = field(default_factory=list)
    answered: dict[str, list[Question]] = field(default_factory=dict)  # by contact: what its agent answered
    next_step: NextStep | None = None
    contacts: int = 0
    dropped: int = 0
    last_outcome: str | None = None
    verified: Verified | None = None
    current_step: CurrentStep | None = None
    gestures: dict[str, GestureLine] = field(default_factory=dict)  # recovery: given, offered, pending

    def t(self, message: str, **values: object) -> str:
        """Translate into the reader's language."""
        return gettext(self.language, message, **values)

    def when(self, at: datetime) -> str:
        """A due time said the one way Attent says it, relative to the reader's today."""
        return say_when(at, now=self.now, timezone=self.tz.key, language=self.language)

    def pick(self, texts: object) -> str:
        """The reader's language from a {"nl": ..., "en": ...} value stored in an event."""
        if not isinstance(texts, dict):
            return ""
        return str(texts.get(self.language) or texts.get("nl") or "")

    def who(self, event: TimelineEvent) -> str:
        """The actor's display name."""
        if event.actor_id is not None:
            return self.names.get(event.actor_id, self.t("a former colleague"))
        return self.t("the customer") if event.actor_kind.value == "customer" else self.t("Attent")

    def did(self, event: TimelineEvent, summary: str) -> None:
        """Add a line to 'what has been done'."""
        self.done.append(
            DoneItem(
                at=event.at,
                kind=event.kind,
                actor_id=event.actor_id,
                actor_name=self.who(event),
                summary=summary,
            )
        )


Reducer = Callable[[Fold, TimelineEvent], None]
REDUCERS: dict[str, Reducer] = {}


def reduces(kind: type[Kind]) -> Callable[[Reducer], Reducer]:
    """Register how an event kind changes the brief."""

    def register(fn: Reducer) -> Reducer:
        REDUCERS[kind.name] = fn
        return fn

    return register
