"""The timeline events the outbox writes: what the customer was told, or that telling them failed."""

from dataclasses import dataclass
from typing import Any

from attent.timeline import Kind, Say, kind


@dataclass(frozen=True, kw_only=True)
class Telling(Kind):
    """A message to the customer: which, on what channel, about what, from which template; `contact_id`
    is the agent's reply contact when it was a reply."""

    message_id: str
    channel: str
    subject: str
    template: str | None = None
    contact_id: str | None = None

    def detail(self, say: Say) -> str:
        return self.subject


@kind("message.sent", visible=True)
@dataclass(frozen=True, kw_only=True)
class MessageSent(Telling):
    """The mail server took the message: the customer was told."""


@kind("message.failed")
@dataclass(frozen=True, kw_only=True)
class MessageFailed(Telling):
    """The message could not be delivered, for good: `reason` in English, `said` its template and values
    for the reader's language."""

    reason: str = ""
    said: dict[str, Any] | None = None


@kind("message.not_sent")
@dataclass(frozen=True, kw_only=True)
class MessageNotSent(Kind):
    """Nothing was sent: we have no address for the customer on any channel."""

    template: str
    reason: str = "no_address"
    contact_id: str | None = None
