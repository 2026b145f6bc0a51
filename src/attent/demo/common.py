"""What both demo organisations share."""

from dataclasses import dataclass, field
from datetime import datetime

from attent.contacts import MessageIn, Speaker

PASSWORD = "attent-demo"


@dataclass
class DemoResult:
    """What `attent demo` prints: who can sign in, and a token for the API."""

    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # organisation, e-mail, name, role
    token: str = ""


def say(speaker: Speaker, text: str, at: datetime) -> MessageIn:
    """One line of a demo transcript."""
    return MessageIn(speaker=speaker, text=text, at=at)
