"""The timeline events the contacts domain writes (see `attent.timeline.kinds`)."""

from dataclasses import dataclass

from attent.timeline import Kind, Say, kind


@kind("contact.logged", visible=True)
@dataclass(frozen=True, kw_only=True)
class ContactLogged(Kind):
    """An interaction on a channel, with whom and, once known, how it ended."""

    contact_id: str
    channel: str
    direction: str
    agent_id: str | None = None
    agent_name: str | None = None
    outcome: str | None = None
    ended_at: str | None = None

    def detail(self, say: Say) -> str:
        said = f"{say(self.channel)}, {say(self.direction)}"
        return f"{said}: {say(self.outcome)}" if self.outcome else said


@kind("contact.ended", visible=True)
@dataclass(frozen=True, kw_only=True)
class ContactEnded(Kind):
    """A running contact ended, with its outcome."""

    contact_id: str
    outcome: str
    channel: str

    def detail(self, say: Say) -> str:
        return f"{say(self.channel)}: {say(self.outcome)}"


@kind("message.added", visible=True)
@dataclass(frozen=True, kw_only=True)
class MessageAdded(Kind):
    """One turn of a conversation: who said it and what; the customer sees theirs and ours, not the
    system's."""

    contact_id: str
    message_id: str
    speaker: str
    text: str

    def customer_visible(self) -> bool:
        return self.speaker != "system"

    def heading(self, say: Say) -> str:
        return say(self.speaker)

    def marks(self) -> str:
        return f"speaker-{self.speaker}"
