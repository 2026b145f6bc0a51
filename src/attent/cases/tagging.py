"""Tags: the organisation's managed list of labels, and the tags on each case.

Tags are free: any agent who may work a case can put a tag on it, and a name not yet on the list joins
it. The list is managed: leads and admins rename and delete tags, so "retour", "Retour " and "RETOUR"
are one tag (names are stored trimmed, single-spaced and lower case).
"""

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import require_role
from attent.cases.kinds import CaseTagged, CaseUntagged
from attent.cases.models import Case, CaseTag, Tag
from attent.core.errors import Conflict, FieldError, Invalid, NotFound
from attent.timeline.service import record_case_event

TAG_MAX = 40
_SPACES = re.compile(r"\s+")


def tag_name(name: str, *, field: str = "name") -> str:
    """A tag's name as stored: trimmed, single-spaced, lower case; empty or too long is a 422."""
    clean = _SPACES.sub(" ", name).strip().lower()
    if not clean:
        raise Invalid("invalid_tag", "A tag needs a name.", [FieldError((field,), "Empty.")])
    if len(clean) > TAG_MAX:
        raise Invalid(
            "invalid_tag",
            "A tag has at most {n} characters.",
            [FieldError((field,), "A tag has at most {n} characters.", {"n": TAG_MAX})],
            n=TAG_MAX,
        )
    return clean


def list_tags(*, db: Session, actor: Agent) -> list[tuple[Tag, int]]:
    """The organisation's tags by name, each with the number of cases that carry it."""
    used = (
        select(CaseTag.tag_id, func.count().label("n"))
        .where(CaseTag.organisation_id == actor.organisation_id)
        .group_by(CaseTag.tag_id)
        .subquery()
    )
    rows = db.execute(
        select(Tag, func.coalesce(used.c.n, 0))
        .outerjoin(used, used.c.tag_id == Tag.id)
        .where(Tag.organisation_id == actor.organisation_id)
        .order_by(Tag.name)
    )
    return [(tag, int(n)) for tag, n in rows]


def find_tag(*, db: Session, organisation_id: uuid.UUID, name: str) -> Tag | None:
    """The tag of this name (as stored: see `tag_name`), if the organisation has one."""
    found: Tag | None = db.scalar(select(Tag).where(Tag.organisation_id == organisation_id, Tag.name == name))
    return found


def get_tag(*, db: Session, actor: Agent, tag_id: uuid.UUID) -> Tag:
    """One tag of the actor's organisation."""
    tag = db.get(Tag, (actor.organisation_id, tag_id))
    if tag is None:
        raise NotFound.of("tag", tag_id)
    return tag


def create_tag(*, db: Session, actor: Agent, name: str, at: datetime) -> Tag:
    """A new tag on the list; leads and admins only (agents add tags by tagging a case)."""
    require_role(actor, Role.LEAD)
    clean = tag_name(name)
    if find_tag(db=db, organisation_id=actor.organisation_id, name=clean) is not None:
        raise Conflict("tag_exists", "A tag named “{name}” already exists.", name=clean)
    return _new_tag(db, actor.organisation_id, clean, at)


def _new_tag(db: Session, organisation_id: uuid.UUID, name: str, at: datetime) -> Tag:
    tag = Tag(organisation_id=organisation_id, name=name, created_at=at)
    db.add(tag)
    db.flush()
    return tag


def rename_tag(*, db: Session, actor: Agent, tag_id: uuid.UUID, name: str) -> Tag:
    """Rename a tag everywhere it is used; leads and admins only."""
    require_role(actor, Role.LEAD)
    tag = get_tag(db=db, actor=actor, tag_id=tag_id)
    clean = tag_name(name)
    other = find_tag(db=db, organisation_id=actor.organisation_id, name=clean)
    if other is not None and other.id != tag.id:
        raise Conflict("tag_exists", "A tag named “{name}” already exists.", name=clean)
    tag.name = clean
    db.flush()
    return tag


def delete_tag(*, db: Session, actor: Agent, tag_id: uuid.UUID) -> None:
    """Take a tag off the list and off every case; leads and admins only (the timelines keep the record)."""
    require_role(actor, Role.LEAD)
    tag = get_tag(db=db, actor=actor, tag_id=tag_id)
    db.execute(
        delete(CaseTag).where(CaseTag.organisation_id == tag.organisation_id, CaseTag.tag_id == tag.id)
    )
    db.delete(tag)
    db.flush()


def tag_for(*, db: Session, actor: Agent, name: str, at: datetime, field: str = "name") -> Tag:
    """The tag of this name, put on the list first if it is new (tags are free)."""
    clean = tag_name(name, field=field)
    found = find_tag(db=db, organisation_id=actor.organisation_id, name=clean)
    return found if found is not None else _new_tag(db, actor.organisation_id, clean, at)


def put_tag(*, db: Session, actor: Agent, case: Case, tag: Tag, at: datetime) -> bool:
    """Put a tag on a case the caller checked the actor may work; False when it was there already."""
    if db.get(CaseTag, (case.organisation_id, case.id, tag.id)) is not None:
        return False
    db.add(CaseTag(organisation_id=case.organisation_id, case_id=case.id, tag_id=tag.id, added_at=at))
    record_case_event(db=db, case=case, event=CaseTagged(tag=tag.name), at=at, actor=actor)
    case.updated_at = at
    return True


def take_tag(*, db: Session, actor: Agent, case: Case, tag: Tag, at: datetime) -> bool:
    """Take a tag off a case the caller checked the actor may work; False when it was not there."""
    link = db.get(CaseTag, (case.organisation_id, case.id, tag.id))
    if link is None:
        return False
    db.delete(link)
    record_case_event(db=db, case=case, event=CaseUntagged(tag=tag.name), at=at, actor=actor)
    case.updated_at = at
    return True


def tags_of(
    *, db: Session, organisation_id: uuid.UUID, case_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[Tag]]:
    """Each case's tags by name, for many cases in one query."""
    ids = list(case_ids)
    found: dict[uuid.UUID, list[Tag]] = defaultdict(list)
    if not ids:
        return found
    rows = db.execute(
        select(CaseTag.case_id, Tag)
        .join(Tag, (Tag.organisation_id == CaseTag.organisation_id) & (Tag.id == CaseTag.tag_id))
        .where(CaseTag.organisation_id == organisation_id, CaseTag.case_id.in_(ids))
        .order_by(Tag.name)
    )
    for case_id, tag in rows:
        found[case_id].append(tag)
    return found


def tagged(organisation_id: uuid.UUID, names: Sequence[str]) -> Select[uuid.UUID]:
    """The ids of the organisation's cases carrying any of these tags (by name), for `Case.id.in_(...)`."""
    return (
        select(CaseTag.case_id)
        .join(Tag, (Tag.organisation_id == CaseTag.organisation_id) & (Tag.id == CaseTag.tag_id))
        .where(CaseTag.organisation_id == organisation_id, Tag.name.in_([n.strip().lower() for n in names]))
    )
