"""Daily roll-ups: each measure's sums per organisation, local day and (team, agent, type, channel, band),
so the dashboard adds up a few hundred rows a day instead of probing indexes for every counted case.

The live queries in `measures.py` stay the definition: a roll-up row is exactly what they give for its
day, computed by running them over that day. The worker keeps the rows exact by recomputing every day a
change can have moved. A measure's row for a thing (a resolved case, a promise, a contact, a survey)
depends only on that thing, its case, and the same customer's other contacts and cases, so a change to
a customer dirties the days of all the customer's rows:

- what changed is found by the time-ordered (UUIDv7) ids of the rows written since the last look —
  timeline events (every reopen, resolution, reassignment, promise kept or broken, survey sent or
  answered is one), contacts, messages, cases and outgoing messages — with a margin for transactions that
  were still open then; a contact logged late for an earlier day is found by its id, not its time;
- the days of that customer's case creations, resolutions (every move to *resolved* on the timeline,
  so the day a case was resolved before a reopen is recomputed too), contacts' ends, promises made and
  surveys sent are then recomputed;
- figures that change with time alone are recomputed when their time passes: a window that closes
  (`settled`, `known_7d`, `known_30d`: the days whose rows cross `now - window`, 7 or 30 days, for the
  measures that have such flags) and a promise whose warning time passes while it is open (`slipped`,
  through its customer).

The dashboard reads the roll-ups for the days up to `through` (yesterday, at the last refresh) and the
live queries for the days after it (today), so a figure is at most one refresh old. Roll-ups computed with
another first-contact window or reply target than the organisation's are not read (the live queries
answer) until the worker has rebuilt them. Recomputing is set-based: one query per measure for each run
of dirty days, grouped by UTC hour and the keys, folded into local days here.
"""

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, CompoundSelect, delete, false, func, select, union
from sqlalchemy.orm import Session

from attent.cases import Case, CaseStatusChanged
from attent.channels import OutboundMessage
from attent.contacts import Contact, Message
from attent.core.db import insert_many
from attent.core.ids import uuid7
from attent.insight.measures import Measure
from attent.insight.models import VALUES, DailyFigure, RollupState, Survey
from attent.insight.scope import PERIODS, Scope
from attent.insight.sql import hour
from attent.insight.surveys import rules_of
from attent.organisations import Organisation
from attent.promises import Promise
from attent.timeline import TimelineEvent

ROLLED = ("fcr", "repeats", "reopens", "promises", "first-reply", "surveys", "durations")  # not backlog: now
KEYS = ("team", "agent", "type", "channel")
COLUMNS: dict[str, Any] = {
    "team": DailyFigure.team_id,
    "agent": DailyFigure.agent_id,
    "type": DailyFigure.type,
    "channel": DailyFigure.channel,
    "band": DailyFigure.band,
}
AGING = ("fcr", "repeats", "durations")  # the measures with flags that turn with time alone (windows)
REFRESH_EVERY = timedelta(seconds=30)  # "current within a minute"
MARGIN = timedelta(minutes=2)  # a transaction still open at the last look commits within this
NEW_DAYS = 31  # days rolled up for the first time in one look (a first build takes a tick a month)
JOIN_GAP = 3  # dirty days this close together are recomputed as one run (fewer, larger queries)
CHUNK = 500


# Reading


def rolled_through(
    *, db: Session, organisation_id: uuid.UUID, window_days: int, reply_target: timedelta
) -> date | None:
    """The last day the organisation's roll-ups cover, if they were made with these rules; else None."""
    state = db.scalar(select(RollupState).where(RollupState.organisation_id == organisation_id))
    if (
        state is None
        or state.window_days != window_days
        or state.reply_target_seconds != int(reply_target.total_seconds())
    ):
        return None
    return state.through


def usable_through(s: Scope, m: Measure) -> date | None:
    """The last day whose roll-ups answer this measure for this scope, or None (the live queries do)."""
    if m.snapshot or m.name not in ROLLED:
        return None
    return s.rolled_through


def rolled_sums(
    db: Session, s: Scope, m: Measure, *, last_day: date, grouped: bool
) -> list[tuple[Any, list[float]]]:
    """The measure's sums over the roll-ups of [s.first_day, last_day] with the scope's filters: one
    (None, sums) when not grouped; else (group, sums) per band, local day (the caller folds days into
    weeks or months) or key."""
    f = DailyFigure
    where: list[ColumnElement[bool]] = [
        f.organisation_id == s.organisation_id,
        f.measure == m.name,
        f.day >= s.first_day,
        f.day <= last_day,
    ]
    if s.team_ids is not None:
        where.append(f.team_id.in_(s.team_ids) if s.team_ids else false())
    if s.agent_id is not None:
        where.append(f.agent_id == s.agent_id)
    if s.channel is not None:
        where.append(f.channel == str(s.channel))  # a StrEnum: its value
    if s.type is not None:
        where.append(f.type == s.type)
    sums = [func.coalesce(func.sum(getattr(f, f"v{i}")), 0) for i in range(len(m.sums))]
    if not grouped:
        row = db.execute(select(*sums).where(*where)).one()
        return [(None, [float(v or 0) for v in row])]
    key = COLUMNS[m.fixed_group] if m.fixed_group else f.day if s.group_by in PERIODS else COLUMNS[s.group_by]
    return [
        (group, [float(v or 0) for v in values])
        for group, *values in db.execute(select(key, *sums).where(*where).group_by(key))
    ]


# Keeping


def local_day(bucket: Any, zone: ZoneInfo) -> date:
    """The organisation's local day an hour bucket (`sql.hour`) falls in."""
    start = bucket if isinstance(bucket, datetime) else datetime.fromisoformat(bucket)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return start.astimezone(zone).date()


def id_floor(at: datetime) -> uuid.UUID:
    """The smallest UUIDv7 made at `at` or later: rows written since then have ids at least this."""
    return uuid.UUID(int=int(at.timestamp() * 1000) << 80)


def refresh(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    measures: Iterable[Measure],
    now: datetime,
    real_now: datetime,
    margin: timedelta = MARGIN,
    force: bool = False,
) -> int:
    """Bring the organisation's roll-ups towards yesterday (a month a look) and recompute the days changes
    dirtied since the last look; returns the number of days recomputed. `real_now` is the wall clock the
    ids were made by (not the clock the figures are counted by); `margin` how far before the last look
    to search for changes again."""
    org = db.get(Organisation, organisation_id)
    assert org is not None
    zone = ZoneInfo(org.timezone)
    rules = rules_of(db, organisation_id)
    window_days, reply = rules.fcr_window_days, rules.first_reply_hours * 3600
    yesterday = now.astimezone(zone).date() - timedelta(days=1)
    query = select(RollupState).where(RollupState.organisation_id == organisation_id)
    state = db.scalar(query.with_for_update(skip_locked=True))
    if state is None and db.scalar(
        select(RollupState.id).where(RollupState.organisation_id == organisation_id)
    ):
        return 0  # another worker is refreshing this organisation right now
    rolled = [m for m in measures if m.name in ROLLED]
    if state is None or state.window_days != window_days or state.reply_target_seconds != reply:
        db.execute(delete(DailyFigure).where(DailyFigure.organisation_id == organisation_id))
        first = _first_day(db, organisation_id, zone)
        through = yesterday if first is None else first - timedelta(days=1)
        dirty: set[date] = set()
        aged: set[date] = set()
    else:
        if not force and now - state.checked_at < REFRESH_EVERY and state.through >= yesterday:
            return 0
        customers = _touched_customers(db, organisation_id, id_floor(state.seen_at - margin), state, now)
        dirty = _days_of_customers(db, organisation_id, customers, zone)
        aged = set()
        for delta in {timedelta(days=window_days), timedelta(days=7), timedelta(days=30)}:
            if now <= state.checked_at:
                break  # a flag `at <= now - delta` turns only while now moves on
            aged |= _days_between(
                (state.checked_at - delta).astimezone(zone).date(), (now - delta).astimezone(zone).date()
            )
        dirty = {d for d in dirty if d <= min(state.through, yesterday)}
        aged = {d for d in aged if d <= min(state.through, yesterday)} - dirty
        through = state.through
    # New days, oldest first and at most a month a look, so a first build does not hold the worker long.
    reach = min(yesterday, through + timedelta(days=NEW_DAYS))
    dirty |= _days_between(through + timedelta(days=1), reach)
    scope_rules = (window_days, timedelta(seconds=reply))
    days = 0
    timed = [m for m in rolled if m.name in AGING]
    for runs, which in ((_runs(dirty), rolled), (_runs(aged - dirty), timed)):
        for first_day, last_day in runs:
            _recompute(db, organisation_id, zone, first_day, last_day, which, now, scope_rules)
            days += (last_day - first_day).days + 1
    if state is None:
        state = RollupState(organisation_id=organisation_id)
        db.add(state)
    state.through, state.window_days, state.reply_target_seconds = reach, window_days, reply
    state.checked_at, state.seen_at = now, real_now
    db.flush()
    return days


def _days_between(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


def _runs(days: set[date]) -> list[tuple[date, date]]:
    """Dirty days as runs of consecutive days (gaps of up to JOIN_GAP days are recomputed too)."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][1]).days <= JOIN_GAP + 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _first_day(db: Session, organisation_id: uuid.UUID, zone: ZoneInfo) -> date | None:
    """The organisation's first day with anything a measure counts."""
    firsts = [
        db.scalar(select(func.min(column)).where(model.organisation_id == organisation_id))
        for model, column in (
            (Case, Case.created_at),
            (Contact, Contact.ended_at),
            (Promise, Promise.made_at),
            (Survey, Survey.sent_at),
        )
    ]
    found = [moment for moment in firsts if moment is not None]
    return min(found).astimezone(zone).date() if found else None


def _touched_customers(
    db: Session, organisation_id: uuid.UUID, floor: uuid.UUID, state: RollupState, now: datetime
) -> set[uuid.UUID]:
    """Customers with a row written since the floor id, or a promise whose warning time has passed since
    the last look (its `slipped` flag turned on by time alone)."""
    org = organisation_id
    message_case = select(Case.customer_id).join(
        Message, (Message.organisation_id == Case.organisation_id) & (Message.case_id == Case.id)
    )
    outbound_case = select(Case.customer_id).join(
        OutboundMessage,
        (OutboundMessage.organisation_id == Case.organisation_id) & (OutboundMessage.case_id == Case.id),
    )
    found: CompoundSelect[Any] = union(
        select(TimelineEvent.customer_id).where(
            TimelineEvent.organisation_id == org,
            TimelineEvent.id >= floor,
            TimelineEvent.customer_id.is_not(None),
        ),
        select(Contact.customer_id).where(Contact.organisation_id == org, Contact.id >= floor),
        select(Case.customer_id).where(Case.organisation_id == org, Case.id >= floor),
        message_case.where(Message.organisation_id == org, Message.id >= floor),
        outbound_case.where(OutboundMessage.organisation_id == org, OutboundMessage.id >= floor),
        select(Promise.customer_id).where(
            Promise.organisation_id == org, Promise.at_risk_at > state.checked_at, Promise.at_risk_at <= now
        ),
    )
    return {customer for customer in db.scalars(select(found.subquery().c[0])) if customer is not None}


def _days_of_customers(
    db: Session, organisation_id: uuid.UUID, customers: set[uuid.UUID], zone: ZoneInfo
) -> set[date]:
    """The local days any of these customers' rows count at, in any measure."""
    hours: set[Any] = set()
    ordered = sorted(customers)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        sources: Sequence[tuple[Any, Any, list[ColumnElement[bool]]]] = (
            (Case, Case.created_at, [Case.customer_id.in_(chunk)]),
            (Case, Case.resolved_at, [Case.customer_id.in_(chunk), Case.resolved_at.is_not(None)]),
            (
                TimelineEvent,
                TimelineEvent.at,
                [TimelineEvent.customer_id.in_(chunk), TimelineEvent.kind == CaseStatusChanged.name],
            ),
            (Contact, Contact.ended_at, [Contact.customer_id.in_(chunk), Contact.ended_at.is_not(None)]),
            (Promise, Promise.made_at, [Promise.customer_id.in_(chunk)]),
            (Survey, Survey.sent_at, [Survey.customer_id.in_(chunk), Survey.sent_at.is_not(None)]),
        )
        for model, column, where in sources:
            bucket = hour(db, column)
            query = select(bucket).where(model.organisation_id == organisation_id, *where).group_by(bucket)
            hours.update(db.scalars(query))
    return {local_day(h, zone) for h in hours}


def _recompute(
    db: Session,
    organisation_id: uuid.UUID,
    zone: ZoneInfo,
    first: date,
    last: date,
    measures: list[Measure],
    now: datetime,
    rules: tuple[int, timedelta],
) -> None:
    """Replace the roll-ups of the days [first, last] with what the live queries give for them."""
    scope = Scope(
        organisation_id=organisation_id,
        zone=zone,
        first_day=first,
        last_day=last,
        group_by="total",
        now=now,
        team_ids=None,
        agent_id=None,
        channel=None,
        type=None,
        own_only=False,
        window_days=rules[0],
        reply_target=rules[1],
    )
    db.execute(
        delete(DailyFigure).where(
            DailyFigure.organisation_id == organisation_id,
            DailyFigure.measure.in_([m.name for m in measures]),
            DailyFigure.day >= first,
            DailyFigure.day <= last,
        )
    )
    rows: list[dict[str, Any]] = []
    for m in measures:
        inner = m.rows(db, scope).subquery()
        keys = [hour(db, inner.c.at), *(inner.c[k] for k in KEYS)]
        if m.fixed_group:
            keys.append(inner.c[m.fixed_group])
        sums = [func.coalesce(func.sum(inner.c[name]), 0) for name in m.sums]
        found: dict[tuple[Any, ...], list[float]] = {}
        for bucket, team, agent, kind, channel, *rest in db.execute(select(*keys, *sums).group_by(*keys)):
            band = rest.pop(0) if m.fixed_group else None
            channel_value = getattr(channel, "value", channel)
            key = (local_day(bucket, zone), team, agent, kind, channel_value, band)
            line = found.setdefault(key, [0.0] * len(m.sums))
            for i, value in enumerate(rest):
                line[i] += float(value or 0)
        for (day, team, agent, kind, channel, band), values in found.items():
            padded = values + [0.0] * (VALUES - len(values))
            rows.append(
                {"organisation_id": organisation_id, "id": uuid7(), "measure": m.name, "day": day,
                 "team_id": team, "agent_id": agent, "type": kind, "channel": channel, "band": band,
                 **{f"v{i}": padded[i] for i in range(VALUES)}}
            )  # fmt: skip
    insert_many(db, DailyFigure, rows)
