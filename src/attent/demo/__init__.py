"""Demo data that tells Attent's story: a capsule-coffee shop and a holiday-villa host, in Dutch and English."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attent.coach.scoring import score_all_due
from attent.demo.coffee import load_coffee_shop
from attent.demo.common import PASSWORD, DemoResult
from attent.demo.recovery import load_recovery
from attent.demo.villa import load_villa
from attent.organisations.models import Organisation

__all__ = ["PASSWORD", "DemoResult", "is_empty", "load_demo"]


def is_empty(db: Session) -> bool:
    """Whether there is no organisation yet (demo data loads only into an empty database)."""
    return (db.scalar(select(func.count()).select_from(Organisation)) or 0) == 0


def load_demo(*, db: Session, now: datetime) -> DemoResult:
    """Load both demo organisations; the caller commits."""
    result = DemoResult()
    load_coffee_shop(db, now, result)
    load_villa(db, now, result)
    load_recovery(db, now)
    score_all_due(db=db, now=now)  # what the worker would do next: score the ended contacts
    return result
