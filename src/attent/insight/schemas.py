"""What the insight API answers: one line per group, the total, and the total of the period before."""

from datetime import date

from pydantic import Field

from attent.core.schemas import Input, Output

Value = int | float | None


class Line(Output):
    """One group's figures: sums (counts, seconds) and the shares and averages derived from them."""

    key: str | None = Field(description="The group: a team or agent id, a channel, a type, a period start.")
    label: str | None = Field(description="A team's or agent's name; otherwise the key.")
    values: dict[str, Value]


class Report(Output):
    """One measure for one period, grouped as asked, with the previous period's total for the trend."""

    measure: str
    since: date
    until: date = Field(description="The last day counted (inclusive), in the organisation's zone.")
    group_by: str
    window_days: int
    lines: list[Line]
    total: Line
    previous_since: date | None
    previous_until: date | None
    previous: Line | None = Field(
        description="The total of the period of equal length before; none for snapshots (backlog)."
    )


class InsightSettings(Input):
    """The organisation's insight rules."""

    fcr_window_days: int = Field(
        7,
        ge=1,
        le=90,
        description="How long after a resolution a new contact "
        "about it still means the case was not resolved at first contact.",
    )
    first_reply_hours: int = Field(8, ge=1, le=24 * 14, description="The first-reply target, in hours.")
    surveys: bool = Field(True, description="Ask customers how it went after a case is resolved.")
    survey_after_hours: int = Field(24, ge=0, le=24 * 14, description="Hours after the resolution.")
    survey_quiet_days: int = Field(
        30, ge=0, le=365, description="No survey to a customer who was sent one in the last so many days."
    )
    low_score_gesture: str | None = Field(
        None,
        max_length=60,
        pattern=r"^[a-z0-9_]+$",
        description="A recovery gesture (catalogue code, e.g. small_attention) to suggest on the case when a "
        "customer scores their satisfaction 1 or 2; none: only the lead is told.",
    )
    public_url: str = Field(
        "http://localhost:8000",
        max_length=200,
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="Where customers reach Attent: the survey links start with it.",
    )


class SurveyAnswer(Input):
    """A customer's answer: satisfaction 1-5, effort 1-7, an optional comment."""

    csat: int = Field(ge=1, le=5)
    ces: int = Field(ge=1, le=7)
    comment: str | None = Field(default=None, max_length=2000)


class WeeklySummary(Input):
    """Whether the caller gets the weekly summary e-mail."""

    subscribed: bool
