"""The timeline events the e-mail channel writes (see `attent.timeline.kinds`)."""

from dataclasses import dataclass

from attent.timeline import Kind, Say, kind


@kind("mail.bounced")
@dataclass(frozen=True, kw_only=True)
class MailBounced(Kind):
    """The customer's mail server returned one of our messages: their address is bouncing, and the
    message (`message_id`, ours) did not reach them. `reason` is the server's own words."""

    address: str
    message_id: str | None = None
    status: str | None = None
    reason: str | None = None

    def detail(self, say: Say) -> str:
        return f"{self.address}: {self.reason or self.status or ''}".strip(": ")
