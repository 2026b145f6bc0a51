"""How long steps take, learned from kept step promises: what an agent can honestly tell the customer."""

import math
import uuid
from collections import defaultdict
from collections.abc import Collection
from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.promises.models import Promise, PromiseKind, PromiseState

MIN_OBSERVATIONS = 5
RECENT = 500  # newest observations per step type: processes change, old timings stop being true


class StepDuration(BaseModel):
    """The learned duration of one step type."""

    step_type: str
    observations: int
    median_seconds: float
    p80_seconds: float
    enough: bool
    suggestion: str | None


def _quantile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated quantile of already sorted values."""
    position = (len(sorted_values) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def window_minutes(duration: "StepDuration") -> tuple[int, int]:
    """The whole-minute range to promise: from the median to the 80th percentile, rounded up."""
    return max(1, math.ceil(duration.median_seconds / 60)), max(1, math.ceil(duration.p80_seconds / 60))


def step_durations(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    step_type: str | None = None,
    step_types: Collection[str] | None = None,
) -> list[StepDuration]:
    """Median and 80th percentile per step type, with the range to promise ("usually 12-15 minutes")."""
    query = select(Promise.step_type, Promise.made_at, Promise.closed_at).where(
        Promise.organisation_id == organisation_id,
        Promise.kind == PromiseKind.STEP,
        Promise.state == PromiseState.KEPT,
        Promise.step_type.is_not(None),
    )
    if step_type is not None:
        query = query.where(Promise.step_type == step_type)
    if step_types is not None:
        query = query.where(Promise.step_type.in_(list(step_types)))
    samples: dict[str, list[float]] = defaultdict(list)
    for kind, made_at, closed_at in db.execute(query.order_by(Promise.closed_at.desc())):
        if kind is not None and closed_at is not None and len(samples[kind]) < RECENT:
            samples[kind].append((closed_at - made_at) / timedelta(seconds=1))
    result = []
    for kind, values in sorted(samples.items()):
        values.sort()
        median, p80 = _quantile(values, 0.5), _quantile(values, 0.8)
        enough = len(values) >= MIN_OBSERVATIONS
        duration = StepDuration(
            step_type=kind,
            observations=len(values),
            median_seconds=round(median, 1),
            p80_seconds=round(p80, 1),
            enough=enough,
            suggestion=None,
        )
        if enough:
            low, high = window_minutes(duration)
            duration.suggestion = f"usually {low if low == high else f'{low}-{high}'} minutes"
        result.append(duration)
    return result
