"""Contacts (one interaction on a channel) and their messages."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies.
from attent.contacts.models import Channel, Contact, Direction, Message, Outcome, Speaker
from attent.contacts.schemas import ContactCreate, MessageIn

__all__ = ["Channel", "Contact", "ContactCreate", "Direction", "Message", "MessageIn", "Outcome", "Speaker"]
