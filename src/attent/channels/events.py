"""What the outbox tells the domains above it, which `attent.wiring` subscribes to."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ReplyDelivered:
    """An agent's e-mail reply was accepted by the mail server: it reached the customer at `at`, and the
    case's follow-ups open when it was written are answered (the promise keeper keeps them)."""

    organisation_id: uuid.UUID
    case_id: uuid.UUID
    agent_id: uuid.UUID | None
    written_at: datetime
    at: datetime


@dataclass(frozen=True)
class ReplyBounced:
    """An agent's e-mail reply that the outbox recorded sent (at `sent_at`, keeping the follow-ups it
    answered) came back undeliverable: the customer was not reached after all."""

    organisation_id: uuid.UUID
    case_id: uuid.UUID
    sent_at: datetime
    reason: str
    at: datetime


@dataclass(frozen=True)
class EmailThreadOf:
    """A question, answered by the mailboxes domain: how an e-mail about this case should be written so
    it threads in the customer's mail program (`EmailThread`), or None when the case has no mailbox."""

    organisation_id: uuid.UUID
    case_id: uuid.UUID


@dataclass(frozen=True)
class EmailThread:
    """The sender address and name, the case reference for the subject (`K-1042`), the ids the message
    answers (In-Reply-To, References) and the customer's last message to quote under a reply."""

    from_address: str | None
    from_name: str | None
    reference: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    quote: str | None = None
    quote_from: str | None = None
    quote_at: datetime | None = None


@dataclass(frozen=True)
class SmtpOf:
    """A question, answered by the mailboxes domain when the outbox sends: the SMTP server (its password
    opened with `secret_key`) that mail from `from_address` leaves through, or None for the server's own
    (`ATTENT_SMTP_*`): the address is no mailbox of the organisation, or the mailbox has no SMTP."""

    organisation_id: uuid.UUID
    from_address: str
    secret_key: str = field(repr=False)
