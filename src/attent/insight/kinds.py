"""The timeline events the insight domain writes (see `attent.timeline.kinds`)."""

from dataclasses import dataclass

from attent.timeline import Kind, Say, kind


@kind("survey.sent", visible=True)
@dataclass(frozen=True, kw_only=True)
class SurveySent(Kind):
    """The customer was asked how it went (CSAT and CES), with a link that works once."""

    survey_id: str


@kind("survey.skipped")
@dataclass(frozen=True, kw_only=True)
class SurveySkipped(Kind):
    """No survey was sent, and why: the customer came back, was asked recently, or cannot be reached."""

    survey_id: str
    reason: str

    def detail(self, say: Say) -> str:
        return say(self.reason)


@kind("survey.answered", visible=True)
@dataclass(frozen=True, kw_only=True)
class SurveyAnswered(Kind):
    """The customer's answer: satisfaction 1-5, effort 1-7, and whether they left a comment."""

    survey_id: str
    csat: int
    ces: int
    commented: bool = False

    def detail(self, say: Say) -> str:
        return f"{self.csat}/5 · {self.ces}/7"


@kind("survey.low_score")
@dataclass(frozen=True, kw_only=True)
class SurveyLowScore(Kind):
    """A satisfaction of 1 or 2: the case owner's lead is told, to look at the case (and maybe recover)."""

    survey_id: str
    csat: int
    owner_id: str | None = None
