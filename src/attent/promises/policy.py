"""How early a promise turns at risk, how much grace it gets, how soon a dropped contact is called back.

Each organisation may override these in `organisations.settings["promises"]`; the defaults are the
issue's: 5 minutes' warning for callbacks, an hour for everything else, 10 minutes for a call-back.
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

    def warning(self, kind: PromiseKind) -> timedelta:
        """How long before the due time a promise of this kind turns at risk."""
        return self.at_risk_before.get(kind.value, self.at_risk_before["default"])


DEFAULT_MINUTES = {"callback": 5, "default": 60}


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
