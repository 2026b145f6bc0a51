"""Each measure once, as SQL over the tables other domains keep: one row per counted thing (a resolved
case, a promise, a contact), with the keys it is grouped and filtered by (team, agent, type, channel,
the time it counts at) and its 0/1 flags and amounts. `service.report` sums them per group.

The exact rules are in the README's Insight section; each function's docstring repeats its rule.
A case's channel is the channel of its first contact (where the customer came in).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, exists, false, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from attent.cases import Case, CaseStatus, CaseStatusChanged
from attent.channels import OutboundMessage
from attent.contacts import Contact, Direction, Message, Speaker
from attent.insight.models import Survey, SurveyState
from attent.insight.scope import Scope
from attent.insight.sql import plus, seconds_between, uuid_text
from attent.promises import Promise, PromiseAtRisk, PromiseState
from attent.timeline import TimelineEvent

FINISHED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
ON_US = (CaseStatus.NEW, CaseStatus.OPEN)  # the customer waits for us, not we for them


@dataclass(frozen=True)
class Measure:
    """A measure's rows, the amounts summed per group, and the shares and averages derived from them."""

    name: str
    rows: Callable[[Session, Scope], Select[Any]]
    sums: tuple[str, ...]
    shares: dict[str, tuple[str, str]]  # share name -> (numerator sum, denominator sum)
    snapshot: bool = False  # counts what stands now (backlog): the period only groups, no trend
    fixed_group: str | None = None  # always grouped by this column of its rows (durations: the band)


def _first_channel(outer: type[Case] | Any) -> Any:
    """The channel of the case's first contact: where the customer came in."""
    first = aliased(Contact)
    return (
        select(first.channel)
        .where(first.organisation_id == outer.organisation_id, first.case_id == outer.id)
        .order_by(first.started_at, first.id)
        .limit(1)
        .correlate(outer)
        .scalar_subquery()
    )


def _keys(team: Any, agent: Any, outer: Any = Case) -> list[Any]:
    return [
        team.label("team"),
        agent.label("agent"),
        outer.type.label("type"),
        _first_channel(outer).label("channel"),
    ]


def _inbound_between(db: Session, start: Any, days: int, *, any_case: bool) -> Any:
    """An inbound contact on the case (or on any case of its customer) in (start, start + days]."""
    c = aliased(Contact)
    return exists().where(
        c.organisation_id == Case.organisation_id,
        c.customer_id == Case.customer_id if any_case else c.case_id == Case.id,
        c.direction == Direction.INBOUND,
        c.started_at > start,
        c.started_at <= plus(db, start, timedelta(days=days)),
    )


def _new_case_between(db: Session, start: Any, days: int, same_type: bool) -> Any:
    """Another case of the same customer (of the same type, where asked) opened in (start, start + days]."""
    other = aliased(Case)
    return exists().where(
        other.organisation_id == Case.organisation_id,
        other.customer_id == Case.customer_id,
        other.id != Case.id,
        other.type == Case.type if same_type else literal(True),
        other.created_at > start,
        other.created_at <= plus(db, start, timedelta(days=days)),
    )


def _inbound_count(until: Any | None = None) -> Any:
    c = aliased(Contact)
    query = select(func.count()).where(
        c.organisation_id == Case.organisation_id, c.case_id == Case.id, c.direction == Direction.INBOUND
    )
    if until is not None:
        query = query.where(c.started_at <= until)
    return query.correlate(Case).scalar_subquery()


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _resolved_in(s: Scope) -> list[Any]:
    return [
        Case.organisation_id == s.organisation_id,
        Case.status.in_(FINISHED),
        Case.resolved_at >= s.since,
        Case.resolved_at < s.until,
    ]


def fcr(db: Session, s: Scope) -> Select[Any]:
    """Cases resolved in the period; first-contact resolved when the customer made at most one inbound
    contact up to the resolution and, within the window after it, no inbound contact on the case and no
    new case of the same type. `settled` once the window is over (until then the figure may still drop)."""
    before = _inbound_count(Case.resolved_at)
    came_back = or_(
        _inbound_between(db, Case.resolved_at, s.window_days, any_case=False),
        _new_case_between(db, Case.resolved_at, s.window_days, same_type=True),
    )
    return select(
        *_keys(Case.team_id, Case.owner_id),
        Case.resolved_at.label("at"),
        literal(1).label("resolved"),
        _flag(and_(before <= 1, ~came_back)).label("first_contact_resolved"),
        _flag(Case.resolved_at <= s.now - s.window).label("settled"),
    ).where(*_resolved_in(s))


def _narrowed(query: Select[Any], s: Scope, team: Any, agent: Any) -> Select[Any]:
    """The scope's filters inside a measure, so a fenced stage (below) reads only the rows asked for."""
    if s.team_ids is not None:
        query = query.where(team.in_(s.team_ids) if s.team_ids else false())
    if s.agent_id is not None:
        query = query.where(agent == s.agent_id)
    if s.type is not None:
        query = query.where(Case.type == s.type)
    if s.channel is not None:
        query = query.where(_first_channel(Case) == s.channel)
    return query


def _stage(query: Select[Any]) -> Any:
    """A first stage whose sub-selects PostgreSQL computes once per row, however often the next stage
    uses them (OFFSET 0 keeps the planner from pasting them into every use)."""
    return query.offset(0).subquery()


def _passed(t: Any) -> list[Any]:
    return [t.c.team, t.c.agent, t.c.type, t.c.channel, t.c.at]


def repeats(db: Session, s: Scope) -> Select[Any]:
    """Cases resolved in the period: their inbound contacts beyond the first, and whether the customer
    came back (an inbound contact on any case, or a new case) within 7 and within 30 days."""
    back = {
        days: or_(
            _inbound_between(db, Case.resolved_at, days, any_case=True),
            _new_case_between(db, Case.resolved_at, days, same_type=False),
        )
        for days in (7, 30)
    }
    first = select(
        *_keys(Case.team_id, Case.owner_id),
        Case.resolved_at.label("at"),
        _inbound_count().label("inbound"),
        _flag(back[7]).label("back_7d"),
        _flag(back[30]).label("back_30d"),
    ).where(*_resolved_in(s))
    t = _stage(_narrowed(first, s, Case.team_id, Case.owner_id))
    return select(
        *_passed(t),
        literal(1).label("resolved"),
        t.c.inbound.label("inbound_contacts"),
        case((t.c.inbound > 1, t.c.inbound - 1), else_=0).label("repeat_contacts"),
        t.c.back_7d.label("came_back_7d"),
        _flag(t.c.at <= s.now - timedelta(days=7)).label("known_7d"),
        t.c.back_30d.label("came_back_30d"),
        _flag(t.c.at <= s.now - timedelta(days=30)).label("known_30d"),
    )


def reopens(db: Session, s: Scope) -> Select[Any]:
    """Resolutions in the period (each move to 'resolved' on the timeline) and whether the case was
    opened again after it (a move from 'resolved' to anything but 'closed')."""
    e = aliased(TimelineEvent)
    later = aliased(TimelineEvent)
    reopened = exists().where(
        later.organisation_id == e.organisation_id,
        later.case_id == e.case_id,
        later.kind == CaseStatusChanged.name,
        later.at > e.at,
        later.data["from"].as_string() == CaseStatus.RESOLVED.value,
        later.data["to"].as_string() != CaseStatus.CLOSED.value,
    )
    return (
        select(
            *_keys(Case.team_id, Case.owner_id),
            e.at.label("at"),
            literal(1).label("resolutions"),
            _flag(reopened).label("reopened"),
        )
        .join(Case, and_(Case.organisation_id == e.organisation_id, Case.id == e.case_id))
        .where(
            e.organisation_id == s.organisation_id,
            e.kind == CaseStatusChanged.name,
            e.at >= s.since,
            e.at < s.until,
            e.data["to"].as_string() == CaseStatus.RESOLVED.value,
        )
    )


def promises(db: Session, s: Scope) -> Select[Any]:
    """Promises made in the period (a cohort, as the promise metrics count them): kept, kept late (after
    the due time), broken, cancelled, open; `slipped` when the warning time passed while it was open
    (and it was made before that time); `told_in_time` when the customer's at-risk message was queued
    before the due time."""
    p = Promise
    still_open_at = func.coalesce(p.closed_at, s.now)
    slipped = and_(p.at_risk_at > p.made_at, p.at_risk_at < still_open_at)
    told = exists().where(
        OutboundMessage.organisation_id == p.organisation_id,
        OutboundMessage.key == literal(f"{PromiseAtRisk.name}:").concat(uuid_text(db, p.id)),
        OutboundMessage.created_at <= p.due_by,
    )
    kept = p.state == PromiseState.KEPT
    return (
        select(
            *_keys(p.team_id, p.owner_id),
            p.made_at.label("at"),
            literal(1).label("made"),
            _flag(p.state == PromiseState.OPEN).label("open"),
            _flag(kept).label("kept"),
            _flag(and_(kept, p.closed_at > p.due_by)).label("kept_late"),
            _flag(p.state == PromiseState.BROKEN).label("broken"),
            _flag(p.state == PromiseState.CANCELLED).label("cancelled"),
            _flag(slipped).label("slipped"),
            _flag(and_(slipped, told)).label("told_in_time"),
        )
        .join(Case, and_(Case.organisation_id == p.organisation_id, Case.id == p.case_id))
        .where(p.organisation_id == s.organisation_id, p.made_at >= s.since, p.made_at < s.until)
    )


AGE_BANDS = ((1, "under_1d"), (3, "1_3d"), (7, "3_7d"), (30, "7_30d"))  # days
WAIT_BANDS = ((timedelta(hours=4), "under_4h"), (timedelta(hours=24), "4_24h"), (timedelta(days=3), "1_3d"))


def _bands(
    column: Any, now: datetime, bands: tuple[tuple[timedelta, str], ...], prefix: str
) -> list[tuple[str, Any]]:
    """Each band's name and condition (newer than its bound, not in a newer band), and one for the rest."""
    out: list[tuple[str, Any]] = []
    newer = None
    for bound, name in bands:
        inside = column > now - bound
        out.append((f"{prefix}{name}", inside if newer is None else and_(inside, ~newer)))
        newer = inside
    assert newer is not None
    out.append((f"{prefix}older", ~newer))
    return out


def backlog(db: Session, s: Scope) -> Select[Any]:
    """What stands open now: cases not resolved or closed, by age; of those on us (new or open), how long
    the customer has waited since their last inbound contact (or since the case was opened). A snapshot,
    never rolled up: the first contact's channel is looked up only when the answer groups or filters by it."""
    c = aliased(Contact)
    last_inbound = (
        select(func.max(c.started_at))
        .where(
            c.organisation_id == Case.organisation_id, c.case_id == Case.id, c.direction == Direction.INBOUND
        )
        .correlate(Case)
        .scalar_subquery()
    )
    keys = _keys(Case.team_id, Case.owner_id)
    if s.group_by != "channel" and s.channel is None:  # a probe per open case the answer does not use
        keys[-1] = literal(None).label("channel")
    first = select(
        *keys,
        Case.created_at.label("at"),
        _flag(Case.status.in_(ON_US)).label("on_us"),
        func.coalesce(last_inbound, Case.created_at).label("waiting_since"),
    ).where(Case.organisation_id == s.organisation_id, Case.status.not_in(FINISHED))
    t = _stage(_narrowed(first, s, Case.team_id, Case.owner_id))
    ages = tuple((timedelta(days=d), n) for d, n in AGE_BANDS)
    aged = [_flag(cond).label(name) for name, cond in _bands(t.c.at, s.now, ages, "age_")]
    waits = [
        _flag(and_(t.c.on_us == 1, cond)).label(name)
        for name, cond in _bands(t.c.waiting_since, s.now, WAIT_BANDS, "waiting_")
    ]
    return select(*_passed(t), literal(1).label("open"), *aged, t.c.on_us.label("waiting"), *waits)


def first_reply(db: Session, s: Scope) -> Select[Any]:
    """Cases opened in the period: whether an agent has written to the customer yet, how long the first
    agent message took, and whether it came within the organisation's reply target."""
    m = aliased(Message)
    first_message = (
        select(func.min(m.at))
        .where(m.organisation_id == Case.organisation_id, m.case_id == Case.id, m.speaker == Speaker.AGENT)
        .correlate(Case)
        .scalar_subquery()
    )
    first = select(
        *_keys(Case.team_id, Case.owner_id),
        Case.created_at.label("at"),
        first_message.label("first_reply_at"),
    ).where(Case.organisation_id == s.organisation_id, Case.created_at >= s.since, Case.created_at < s.until)
    t = _stage(_narrowed(first, s, Case.team_id, Case.owner_id))
    reply = t.c.first_reply_at
    return select(
        *_passed(t),
        literal(1).label("cases"),
        _flag(reply.is_not(None)).label("replied"),
        _flag(reply <= plus(db, t.c.at, s.reply_target)).label("within_target"),
        func.coalesce(seconds_between(db, reply, t.c.at), 0).label("reply_seconds"),
    )


def surveys(db: Session, s: Scope) -> Select[Any]:
    """Surveys sent in the period: answered (the reply rate), satisfaction (1-5: its sum for the average,
    4-5 satisfied, 1-2 low) and effort (1-7: its sum for the average), and whether a comment came."""
    v = Survey
    answered = v.state == SurveyState.ANSWERED
    return (
        select(
            *_keys(Case.team_id, Case.owner_id),
            v.sent_at.label("at"),
            literal(1).label("sent"),
            _flag(answered).label("answered"),
            func.coalesce(v.csat, 0).label("csat_sum"),
            _flag(v.csat >= 4).label("satisfied"),
            _flag(v.csat <= 2).label("low"),
            func.coalesce(v.ces, 0).label("ces_sum"),
            _flag(v.comment.is_not(None)).label("commented"),
        )
        .join(Case, and_(Case.organisation_id == v.organisation_id, Case.id == v.case_id))
        .where(v.organisation_id == s.organisation_id, v.sent_at >= s.since, v.sent_at < s.until)
    )


DURATION_BANDS = ((120, "under_2m"), (300, "2_5m"), (600, "5_10m"), (1200, "10_20m"))  # seconds


def durations(db: Session, s: Scope) -> Select[Any]:
    """Contacts that ended in the period, by how long they took (a band, never a person's ranking), and
    whether their customer came back - an inbound contact on any case - within 7 days after it ended.
    Handle time is context here: the question is whether taking time prevents the call back."""
    took = func.round(seconds_between(db, Contact.ended_at, Contact.started_at))  # whole seconds on both
    band = case(*((took < bound, name) for bound, name in DURATION_BANDS), else_="over_20m")
    again = aliased(Contact)
    back = exists().where(
        again.organisation_id == Contact.organisation_id,
        again.customer_id == Contact.customer_id,
        again.direction == Direction.INBOUND,
        again.id != Contact.id,
        again.started_at > Contact.ended_at,
        again.started_at <= plus(db, Contact.ended_at, timedelta(days=7)),
    )
    return (
        select(
            Case.team_id.label("team"),
            Contact.agent_id.label("agent"),
            Case.type.label("type"),
            Contact.channel.label("channel"),
            Contact.ended_at.label("at"),
            band.label("band"),
            literal(1).label("contacts"),
            _flag(back).label("came_back_7d"),
            _flag(Contact.ended_at <= s.now - timedelta(days=7)).label("known_7d"),
        )
        .join(Case, and_(Case.organisation_id == Contact.organisation_id, Case.id == Contact.case_id))
        .where(
            Contact.organisation_id == s.organisation_id,
            Contact.ended_at >= s.since,
            Contact.ended_at < s.until,
        )
    )
