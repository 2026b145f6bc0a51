"""Messages to customers: rendered, queued in the outbox, delivered by the worker."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies,
# and the kinds of timeline events it writes.
from attent.channels.channel import Envelope, channels_from
from attent.channels.events import EmailThread, EmailThreadOf, ReplyBounced, ReplyDelivered, SmtpOf
from attent.channels.kinds import MessageFailed, MessageNotSent, MessageSent
from attent.channels.models import OutboundMessage
from attent.channels.smtp import SmtpSettings
from attent.channels.smtp import connect as connect_smtp

__all__ = [
    "EmailThread",
    "EmailThreadOf",
    "Envelope",
    "MessageFailed",
    "MessageNotSent",
    "MessageSent",
    "OutboundMessage",
    "ReplyBounced",
    "ReplyDelivered",
    "SmtpOf",
    "SmtpSettings",
    "channels_from",
    "connect_smtp",
]
