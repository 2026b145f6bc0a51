"""Insight: first-contact resolution, repeat contacts, reopens, promises kept, backlog and first reply,
per team, agent, channel, case type or local period. Reads only; never writes another domain's rows.

`report` sums a measure's rows (see `measures.py`) per group in the database, folds UTC hours into the
organisation's local days, weeks and months, and derives shares from the sums, so a share is always
exactly its two counts divided (the CSV carries both).
"""

import enum
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role, Team
from attent.agents.service import require_role
from attent.cases import Case
from attent.cases.service import visible_to
from attent.core.errors import NotFound
from attent.insight import measures, rollups
from attent.insight.measures import Measure
from attent.insight.models import Survey
from attent.insight.schemas import InsightSettings, Line, Report
from attent.insight.scope import PERIODS, Scope, build_scope, organisation
from attent.insight.sql import hour

__all__ = [
    "MEASURES",
    "Scope",
    "build_scope",
    "customer_surveys",
    "get_settings",
    "put_settings",
    "report",
    "scope_for",
]

MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure(
            "fcr",
            measures.fcr,
            ("resolved", "first_contact_resolved", "settled"),
            {"fcr_share": ("first_contact_resolved", "resolved")},
        ),
        Measure(
            "repeats",
            measures.repeats,
            ("resolved", "inbound_contacts", "repeat_contacts", "came_back_7d", "known_7d", "came_back_30d",
             "known_30d"),
            {
                "repeat_contacts_per_case": ("repeat_contacts", "resolved"),
                "came_back_7d_share": ("came_back_7d", "resolved"),
                "came_back_30d_share": ("came_back_30d", "resolved"),
            },
        ),
        Measure(
            "reopens",
            measures.reopens,
            ("resolutions", "reopened"),
            {"reopen_rate": ("reopened", "resolutions")},
        ),
        Measure(
            "promises",
            measures.promises,
            ("made", "open", "kept", "kept_late", "broken", "cancelled", "slipped", "told_in_time"),
            {"kept_share": ("kept", "kept+broken"), "told_in_time_share": ("told_in_time", "slipped")},
        ),
        Measure(
            "backlog",
            measures.backlog,
            ("open", *(f"age_{n}" for _, n in measures.AGE_BANDS), "age_older", "waiting",
             *(f"waiting_{n}" for _, n in measures.WAIT_BANDS), "waiting_older"),
            {},
            snapshot=True,
        ),
        Measure(
            "first-reply",
            measures.first_reply,
            ("cases", "replied", "within_target", "reply_seconds"),
            {
                "replied_share": ("replied", "cases"),
                "within_target_share": ("within_target", "cases"),
                "avg_reply_seconds": ("reply_seconds", "replied"),
            },
        ),
        Measure(
            "surveys",
            measures.surveys,
            ("sent", "answered", "csat_sum", "satisfied", "low", "ces_sum", "commented"),
            {
                "reply_rate": ("answered", "sent"),
                "csat_avg": ("csat_sum", "answered"),
                "satisfied_share": ("satisfied", "answered"),
                "ces_avg": ("ces_sum", "answered"),
            },
        ),
        Measure(
            "durations",
            measures.durations,
            ("contacts", "came_back_7d", "known_7d"),
            {"came_back_7d_share": ("came_back_7d", "contacts")},
            fixed_group="band",
        ),
    )
}  # fmt: skip


def get_settings(*, db: Session, organisation_id: uuid.UUID) -> InsightSettings:
    """The organisation's insight rules (defaults where it set none)."""
    stored = organisation(db, organisation_id).settings.get("insight", {})
    return InsightSettings.model_validate(stored)


def put_settings(*, db: Session, actor: Agent, data: InsightSettings) -> InsightSettings:
    """Change the insight rules (admins)."""
    require_role(actor, Role.ADMIN)
    org = organisation(db, actor.organisation_id)
    org.settings = {**org.settings, "insight": data.model_dump()}
    db.flush()
    return data


def scope_for(*, db: Session, actor: Agent, now: datetime, **query: Any) -> Scope:
    """A checked scope with the organisation's window and reply target, and how far the roll-ups made
    with those rules reach (read here once, not once a measure)."""
    rules = get_settings(db=db, organisation_id=actor.organisation_id)
    reply_target = timedelta(hours=rules.first_reply_hours)
    scope = build_scope(
        db=db,
        actor=actor,
        now=now,
        window_days=rules.fcr_window_days,
        reply_target=reply_target,
        **query,
    )
    through = rollups.rolled_through(
        db=db,
        organisation_id=actor.organisation_id,
        window_days=rules.fcr_window_days,
        reply_target=reply_target,
    )
    return replace(scope, rolled_through=through)


def report(
    *, db: Session, scope: Scope, measure: str, with_previous: bool = True, live: bool = False
) -> Report:
    """One measure for the scope: a line per group, the total, and (unless not asked for, or a snapshot)
    the previous period's total. Closed days come from the daily roll-ups where they are current
    (`rollups.py`), the rest from the live queries; `live` asks the live queries for every day (the
    definition the roll-ups are tested against)."""
    found = MEASURES.get(measure)
    if found is None:
        raise NotFound("measure_not_found", "There is no measure named {name}.", name=measure)
    grouped = scope.group_by != "total" or found.fixed_group is not None
    _sums = _live_sums if live else _sums_rolled
    groups = _sums(db, scope, found, grouped=grouped)
    # Every row is in exactly one group (a missing key is the group None), so the total is their sum.
    total = {name: sum(g.get(name, 0.0) for g in groups.values()) for name in found.sums}
    compare = with_previous and not found.snapshot
    previous = _sums(db, scope.previous(), found, grouped=False).get(None, {}) if compare else None
    labels = _labels(db, scope, groups) if found.fixed_group is None else {}
    order = {name: i for i, (_, name) in enumerate(measures.DURATION_BANDS)}  # bands shortest first

    def place(item: tuple[str | None, Any]) -> tuple[int, str]:
        return order.get(item[0] or "", len(order)), (labels.get(item[0]) or item[0] or "").lower()

    lines = [_line(found, key, labels.get(key, key), sums) for key, sums in sorted(groups.items(), key=place)]
    before = scope.previous()
    return Report(
        measure=found.name,
        since=scope.first_day,
        until=scope.last_day,
        group_by=found.fixed_group or scope.group_by,
        window_days=scope.window_days,
        lines=lines if scope.group_by != "total" or found.fixed_group else [],
        total=_line(found, None, None, total),
        previous_since=before.first_day if compare else None,
        previous_until=before.last_day if compare else None,
        previous=None if previous is None else _line(found, None, None, previous),
    )


def _line(m: Measure, key: str | None, label: str | None, sums: dict[str, float]) -> Line:
    values: dict[str, int | float | None] = {name: _number(sums.get(name, 0.0)) for name in m.sums}
    for name, (numerator, denominator) in m.shares.items():
        below = sum(sums.get(part, 0.0) for part in denominator.split("+"))
        values[name] = round(sums.get(numerator, 0.0) / below, 4) if below else None
    return Line(key=key, label=label, values=values)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 1)


def _sums_rolled(db: Session, s: Scope, m: Measure, *, grouped: bool) -> dict[str | None, dict[str, float]]:
    """Each group's sums: the days the roll-ups cover from them, the days after from the live queries."""
    through = rollups.usable_through(s, m)
    if through is None or through < s.first_day:
        return _live_sums(db, s, m, grouped=grouped)
    out: dict[str | None, dict[str, float]] = defaultdict(lambda: dict.fromkeys(m.sums, 0.0))
    by_day = grouped and m.fixed_group is None and s.group_by in PERIODS
    for group, values in rollups.rolled_sums(db, s, m, last_day=min(through, s.last_day), grouped=grouped):
        name = _fold_day(group, s) if by_day else None if not grouped else _key(group)
        line = out[name]
        for field, value in zip(m.sums, values, strict=True):
            line[field] += value
    if through < s.last_day:  # today (and any day the worker has not rolled up yet)
        rest = _live_sums(db, replace(s, first_day=through + timedelta(days=1)), m, grouped=grouped)
        for name, sums in rest.items():
            line = out[name]
            for field, value in sums.items():
                line[field] += value
    return out


def _fold_day(day: date, s: Scope) -> str:
    """The day itself, its Monday or the first of its month."""
    if s.group_by == "week":
        day -= timedelta(days=day.weekday())
    elif s.group_by == "month":
        day = day.replace(day=1)
    return day.isoformat()


def _live_sums(db: Session, s: Scope, m: Measure, *, grouped: bool) -> dict[str | None, dict[str, float]]:
    """Each group's sums; grouped by period, the database groups by UTC hour and Python folds."""
    inner = m.rows(db, s).subquery()
    where: list[ColumnElement[bool]] = []
    if s.team_ids is not None:
        where.append(inner.c.team.in_(s.team_ids) if s.team_ids else false())
    if s.agent_id is not None:
        where.append(inner.c.agent == s.agent_id)
    if s.channel is not None:
        where.append(inner.c.channel == s.channel)
    if s.type is not None:
        where.append(inner.c.type == s.type)
    sums = [func.coalesce(func.sum(inner.c[name]), 0) for name in m.sums]
    out: dict[str | None, dict[str, float]] = defaultdict(lambda: dict.fromkeys(m.sums, 0.0))
    if not grouped:
        row = db.execute(select(*sums).where(*where)).one()
        out[None] = {name: float(v or 0) for name, v in zip(m.sums, row, strict=True)}
        return out
    by_period = m.fixed_group is None and s.group_by in PERIODS
    key = (
        inner.c[m.fixed_group]
        if m.fixed_group
        else hour(db, inner.c.at)
        if by_period
        else inner.c[s.group_by]
    )
    for group, *values in db.execute(select(key, *sums).where(*where).group_by(key)):
        name = _period(group, s) if by_period else _key(group)
        line = out[name]
        for field, value in zip(m.sums, values, strict=True):
            line[field] += float(value or 0)
    return out


def _period(bucket: Any, s: Scope) -> str:
    """The local day, Monday or first of the month an hour bucket belongs to."""
    start = bucket if isinstance(bucket, datetime) else datetime.fromisoformat(bucket)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    day: date = start.astimezone(s.zone).date()
    if s.group_by == "week":
        day -= timedelta(days=day.weekday())
    elif s.group_by == "month":
        day = day.replace(day=1)
    return day.isoformat()


def _key(group: Any) -> str | None:
    if group is None:
        return None
    return str(group.value if isinstance(group, enum.Enum) else group)


def _labels(db: Session, s: Scope, groups: Iterable[str | None]) -> dict[str | None, str | None]:
    """Teams' and agents' names; other keys name themselves."""
    if s.group_by not in ("team", "agent"):
        return {}
    ids = [uuid.UUID(k) for k in groups if k is not None]
    model = Agent if s.group_by == "agent" else Team
    rows = db.execute(
        select(model.id, model.name).where(model.organisation_id == s.organisation_id, model.id.in_(ids))
    )
    return {str(row_id): name for row_id, name in rows}


def customer_surveys(*, db: Session, actor: Agent, customer_id: uuid.UUID) -> list[Survey]:
    """The customer's surveys on cases the actor may see, newest first (the customer page shows them)."""
    query = (
        select(Survey)
        .join(Case, (Case.organisation_id == Survey.organisation_id) & (Case.id == Survey.case_id))
        .where(Survey.organisation_id == actor.organisation_id, Survey.customer_id == customer_id)
        .order_by(Survey.created_at.desc())
        .limit(50)
    )
    return list(db.scalars(visible_to(query, actor)))
