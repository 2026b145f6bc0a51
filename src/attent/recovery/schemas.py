"""Recovery as the API shows and accepts it: the catalogue, the policy, gestures, check-ins, outcomes."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool

from attent.cases import CASE_TYPE, Priority
from attent.core.moments import Moment
from attent.core.schemas import Bilingual, Input, Output
from attent.recovery.models import CheckInMode, CheckInState, GestureKind, GestureState

CODE = r"^[a-z][a-z0-9_]{0,59}$"
CURRENCY = r"^[A-Z]{3}$"
MAX_CENTS = 100_000_000  # a million in any currency: far beyond a gesture, short of an overflow
Code = Annotated[str, Field(pattern=CODE)]
CaseType = Annotated[str, Field(pattern=CASE_TYPE)]


class CatalogueGesture(Input):
    """One gesture an organisation offers; replacements and refunds may come with a promise."""

    code: str = Field(pattern=CODE, description="Unique within the catalogue, e.g. 'beans_250g'.")
    kind: GestureKind
    name: Bilingual
    description: Bilingual
    cost_cents: int = Field(ge=0, le=MAX_CENTS)
    currency: str = Field(pattern=CURRENCY)
    promise_hours: int | None = Field(
        default=None,
        ge=1,
        le=60 * 24,
        description="Granting it makes a delivery (replacement) or refund promise due this many hours later.",
    )


class Catalogue(Input):
    """The whole catalogue, the monthly budget and the approval threshold; read and replaced whole."""

    gestures: list[CatalogueGesture] = Field(min_length=1, max_length=100)
    currency: str = Field(pattern=CURRENCY, description="The budget's currency; every gesture costs in it.")
    monthly_budget_cents: int = Field(ge=0, le=MAX_CENTS)
    approval_threshold_cents: int = Field(
        ge=0, le=MAX_CENTS, description="A gesture costing more needs a lead's approval."
    )


class Rung(Input):
    """What to suggest for the customer's n-th failure within the period (this case included)."""

    failures: int = Field(ge=1, le=20)
    gestures: list[Code] = Field(min_length=1, max_length=5)


class CheckInPolicy(Input):
    """A check-in some hours after a case that received a gesture is resolved."""

    after_hours: int = Field(default=72, ge=1, le=24 * 60)
    mode: CheckInMode = CheckInMode.TASK


class RecoveryPolicy(Input):
    """Which case types are failures, what to suggest when, and whether to check in afterwards."""

    failure_types: list[CaseType] = Field(max_length=50)
    period_days: int = Field(default=90, ge=1, le=730)
    ladder: list[Rung] = Field(min_length=1, max_length=10)
    impact_priorities: list[Priority] = Field(
        default_factory=lambda: [Priority.HIGH, Priority.URGENT],
        description="A case of these priorities gets the next rung up.",
    )
    occasions: dict[Code, Code] = Field(
        default_factory=dict, description="Happy occasion -> gesture code, e.g. birthday -> small_attention."
    )
    check_in: CheckInPolicy | None = Field(default_factory=CheckInPolicy, description="null: no check-ins.")
    check_in_task_hours: int = Field(
        default=24, ge=1, le=24 * 14, description="How long an agent has to do a check-in task."
    )


class SuggestedGesture(Output):
    """A catalogue gesture as suggested for a case."""

    code: str
    kind: GestureKind
    name: str
    cost_cents: int
    currency: str
    needs_approval: bool


class Suggestion(Output):
    """What the policy suggests for a failure case, and why."""

    case_id: uuid.UUID
    gestures: list[SuggestedGesture]
    failures: int
    period_days: int
    impact: bool
    reason: str


class GestureOffer(Input):
    """Grant a gesture from the catalogue on a case, or ask a lead to approve it."""

    case_id: uuid.UUID
    code: str = Field(pattern=CODE)
    reason: str = Field(default="", max_length=1000)
    request_approval: StrictBool = Field(
        default=False, description="Ask a lead to approve instead of granting (needed above the threshold)."
    )
    make_promise: StrictBool = Field(
        default=True, description="Make the catalogue's delivery or refund promise when it is granted."
    )


class Decision(Input):
    """Grant or approve a waiting gesture."""

    make_promise: StrictBool = True


class Decline(Input):
    """Why a gesture is not given."""

    reason: str = Field(min_length=3, max_length=500)


class SurveyIn(Input):
    """The customer's answer to 'how did we do?' after a gesture."""

    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class GestureRead(Output):
    """A gesture and where it stands."""

    id: uuid.UUID
    customer_id: uuid.UUID
    case_id: uuid.UUID | None
    code: str
    kind: GestureKind
    name: Bilingual
    cost_cents: int
    currency: str
    occasion: str | None
    reason: str
    source: str
    state: GestureState
    created_at: datetime
    decided_at: datetime | None
    decided_by_id: uuid.UUID | None
    decline_reason: str | None
    granted_at: datetime | None
    over_budget: bool
    promise_id: uuid.UUID | None
    done_at: datetime | None
    outcome_due_at: datetime | None
    outcome_at: datetime | None
    repeat_contact: bool | None
    survey_score: int | None


class Budget(Output):
    """This month's recovery budget in the organisation's zone: spent (granted) and waiting for approval."""

    month: str
    currency: str
    monthly_budget_cents: int
    spent_cents: int
    pending_cents: int
    remaining_cents: int
    approval_threshold_cents: int


class CheckInCreate(Input):
    """Schedule a check-in with a customer."""

    customer_id: uuid.UUID
    case_id: uuid.UUID | None = None
    due_at: Moment
    mode: CheckInMode = CheckInMode.TASK
    note: str = Field(min_length=1, max_length=1000)


class CheckInRead(Output):
    """A check-in and what came of it."""

    id: uuid.UUID
    customer_id: uuid.UUID
    case_id: uuid.UUID | None
    gesture_id: uuid.UUID | None
    due_at: datetime
    mode: CheckInMode
    note: str
    source: str
    state: CheckInState
    done_at: datetime | None
    promise_id: uuid.UUID | None
    skip_reason: str | None


class OutcomeLine(Output):
    """Which gestures work: per kind (or code), over a period of grants."""

    key: str
    given: int
    cost_cents: int
    evaluated: int = Field(description="Gestures whose 30 days have passed and been looked at.")
    repeat_contacts: int
    repeat_rate: float | None
    surveys: int
    average_score: float | None


class Outcomes(Output):
    """The outcomes report for leads."""

    since: datetime
    until: datetime
    group_by: Literal["kind", "code"]
    currency: str
    lines: list[OutcomeLine]
