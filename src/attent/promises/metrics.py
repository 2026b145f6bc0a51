"""What the insight work will count: promises made, kept, broken and cancelled per agent, team or kind
and period, and how long after (or before) the due time kept promises were kept.

Promises are counted in the period they were made in (a cohort: "of what we promised last week, how
much did we keep?"). The database groups by UTC hour; hours fold into the organisation's local days,
weeks and months here, so DST is right and the rows stay few. (Zones off the whole hour, such as
India's, put the hour around local midnight in the period its first minute belongs to.)
"""

import enum
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role, Team
from attent.cases import Case
from attent.cases.service import visible_to
from attent.core.errors import FieldError, Invalid
from attent.core.schemas import Output
from attent.organisations import Organisation
from attent.promises.models import Promise, PromiseState

GroupBy = Literal["agent", "team", "kind"]
Period = Literal["day", "week", "month"]
MAX_RANGE = timedelta(days=400)


class PromiseMetrics(Output):
    """One group in one period."""

    group: str | None
    label: str | None
    period_start: date
    made: int
    open: int
    kept: int
    kept_late: int
    broken: int
    cancelled: int
    kept_share: float | None
    avg_seconds_due_to_kept: float | None


def _hour(db: Session, column: Any) -> ColumnElement[Any]:
    if db.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", column))
    return func.strftime("%Y-%m-%d %H:00:00", column)


def _seconds_between(db: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    if db.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _period_start(hour: datetime, zone: ZoneInfo, period: Period) -> date:
    day = hour.astimezone(zone).date()
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def promise_metrics(
    *, db: Session, actor: Agent, group_by: GroupBy, period: Period, since: datetime, until: datetime
) -> list[PromiseMetrics]:
    """Counts per group and local period for promises made in [since, until), on cases the actor sees."""
    if until <= since or until - since > MAX_RANGE:
        raise Invalid(
            "bad_range",
            "Ask for a range that ends after it starts and spans at most 400 days.",
            [
                FieldError(
                    ("until",),
                    "{since} to {until} is not such a range.",
                    {"since": since.isoformat(), "until": until.isoformat()},
                )
            ],
        )
    column = {"agent": Promise.owner_id, "team": Promise.team_id, "kind": Promise.kind}[group_by]
    kept = Promise.state == PromiseState.KEPT
    hour = _hour(db, Promise.made_at).label("hour")
    query = (
        select(
            column.label("grp"),
            hour,
            func.count(),
            func.sum(case((Promise.state == PromiseState.OPEN, 1), else_=0)),
            func.sum(case((kept, 1), else_=0)),
            func.sum(case((kept & (Promise.closed_at > Promise.due_by), 1), else_=0)),
            func.sum(case((Promise.state == PromiseState.BROKEN, 1), else_=0)),
            func.sum(case((Promise.state == PromiseState.CANCELLED, 1), else_=0)),
            func.sum(case((kept, _seconds_between(db, Promise.closed_at, Promise.due_by)), else_=0)),
        )
        .where(
            Promise.organisation_id == actor.organisation_id,
            Promise.made_at >= since,
            Promise.made_at < until,
        )
        .group_by(column, hour)
    )
    if actor.role is not Role.ADMIN:
        query = query.where(Promise.case_id.in_(visible_to(select(Case.id), actor)))
    org = db.get(Organisation, actor.organisation_id)
    zone = ZoneInfo(org.timezone if org else "UTC")
    totals: dict[tuple[str | None, date], list[float]] = defaultdict(lambda: [0.0] * 7)
    for grp, bucket, *counts in db.execute(query):
        hour_start = bucket if isinstance(bucket, datetime) else datetime.fromisoformat(bucket)
        if hour_start.tzinfo is None:
            hour_start = hour_start.replace(tzinfo=UTC)
        row = totals[(_key(grp), _period_start(hour_start, zone, period))]
        for i, value in enumerate(counts):
            row[i] += float(value or 0)
    labels = _labels(db, actor.organisation_id, group_by, {grp for grp, _ in totals})
    result = []
    for (grp, start), (made, open_, kept_n, late, broken, cancelled, seconds) in sorted(
        totals.items(), key=lambda item: (item[0][1], str(item[0][0]))
    ):
        result.append(
            PromiseMetrics(
                group=grp,
                label=labels.get(grp) if grp is not None else None,
                period_start=start,
                made=int(made),
                open=int(open_),
                kept=int(kept_n),
                kept_late=int(late),
                broken=int(broken),
                cancelled=int(cancelled),
                kept_share=round(kept_n / (kept_n + broken), 4) if kept_n + broken else None,
                avg_seconds_due_to_kept=round(seconds / kept_n, 1) if kept_n else None,
            )
        )
    return result


def _key(group: Any) -> str | None:
    """A group as the API names it: an id, or a kind."""
    if group is None:
        return None
    return str(group.value if isinstance(group, enum.Enum) else group)


def _labels(
    db: Session, organisation_id: uuid.UUID, group_by: GroupBy, keys: set[str | None]
) -> dict[str, str]:
    """Names for the groups: agents' and teams' names; kinds name themselves."""
    if group_by == "kind":
        return {k: k for k in keys if k is not None}
    ids = [uuid.UUID(k) for k in keys if k is not None]
    model = Agent if group_by == "agent" else Team
    rows = db.execute(
        select(model.id, model.name).where(model.organisation_id == organisation_id, model.id.in_(ids))
    )
    return {str(row_id): name for row_id, name in rows}
