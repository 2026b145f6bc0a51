"""Rate limits on the API, per token and per organisation, so one integration cannot starve the others.

Fixed one-minute windows counted in the memory of each web process: a check is a dictionary lookup
under a lock, with no write to the database on every request. With `attent serve --workers N` each
process counts for itself, so the effective limit is up to N times the setting (documented). Web
pages (session cookies) are not limited here: a person clicking is not a flood, and sign-in has its
own throttle.
"""

import threading
import uuid
from datetime import datetime, timedelta

from attent.core.errors import RateLimited

WINDOW = timedelta(minutes=1)


class ApiLimits:
    """Counts requests per token and per organisation in the current minute."""

    def __init__(self, *, per_token: int, per_organisation: int) -> None:
        self.per_token, self.per_organisation = per_token, per_organisation
        self._lock = threading.Lock()
        self._window: int | None = None
        self._counts: dict[uuid.UUID, int] = {}

    def hit(self, *, token_id: uuid.UUID, organisation_id: uuid.UUID, at: datetime) -> None:
        """Count one request, or refuse it (429, with when to try again) when either limit is used up."""
        minute = int(at.timestamp() // 60)
        with self._lock:
            if minute != self._window:
                self._window, self._counts = minute, {}
            token, org = self._counts.get(token_id, 0), self._counts.get(organisation_id, 0)
            over = token >= self.per_token or org >= self.per_organisation
            if not over:
                self._counts[token_id], self._counts[organisation_id] = token + 1, org + 1
        if over:
            retry_at = datetime.fromtimestamp((minute + 1) * 60, tz=at.tzinfo)
            raise RateLimited(
                "api_rate_limited",
                "Too many requests for this token or organisation; try again in {seconds} s.",
                retry_at=retry_at,
                seconds=max(1, int((retry_at - at).total_seconds() + 0.999)),
            )
