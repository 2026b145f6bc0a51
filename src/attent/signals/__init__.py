"""Signals from other systems and the rules that act on them before the customer asks."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies,
# and the kinds of timeline events it writes.
from attent.signals.kinds import RuleFired, RuleHeld
from attent.signals.models import HookRejection, Rule, RuleFiring, RuleSet, Signal, SignalSource

# How webhooks are signed, refused and recorded, for the other hook addresses (the phone line's).
from attent.signals.sources import (
    SIGNATURE_HEADER,
    HookRejected,
    check_signature,
    hook_secret,
    record_rejection,
)

__all__ = [
    "SIGNATURE_HEADER",
    "HookRejected",
    "HookRejection",
    "Rule",
    "RuleFired",
    "RuleFiring",
    "RuleHeld",
    "RuleSet",
    "Signal",
    "SignalSource",
    "check_signature",
    "hook_secret",
    "record_rejection",
]
