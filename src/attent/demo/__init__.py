"""Demo data that tells Attent's story: a capsule-coffee shop and a holiday-villa host, in Dutch and English."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attent.coach.scoring import score_all_due
from attent.demo.coffee import load_coffee_shop
from attent.demo.common import PASSWORD, DemoResult
from attent.demo.insight import load_insight_history
from attent.demo.mail import load_mail
from attent.demo.recovery import load_recovery
from attent.demo.story import (
    DemoLogins,
    Opened,
    demo_logins,
    demo_organisations,
    is_current,
    loaded_at,
    mark_loaded,
    remove_demo,
)
from attent.demo.villa import load_villa
from attent.organisations import Organisation

__all__ = ["PASSWORD", "DemoOpened", "DemoResult", "Opened", "is_empty", "load_demo", "open_demo"]


def is_empty(db: Session) -> bool:
    """Whether there is no organisation yet (demo data loads only into an empty database)."""
    return (db.scalar(select(func.count()).select_from(Organisation)) or 0) == 0


def load_demo(*, db: Session, now: datetime, secret_key: str | None = None) -> DemoResult:
    """Load both demo organisations, marked as demo data loaded at `now`; the caller commits.

    With `secret_key` the API token is derived from it (`attent.demo.story.demo_token`), so that it can be
    printed again later; without, it is random."""
    result = DemoResult()
    load_coffee_shop(db, now, result, secret_key)
    load_villa(db, now, result)
    load_recovery(db, now)
    load_insight_history(db, now)
    load_mail(db, now, secret_key)
    score_all_due(db=db, now=now)  # what the worker would do next: score the ended contacts
    for org in demo_organisations(db):
        mark_loaded(org, now)
    db.flush()
    return result


@dataclass
class DemoOpened:
    """What `open_demo` did, who can sign in and with which token, and when the replaced demo was loaded."""

    opened: Opened | None  # None: not loaded, the database holds other data
    logins: DemoLogins
    was_loaded_at: datetime | None = None


def open_demo(
    *, db: Session, now: datetime, secret_key: str, show_only: bool = False, force: bool = False
) -> DemoOpened:
    """Make the demo tell its story as of `now`: load it, load it again when it is too old, or keep it.

    `show_only` changes nothing and only reads the logins; `force` loads the demo beside other data."""
    organisations = demo_organisations(db)
    if show_only or (organisations and is_current(organisations, now)):
        opened = Opened.SHOWN if show_only else Opened.CURRENT
        return DemoOpened(opened, demo_logins(db, organisations, secret_key), loaded_at(organisations))
    if organisations:
        was = loaded_at(organisations)
        remove_demo(db, organisations)
        load_demo(db=db, now=now, secret_key=secret_key)
        return DemoOpened(Opened.RELOADED, demo_logins(db, demo_organisations(db), secret_key), was)
    if not is_empty(db) and not force:
        return DemoOpened(None, DemoLogins())
    load_demo(db=db, now=now, secret_key=secret_key)
    return DemoOpened(Opened.LOADED, demo_logins(db, demo_organisations(db), secret_key))
