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

# Contacts no signed-in agent writes (a call the telephone system reports, a customer's own message): the
# domain's door for them, beside `service`.
from attent.contacts.reported import (
    add_call_transcript,
    finish_call,
    hand_call_to,
    open_call,
    record_customer_message,
)
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
    "add_call_transcript",
    "finish_call",
    "hand_call_to",
    "open_call",
    "record_customer_message",
]
