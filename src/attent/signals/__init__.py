"""Signals from other systems and the rules that act on them before the customer asks."""

# What other domains may use besides `service`: the vocabulary of this domain's rows and bodies.
from attent.signals.models import HookRejection, Rule, RuleFiring, RuleSet, Signal, SignalSource

__all__ = ["HookRejection", "Rule", "RuleFiring", "RuleSet", "Signal", "SignalSource"]
