"""What the /insight page shows, as plain data: the period a picker names, the headline figures with
their trend against the previous period, and the series behind each chart (each also drawn as a table).

A lead opens it on Monday: the default is last week, compared with the week before.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from attent.insight.measures import AGE_BANDS, WAIT_BANDS
from attent.insight.schemas import Report
from attent.insight.scope import GroupBy, Scope
from attent.insight.service import report

Picker = Literal["week", "month", "quarter", "custom"]


def period_of(picker: Picker, today: date) -> tuple[date, date]:
    """The last full week (Monday to Sunday), month or quarter before today."""
    if picker == "month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if picker == "quarter":
        first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        last = first_of_this - timedelta(days=1)
        return date(last.year, 3 * ((last.month - 1) // 3) + 1, 1), last
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(days=7), monday - timedelta(days=1)


def bucket_for(first: date, last: date) -> GroupBy:
    """Days for a week or a month, weeks for a quarter, months beyond."""
    days = (last - first).days + 1
    return "day" if days <= 31 else "week" if days <= 120 else "month"


@dataclass(frozen=True)
class Headline:
    """One figure: its value now and in the previous period (a share 0..1, or a count)."""

    measure: str
    name: str
    value: float | None
    previous: float | None
    share: bool
    better_up: bool  # whether a rise is good news (FCR) or bad (came back, reopened)

    @property
    def change(self) -> float | None:
        """The change against the previous period: percentage points for shares, a count otherwise."""
        if self.value is None or self.previous is None:
            return None
        return round((self.value - self.previous) * (100 if self.share else 1), 1)


@dataclass(frozen=True)
class Chart:
    """One chart: categories along x, one or more series, and whether values are shares."""

    id: str
    measure: str
    group_by: str
    x: list[str]
    series: list[tuple[str, list[float | None]]]
    share: bool
    bars: bool = False


@dataclass
class Dashboard:
    """The page's content for one scope."""

    headlines: list[Headline] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


HEADLINES = (  # measure, value, is a share, a rise is good
    ("fcr", "fcr_share", True, True),
    ("repeats", "came_back_7d_share", True, False),
    ("reopens", "reopen_rate", True, False),
    ("promises", "kept_share", True, True),
    ("promises", "told_in_time_share", True, True),
    ("first-reply", "within_target_share", True, True),
    ("surveys", "csat_avg", False, True),
    ("surveys", "ces_avg", False, True),
    ("surveys", "reply_rate", True, True),
    ("backlog", "open", False, False),
)


def build(db: Session, scope: Scope) -> Dashboard:
    """Every report the page needs: totals for the headlines, the period's buckets for the charts."""
    bucketed = {
        m: report(db=db, scope=scope, measure=m) for m in ("fcr", "repeats", "promises")
    }  # scope.group_by is the bucket
    totals: dict[str, Report] = dict(bucketed)
    for m in ("reopens", "first-reply", "surveys", "backlog"):
        totals[m] = report(db=db, scope=_total(scope), measure=m)
    totals["durations"] = report(
        db=db, scope=_total(scope), measure="durations", with_previous=False
    )  # a chart
    out = Dashboard()
    for measure, name, share, better_up in HEADLINES:
        found = totals[measure]
        before = found.previous.values.get(name) if found.previous else None
        out.headlines.append(
            Headline(measure, name, _float(found.total.values.get(name)), _float(before), share, better_up)
        )
    out.charts.append(
        _series("fcr-chart", bucketed["fcr"], [("fcr_share", "First-contact resolution")], True)
    )
    out.charts.append(
        _series(
            "repeats-chart", bucketed["repeats"], [("came_back_7d_share", "Came back within 7 days")], True
        )
    )
    out.charts.append(
        _series(
            "promises-chart",
            bucketed["promises"],
            [("kept", "Kept"), ("kept_late", "Kept late"), ("broken", "Broken")],
            False,
            bars=True,
        )
    )
    backlog = totals["backlog"].total.values
    ages = [f"age_{n}" for _, n in AGE_BANDS] + ["age_older"]
    waits = [f"waiting_{n}" for _, n in WAIT_BANDS] + ["waiting_older"]
    out.charts.append(
        Chart(
            "backlog-chart",
            "backlog",
            "age",
            ages,
            [("Open cases", [_float(backlog[a]) for a in ages])],
            False,
            True,
        )
    )
    durations = totals["durations"]
    out.charts.append(
        Chart(
            "durations-chart",
            "durations",
            "band",
            [line.key or "" for line in durations.lines],
            [
                (
                    "Came back within 7 days",
                    [_float(line.values["came_back_7d_share"]) for line in durations.lines],
                )
            ],
            True,
            True,
        )
    )
    waiting = [_float(backlog[w]) for w in waits]
    out.charts.append(
        Chart("waiting-chart", "backlog", "waiting", waits, [("Customers waiting", waiting)], False, True)
    )
    return out


def _total(scope: Scope) -> Scope:
    return replace(scope, group_by="total")


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _series(
    chart_id: str, found: Report, names: list[tuple[str, str]], share: bool, *, bars: bool = False
) -> Chart:
    x = [line.key or "" for line in found.lines]
    series = [(label, [_float(line.values.get(name)) for line in found.lines]) for name, label in names]
    return Chart(chart_id, found.measure, found.group_by, x, series, share, bars)
