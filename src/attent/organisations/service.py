"""Creating and reading organisations (tenants)."""

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.core.errors import Conflict, FieldError, Invalid, NotFound
from attent.organisations.hours import opening_hours as opening_hours  # the door to business hours
from attent.organisations.hours import public_holiday as public_holiday
from attent.organisations.models import Organisation

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


def create_organisation(
    *,
    db: Session,
    slug: str,
    name: str,
    at: datetime,
    timezone: str = "Europe/Amsterdam",
    language: str = "nl",
) -> Organisation:
    """Create a tenant; the slug is how people name it in the CLI."""
    errors = []
    if not SLUG.match(slug):
        errors.append(FieldError(("slug",), "Use 3-60 lowercase letters, digits and hyphens."))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(FieldError(("timezone",), "Unknown time zone “{zone}”.", {"zone": timezone}))
    if language not in ("nl", "en"):
        errors.append(FieldError(("language",), "Language must be 'nl' or 'en'."))
    if errors:
        raise Invalid("invalid_organisation", "The organisation cannot be created as given.", errors)
    if db.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise Conflict("organisation_exists", "An organisation with slug “{slug}” already exists.", slug=slug)
    org = Organisation(slug=slug, name=name, timezone=timezone, language=language, created_at=at)
    db.add(org)
    db.flush()
    return org


def get_organisation(*, db: Session, organisation_id: uuid.UUID) -> Organisation:
    """The organisation with this id."""
    org = db.get(Organisation, organisation_id)
    if org is None:
        raise NotFound.of("organisation", organisation_id)
    return org


def find_organisation(*, db: Session, slug: str) -> Organisation:
    """The organisation with this slug."""
    org = db.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound("organisation_not_found", "No organisation with slug “{slug}” exists.", slug=slug)
    return org
