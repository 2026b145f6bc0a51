"""Signals from other systems and the rules that act on them before the customer asks."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies,
# and the kinds of timeline events it writes.
from attent.signals.kinds import RuleFired, RuleHeld
from attent.signals.models import HookRejection, Rule, RuleFiring, RuleSet, Signal, SignalSource

__all__ = [
    "HookRejection",
    "Rule",
    "RuleFired",
    "RuleFiring",
    "RuleHeld",
    "RuleSet",
    "Signal",
    "SignalSource",
]
