"""Contacts (one interaction on a channel) and their messages."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies,
# and the kinds of timeline events it writes.
from attent.contacts.events import (
    AgentAnswered,
    ContactDropped,
    ContactFinished,
    ContactReachedCustomer,
    MessagesAdded,
)
from attent.contacts.kinds import ContactEnded, ContactLogged, MessageAdded
from attent.contacts.models import Channel, Contact, Direction, Message, Outcome, Speaker
from attent.contacts.schemas import ContactCreate, MessageIn

__all__ = [
    "AgentAnswered",
    "Channel",
    "Contact",
    "ContactCreate",
    "ContactDropped",
    "ContactEnded",
    "ContactFinished",
    "ContactLogged",
    "ContactReachedCustomer",
    "Direction",
    "Message",
    "MessageAdded",
    "MessageIn",
    "MessagesAdded",
    "Outcome",
    "Speaker",
]
