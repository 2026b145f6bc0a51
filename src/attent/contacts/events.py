"""What happens to contacts that domains above this one react to (the promise keeper, the coach).

Published by `contacts.service` in the transaction that records the contact; `attent.wiring` says who
reacts. Each event carries the rows the reaction needs, already loaded.
"""

from dataclasses import dataclass
from datetime import datetime

from attent.agents import Agent
from attent.cases import Case
from attent.contacts.models import Contact


@dataclass(frozen=True)
class ContactReachedCustomer:
    """A call or chat reached the customer (not dropped; an outbound call once it ended): call-backs
    it fulfils are kept."""

    case: Case
    contact: Contact
    actor: Agent | None  # None: reported by the telephone system for an agent it could not name
    at: datetime


@dataclass(frozen=True)
class ContactDropped:
    """A live call or chat dropped: the customer is owed a call-back, by the agent who had them."""

    case: Case
    contact: Contact
    agent: Agent | None
    dropped_at: datetime
    at: datetime


@dataclass(frozen=True)
class AgentAnswered:
    """An agent's words reached the customer (said on the phone or in a chat, or sent by another
    system; an e-mail only once the outbox sent it): the follow-ups promised before are kept."""

    case: Case
    actor: Agent
    at: datetime


@dataclass(frozen=True)
class ContactFinished:
    """A running contact ended with its outcome: the coach scores it."""

    contact: Contact
    at: datetime


@dataclass(frozen=True)
class MessagesAdded:
    """Messages were added to a contact (a transcript logged after the call): scored again if ended."""

    contact: Contact
    at: datetime
