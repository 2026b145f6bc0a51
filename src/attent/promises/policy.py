"""How early a promise turns at risk, how much grace it gets, how soon a dropped contact is called back.

Each organisation may override these in `organisations.settings["promises"]`; the defaults are the
issue's: at most 5 minutes' warning for callbacks, an hour for everything else, 10 minutes for a
call-back. The warning scales with the promise: a quarter of its length, at least 5 minutes, never
more than half of it nor more than the organisation's window. A fixed hour made a 12-minute step
promise "at risk" the moment it was made; now every promise is on track when it is made.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from attent.promises.models import PromiseKind


@dataclass(frozen=True)
class PromisePolicy:
    """The timing rules of one organisation."""

    at_risk_before: dict[str, timedelta]
    grace: timedelta
    dropped_callback_within: timedelta
    tell_customer: bool

    def window(self, kind: PromiseKind) -> timedelta:
        """The organisation's longest warning for this kind of promise."""
        return self.at_risk_before.get(kind.value, self.at_risk_before["default"])

    def warning(self, kind: PromiseKind, length: timedelta) -> timedelta:
        """How long before its due time a promise of this kind, made `length` ahead, turns at risk."""
        scaled = max(length * WARNING_SHARE, MINIMUM_WARNING)
        return max(timedelta(0), min(self.window(kind), scaled, length * MOST_OF_LENGTH))


DEFAULT_MINUTES = {"callback": 5, "default": 60}
WARNING_SHARE = 0.25  # of the promise's length
MINIMUM_WARNING = timedelta(minutes=5)  # time enough for a colleague to step in
MOST_OF_LENGTH = 0.5  # a short promise is on track for at least its first half


def policy_of(settings: dict[str, Any]) -> PromisePolicy:
    """Read an organisation's settings, falling back to the defaults for anything not set."""
    own = settings.get("promises", {})
    minutes = {**DEFAULT_MINUTES, **own.get("at_risk_minutes", {})}
    return PromisePolicy(
        at_risk_before={kind: timedelta(minutes=m) for kind, m in minutes.items()},
        grace=timedelta(minutes=own.get("grace_minutes", 5)),
        dropped_callback_within=timedelta(minutes=own.get("dropped_callback_minutes", 10)),
        tell_customer=bool(own.get("tell_customer", False)),
    )
