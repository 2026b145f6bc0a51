"""The timeline events rules write: a rule fired on a signal (and what it did), or held back."""

from dataclasses import dataclass, field
from typing import Any

from attent.timeline import Kind, kind


@dataclass(frozen=True, kw_only=True)
class RuleEvent(Kind):
    """A rule met a signal of the customer's."""

    rule_id: str
    rule_key: str
    rule_name: str
    signal_id: str
    signal_type: str


@kind("rule.fired")
@dataclass(frozen=True, kw_only=True)
class RuleFired(RuleEvent):
    """The rule acted: what each of its actions did."""

    actions: list[Any] = field(default_factory=list)


@kind("rule.held")
@dataclass(frozen=True, kw_only=True)
class RuleHeld(RuleEvent):
    """The rule matched but held back: why (frequency cap, quiet hours) and until when."""

    reason: str | None = None
    until: str | None = None
