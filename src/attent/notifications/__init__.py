"""Notifications to agents and leads (a promise at risk, a gesture to approve)."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies.
from attent.notifications.models import Notification

__all__ = ["Notification"]
