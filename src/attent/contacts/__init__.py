"""Contacts (one interaction on a channel) and their messages."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies.
from attent.contacts.events import (
    AgentAnswered,
    ContactDropped,
    ContactEnded,
    ContactReachedCustomer,
    MessagesAdded,
)
from attent.contacts.models import Channel, Contact, Direction, Message, Outcome, Speaker
from attent.contacts.schemas import ContactCreate, MessageIn

__all__ = [
    "AgentAnswered",
    "Channel",
    "Contact",
    "ContactCreate",
    "ContactDropped",
    "ContactEnded",
    "ContactReachedCustomer",
    "Direction",
    "Message",
    "MessageIn",
    "MessagesAdded",
    "Outcome",
    "Speaker",
]
