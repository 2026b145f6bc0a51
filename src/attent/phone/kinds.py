"""The timeline events the phone line writes (see `attent.timeline.kinds`)."""

from dataclasses import dataclass

from attent.timeline import Kind, Say, kind


@kind("call.answered", visible=True)
@dataclass(frozen=True, kw_only=True)
class CallAnswered(Kind):
    """The telephone system put the caller through to an agent (by name when we know the agent)."""

    contact_id: str
    agent_id: str | None = None
    agent_name: str | None = None

    def detail(self, say: Say) -> str:
        return self.agent_name or ""


@kind("call.transferred", visible=True)
@dataclass(frozen=True, kw_only=True)
class CallTransferred(Kind):
    """The call went on to another agent or number."""

    contact_id: str
    to: str
    agent_id: str | None = None
    agent_name: str | None = None

    def detail(self, say: Say) -> str:
        return self.agent_name or self.to


@kind("call.abandoned")
@dataclass(frozen=True, kw_only=True)
class CallAbandoned(Kind):
    """The caller hung up while waiting in the queue, after `waited` seconds (a call-back when long)."""

    contact_id: str
    waited: int
    queue: str | None = None

    def detail(self, say: Say) -> str:
        return f"{self.waited} s"
