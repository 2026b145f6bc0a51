"""The case queue ("Zaken"): every visible case, filtered, sorted and paged the way the agent asks.

One set of filters serves the page, the saved views and `GET /api/v1/cases`: status, team, owner
(someone, me, or nobody), type, priority, tag, channel, promise state (at risk, broken, due today) and
"the customer has waited longer than". Read-only; the filters read promises, contacts and messages
the same way My work does, so the numbers agree.
"""

import enum
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, Uuid, and_, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.agents.service import list_teams
from attent.cases import Case, CaseStatus, Priority
from attent.cases.service import tag_name, tagged, tags_of, visible_to
from attent.contacts import Channel, Contact
from attent.core.db import UTCDateTime
from attent.core.errors import FieldError, Invalid
from attent.core.pagination import EPOCH, MAX_LIMIT, Key, decode_cursor, encode_cursor, page_rows
from attent.customers import Customer
from attent.promises import Promise, PromiseState
from attent.workspace.service import RECENTLY_BROKEN, agent_names, case_customer


class PromiseFilter(enum.StrEnum):
    """Cases with an open promise in this state."""

    AT_RISK = "at_risk"
    BROKEN = "broken"
    DUE_TODAY = "due_today"


class Sort(enum.StrEnum):
    """The queue's orders."""

    PROMISE_DUE = "promise_due"  # the soonest open promise first
    WAITING = "waiting"  # the customer waiting longest first
    ACTIVITY = "activity"  # the case touched most recently first
    CREATED = "created"  # the newest case first


NOBODY, ME = "nobody", "me"


@dataclass(frozen=True)
class QueueFilters:
    """What the agent asked the queue for; empty means 'any'."""

    status: tuple[CaseStatus, ...] = ()
    team_id: uuid.UUID | None = None
    owner: str | None = None  # an agent's id, "me" or "nobody"
    type: str | None = None
    priority: tuple[Priority, ...] = ()
    tag: tuple[str, ...] = ()
    channel: Channel | None = None
    promise: PromiseFilter | None = None
    waiting_over: int | None = None  # minutes
    customer_id: uuid.UUID | None = None
    sort: Sort = Sort.PROMISE_DUE

    def params(self) -> dict[str, Any]:
        """The filters as query parameters (what a saved view stores, and the page's links carry)."""
        found: dict[str, Any] = {
            "status": [s.value for s in self.status],
            "team": str(self.team_id) if self.team_id else None,
            "owner": self.owner,
            "type": self.type,
            "priority": [p.value for p in self.priority],
            "tag": list(self.tag),
            "channel": self.channel.value if self.channel else None,
            "promise": self.promise.value if self.promise else None,
            "waiting_over": self.waiting_over,
            "customer": str(self.customer_id) if self.customer_id else None,
            "sort": self.sort.value,
        }
        return {k: v for k, v in found.items() if v not in (None, [], "")}

    def is_empty(self) -> bool:
        """Whether nothing narrows the queue (the sort aside)."""
        return not (self.params().keys() - {"sort"})


# The API's older names for three of them (`GET /api/v1/cases?team_id=…&owner_id=…&customer_id=…`).
ALIASES = {"team_id": "team", "owner_id": "owner", "customer_id": "customer"}


def _one(values: Mapping[str, Sequence[str]], name: str) -> str:
    found = [v for v in values.get(name, ()) if v != ""]
    return found[-1].strip() if found else ""


def _enum(kind: type[enum.StrEnum], raw: str, name: str, errors: list[FieldError]) -> Any:
    try:
        return kind(raw)
    except ValueError:
        errors.append(FieldError(("query", name), "Unknown value “{value}”.", {"value": raw[:60]}))
        return None


def _uuid(values: Mapping[str, Sequence[str]], name: str, message: str, errors: list[FieldError]) -> Any:
    if raw := _one(values, name):
        try:
            return uuid.UUID(raw)
        except ValueError:
            errors.append(FieldError(("query", name), message))
    return None


def parse_queue(
    values: Mapping[str, Sequence[str]], *, default_sort: Sort = Sort.PROMISE_DUE
) -> QueueFilters:
    """Filters from query parameters (status, priority, tag repeat); a bad one is a 422 naming it."""
    values = {ALIASES.get(k, k): v for k, v in values.items() if not (k in ALIASES and not any(v))}
    errors: list[FieldError] = []
    statuses = [_enum(CaseStatus, v, "status", errors) for v in values.get("status", ()) if v]
    priorities = [_enum(Priority, v, "priority", errors) for v in values.get("priority", ()) if v]
    tags: list[str] = []
    for raw in values.get("tag", ()):
        if raw.strip():
            try:
                tags.append(tag_name(raw, field="tag"))
            except Invalid as exc:
                errors.extend(FieldError(("query", "tag"), e.message, e.params) for e in exc.errors)
    if len(tags) > 20:
        errors.append(FieldError(("query", "tag"), "At most {n} tags.", {"n": 20}))
    team_id = _uuid(values, "team", "Not a team id.", errors)
    customer_id = _uuid(values, "customer", "Not a customer id.", errors)
    owner = _one(values, "owner") or None
    if owner not in (None, NOBODY, ME):
        try:
            owner = str(uuid.UUID(owner))
        except ValueError:
            errors.append(FieldError(("query", "owner"), "An agent's id, “me” or “nobody”."))
    type_ = _one(values, "type") or None
    if type_ is not None and len(type_) > 60:
        errors.append(FieldError(("query", "type"), "A case type has at most 60 characters."))
    channel = _enum(Channel, raw, "channel", errors) if (raw := _one(values, "channel")) else None
    promise = _enum(PromiseFilter, raw, "promise", errors) if (raw := _one(values, "promise")) else None
    sort = _enum(Sort, raw, "sort", errors) if (raw := _one(values, "sort")) else default_sort
    waiting_over = None
    if raw := _one(values, "waiting_over"):
        if raw.isdigit() and 0 < int(raw) <= 60 * 24 * 365:
            waiting_over = int(raw)
        else:
            errors.append(FieldError(("query", "waiting_over"), "A number of minutes, at least 1."))
    if errors:
        raise Invalid("invalid_filter", "The filter is not valid.", errors)
    return QueueFilters(
        status=tuple(dict.fromkeys(statuses)),
        team_id=team_id,
        owner=owner,
        type=type_,
        priority=tuple(dict.fromkeys(priorities)),
        tag=tuple(dict.fromkeys(tags)),
        channel=channel,
        promise=promise,
        waiting_over=waiting_over,
        customer_id=customer_id,
        sort=sort or default_sort,
    )


@dataclass(frozen=True)
class QueueRow:
    """One row of the queue: the case and what its columns show."""

    case: Case
    customer_name: str
    next_promise: datetime | None
    waiting_since: datetime | None
    tags: list[str] = field(default_factory=list)

    @property
    def reference(self) -> str:
        """A short reference to say on the phone: the case id's last six characters."""
        return self.case.id.hex[-6:].upper()


@dataclass(frozen=True)
class Queue:
    """One page of the queue, the names its rows mention, the total, and the cursor of the next page."""

    rows: list[QueueRow]
    total: int | None  # None: not asked for (the API has no total)
    next_cursor: str | None
    agent_names: dict[uuid.UUID, str]
    team_names: dict[uuid.UUID, str]


def _promise_condition(kind: PromiseFilter, now: datetime, tz: str) -> ColumnElement[bool]:
    is_open, live = Promise.state == PromiseState.OPEN, Promise.grace_until > now
    if kind is PromiseFilter.AT_RISK:
        condition = and_(is_open, live, Promise.at_risk_at <= now)
    elif kind is PromiseFilter.BROKEN:  # as My work counts them: overdue past grace, or broken today
        broken_lately = and_(Promise.state == PromiseState.BROKEN, Promise.closed_at >= now - RECENTLY_BROKEN)
        condition = or_(and_(is_open, ~live), broken_lately)
    else:
        zone = ZoneInfo(tz)
        start = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
        condition = and_(is_open, Promise.due_by >= start, Promise.due_by < start + timedelta(days=1))
    return (
        select(Promise.id)
        .where(Promise.organisation_id == Case.organisation_id, Promise.case_id == Case.id, condition)
        .exists()
    )


def filtered(actor: Agent, filters: QueueFilters, *, now: datetime, tz: str) -> Select[uuid.UUID]:
    """The ids of the visible cases the filters let through."""
    query = visible_to(select(Case.id), actor)
    if filters.status:
        query = query.where(Case.status.in_(filters.status))
    if filters.team_id is not None:
        query = query.where(Case.team_id == filters.team_id)
    if filters.owner == NOBODY:
        query = query.where(Case.owner_id.is_(None))
    elif filters.owner == ME:
        query = query.where(Case.owner_id == actor.id)
    elif filters.owner is not None:
        query = query.where(Case.owner_id == uuid.UUID(filters.owner))
    if filters.type is not None:
        query = query.where(Case.type == filters.type)
    if filters.customer_id is not None:
        query = query.where(Case.customer_id == filters.customer_id)
    if filters.priority:
        query = query.where(Case.priority.in_(filters.priority))
    if filters.tag:
        query = query.where(Case.id.in_(tagged(actor.organisation_id, filters.tag)))
    if filters.channel is not None:
        on_channel = select(Contact.id).where(
            Contact.organisation_id == Case.organisation_id,
            Contact.case_id == Case.id,
            Contact.channel == filters.channel,
        )
        query = query.where(on_channel.exists())
    if filters.promise is not None:
        query = query.where(_promise_condition(filters.promise, now, tz))
    if filters.waiting_over is not None:
        query = query.where(Case.waiting_since <= now - timedelta(minutes=filters.waiting_over))
    return query


# The two sorts by a time that a case may lack read the case row's copy of it (kept by the contacts and
# promises services, migration 0073), each with an index on (organisation, time, id).
NULLS_LAST: dict[Sort, Any] = {Sort.PROMISE_DUE: Case.next_promise_due, Sort.WAITING: Case.waiting_since}


def _order(sort: Sort) -> list[Key]:
    if sort is Sort.ACTIVITY:
        return [Case.updated_at.desc(), Case.id.desc()]
    return [Case.id.desc()]  # ids are time-ordered (UUIDv7): the newest case first


def _page_nulls_last(
    db: Session, ids: Select[Any], key: Any, cursor: str | None, limit: int
) -> tuple[list[uuid.UUID], str | None]:
    """One page of case ids by `key` (soonest first, cases without one after all others, by id), and the
    cursor after it.

    Two index walks instead of one sort: the cases with a time in (time, id) order, then, when the page
    is not full yet, those without by id. A keyset cursor cannot hold a NULL (core.pagination), so this
    one holds whether the last row had a time, the time (or the epoch) and the id.
    """
    after = decode_cursor(cursor, [bool, datetime, uuid.UUID])
    rows: list[tuple[uuid.UUID, datetime | None]] = []
    if after is None or after[0]:
        timed = ids.where(key.is_not(None))
        if after is not None:
            timed = timed.where(
                tuple_(key, Case.id) > tuple_(literal(after[1], UTCDateTime()), literal(after[2], Uuid()))
            )
        rows = [(i, k) for i, k in db.execute(timed.add_columns(key).order_by(key, Case.id).limit(limit + 1))]
    if len(rows) <= limit:
        untimed = ids.where(key.is_(None))
        if after is not None and not after[0]:
            untimed = untimed.where(Case.id > literal(after[2], Uuid()))
        rest = db.scalars(untimed.order_by(Case.id).limit(limit + 1 - len(rows)))
        rows += [(i, None) for i in rest]
    if len(rows) <= limit:
        return [i for i, _ in rows], None
    last_id, last_key = rows[limit - 1]
    next_cursor = encode_cursor([last_key is not None, last_key or EPOCH, last_id])
    return [i for i, _ in rows[:limit]], next_cursor


def count(db: Session, actor: Agent, filters: QueueFilters, *, now: datetime, tz: str) -> int:
    """How many visible cases the filters let through."""
    ids = filtered(actor, filters, now=now, tz=tz).subquery()
    return db.scalar(select(func.count()).select_from(ids)) or 0


def counts(db: Session, actor: Agent, many: Sequence[QueueFilters], *, now: datetime, tz: str) -> list[int]:
    """The counts of several filters (the side menu's views) in one query."""
    if not many:
        return []
    columns = [
        select(func.count()).select_from(filtered(actor, f, now=now, tz=tz).subquery()).scalar_subquery()
        for f in many
    ]
    return [int(n or 0) for n in db.execute(select(*columns)).one()]


def queue(
    *,
    db: Session,
    actor: Agent,
    filters: QueueFilters,
    now: datetime,
    tz: str,
    cursor: str | None = None,
    limit: int = 50,
    counted: bool = True,
) -> Queue:
    """One page of the queue, sorted as asked, with its total; at most seven queries however long the
    page (the page's ids in one or two index walks, its cases, the total, tags, names, teams)."""
    limit = max(1, min(limit, MAX_LIMIT))
    org = actor.organisation_id
    ids = filtered(actor, filters, now=now, tz=tz)
    # First the page's ids in order, from an index (an id and its sort key); then those cases with their
    # customer: sorting thousands of whole case rows cost more than the query.
    if (key := NULLS_LAST.get(filters.sort)) is not None:
        page_ids, next_cursor = _page_nulls_last(db, ids, key, cursor, limit)
    else:
        ordered, next_cursor = page_rows(db, ids, _order(filters.sort), cursor, limit)
        page_ids = [case_id for (case_id,) in ordered]
    found = {
        case.id: (case, name)
        for case, name in db.execute(
            select(Case, Customer.name)
            .join(Customer, case_customer())
            .where(Case.organisation_id == org, Case.id.in_(page_ids))
        )
    } if page_ids else {}  # fmt: skip
    rows = [found[i] for i in page_ids if i in found]
    # Counting is one index-only pass over what the filters let through; a window count on the page's
    # query would make every sort read all of those rows again.
    total = count(db, actor, filters, now=now, tz=tz) if counted else None
    tags = tags_of(db=db, organisation_id=actor.organisation_id, case_ids=[r[0].id for r in rows])
    items = [
        QueueRow(
            case, name, case.next_promise_due, case.waiting_since, [t.name for t in tags.get(case.id, [])]
        )
        for case, name in rows
    ]
    return Queue(
        rows=items,
        total=total,
        next_cursor=next_cursor,
        agent_names=agent_names(
            db=db, organisation_id=actor.organisation_id, agent_ids={r.case.owner_id for r in items}
        ),
        team_names={t.id: t.name for t in list_teams(db=db, actor=actor)},
    )
