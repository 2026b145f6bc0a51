"""Opening the demo: its story is told relative to now, however long ago it was loaded.

The story is a moment: the line dropped three minutes ago and the call-back is due in seven, a parcel
promised within the hour is at risk, the return label promised for yesterday is broken. A day later every
one of those times has passed and the worker has moved the promises on. Shifting the stored times
forward would not bring that moment back: the transcripts and promises say clock times in words
("vóór 15:20", "morgen vóór 17:00"), timeline events carry times in their data, and the worker's own
changes (a call-back broken, a lead notified) would stay. So a demo older than `FRESH_FOR` is loaded
again: its organisations are removed, every row of them, and loaded at now, in one transaction.
Changes made inside the demo organisations go with them; other organisations are never touched. A demo
organisation is one marked so when it was loaded (`settings["demo"]`), or, loaded before that mark
existed, one with a demo slug and its demo admin.

The demo's API token is derived from the secret key and the organisation (HMAC), so a second
`attent demo` can print it again although only its hash is stored.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from attent.agents import Agent, ApiToken, Role
from attent.core.security import TOKEN_PREFIX, token_hash
from attent.models import Base  # every table, so that removing an organisation misses none
from attent.organisations import Organisation

SETTINGS_KEY = "demo"
# The call-back for the dropped call falls due 7 minutes after loading and turns at risk 5 minutes before
# that: past this age the story no longer reads as the README tells it.
FRESH_FOR = timedelta(minutes=2)
DEMO_ADMINS = {"kopje-koffie": "sanne@kopjekoffie.example", "villa-oleander": "andreas@villaoleander.example"}
TOKEN_OWNER = "kopje-koffie"  # the token printed is Sanne's, the coffee shop's admin
ROLE_ORDER = {Role.ADMIN: 0, Role.LEAD: 1, Role.AGENT: 2}


class Opened(StrEnum):
    """What opening the demo did."""

    LOADED = "loaded"  # there was none: loaded now
    RELOADED = "reloaded"  # there was one, too old for its story: loaded again now
    CURRENT = "current"  # there is one and its story still holds: nothing changed
    SHOWN = "shown"  # only its logins were asked for


@dataclass
class DemoLogins:
    """Who can sign in to the demo, and the API token to try."""

    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # organisation, e-mail, name, role
    token: str | None = None  # None: the demo token was revoked, or the secret key changed since loading


def demo_token(secret_key: str, organisation: Organisation) -> str:
    """The demo organisation's API token, the same every time it is asked for (until the demo is reloaded)."""
    digest = hmac.new(secret_key.encode(), b"attent-demo-token:" + organisation.id.bytes, hashlib.sha256)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def mark_loaded(organisation: Organisation, at: datetime) -> None:
    """Mark an organisation as demo data loaded at `at` (the only organisations a reload may remove)."""
    organisation.settings = {**organisation.settings, SETTINGS_KEY: {"loaded_at": at.isoformat()}}


def demo_organisations(db: Session) -> list[Organisation]:
    """The demo's organisations in this database, in the order they were loaded."""
    found = []
    demo_slugs = select(Organisation).where(Organisation.slug.in_(DEMO_ADMINS)).order_by(Organisation.id)
    for org in db.scalars(demo_slugs):
        if SETTINGS_KEY in org.settings:
            found.append(org)
        elif db.scalar(
            select(Agent.id).where(Agent.organisation_id == org.id, Agent.email == DEMO_ADMINS[org.slug])
        ):
            found.append(org)  # loaded before demo organisations were marked
    return found


def loaded_at(organisations: list[Organisation]) -> datetime | None:
    """When the demo was loaded (None: not known, as for a demo loaded before it was marked)."""
    times = [org.settings.get(SETTINGS_KEY, {}).get("loaded_at") for org in organisations]
    if not times or None in times:
        return None
    return min(datetime.fromisoformat(t) for t in times)


def is_current(organisations: list[Organisation], now: datetime) -> bool:
    """Whether the demo's story still reads as told: all of it there, loaded less than FRESH_FOR ago."""
    at = loaded_at(organisations)
    complete = {org.slug for org in organisations} >= set(DEMO_ADMINS)
    return complete and at is not None and timedelta(0) <= now - at < FRESH_FOR


def remove_demo(db: Session, organisations: list[Organisation]) -> None:
    """Delete every row of these organisations, children before parents (the caller's transaction)."""
    ids = [org.id for org in organisations]
    for table in reversed(Base.metadata.sorted_tables):
        if "organisation_id" in table.c:
            db.execute(delete(table).where(table.c.organisation_id.in_(ids)))
    db.execute(delete(Organisation).where(Organisation.id.in_(ids)))
    db.expunge_all()  # the deleted rows' objects must not be flushed or read again


def demo_logins(db: Session, organisations: list[Organisation], secret_key: str) -> DemoLogins:
    """The demo's active agents (admins, leads, agents) and its API token, if it is still valid."""
    result = DemoLogins()
    for org in organisations:
        agents = db.scalars(select(Agent).where(Agent.organisation_id == org.id, Agent.active.is_(True)))
        for agent in sorted(agents, key=lambda a: (ROLE_ORDER[a.role], a.id)):
            result.logins.append((org.name, agent.email, agent.name, agent.role.value))
        if org.slug == TOKEN_OWNER:
            token = demo_token(secret_key, org)
            valid = db.scalar(
                select(ApiToken.id).where(
                    ApiToken.organisation_id == org.id,
                    ApiToken.token_hash == token_hash(token),
                    ApiToken.revoked_at.is_(None),
                )
            )
            result.token = token if valid else None
    return result
