"""The scorecard and transcripts as the API shows and accepts them."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, StrictBool

from attent.coach.engine import Scorecard, Transcript, Verdict
from attent.core.i18n import gettext
from attent.core.moments import Moment
from attent.core.schemas import Input, Output

MAX_MESSAGES = 2000
MAX_TEXT = 4000


class ScoreMessage(Input):
    """One turn of a transcript to score."""

    speaker: Literal["agent", "customer", "system"]
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    at: Moment | None = None


class ScoreRequest(Input):
    """A transcript as messages; the start defaults to the first message, the zone to the organisation's."""

    messages: list[ScoreMessage] = Field(max_length=MAX_MESSAGES)
    started_at: Moment | None = None
    timezone: str | None = Field(default=None, max_length=64)
    language: Literal["nl", "en"] | None = Field(default=None, description="Language of the reasons.")


class VerdictRead(Output):
    """One behaviour: met, missed or na, the lines that show it (0-based) and why."""

    behaviour: str
    result: Literal["met", "missed", "na"]
    lines: list[int]
    reason: str


class PromiseFound(Output):
    """A commitment heard in an agent line, with its due time and the words used."""

    line: int
    kind: str
    due_at: datetime
    words: str


class ScorecardRead(Output):
    """The coach's result for one contact."""

    language: Literal["nl", "en"]
    mixed: bool
    met: int
    applicable: int
    verdicts: list[VerdictRead]
    promises: list[PromiseFound]
    lines: int


class StoredScorecard(ScorecardRead):
    """A scorecard kept for a contact that ended in Attent."""

    id: uuid.UUID
    contact_id: uuid.UUID
    case_id: uuid.UUID
    agent_id: uuid.UUID | None
    scored_at: datetime


def say_reason(verdict: Verdict, language: str) -> str:
    """A verdict's reason in `language`: the engine's catalog message with its values filled in."""
    return gettext(language, verdict.reason, **dict(verdict.values))


def scorecard_read(card: Scorecard, transcript: Transcript, language: str) -> ScorecardRead:
    """The API shape of a scorecard, with reasons in `language`."""
    return ScorecardRead(
        language=card.language,
        mixed=card.mixed,
        met=card.met,
        applicable=card.applicable,
        verdicts=[
            VerdictRead(
                behaviour=v.behaviour, result=v.result, lines=list(v.lines), reason=say_reason(v, language)
            )
            for v in card.verdicts
        ],
        promises=[PromiseFound(line=p.line, kind=p.kind, due_at=p.due, words=p.words) for p in card.promises],
        lines=len(transcript.lines),
    )


def scorecard_json(card: Scorecard, transcript: Transcript, language: str) -> dict[str, Any]:
    """The scorecard as plain JSON (CLI and stored rows)."""
    return scorecard_read(card, transcript, language).model_dump(mode="json")


class CoachSettings(Input):
    """The organisation's coach settings an admin may change."""

    auto_promises: StrictBool = Field(
        default=False,
        description="Make promises heard in a contact at once instead of proposing them to the agent.",
    )


class ProposalRead(Output):
    """A promise the coach heard in an agent line, proposed to the agent (or made, accepted, dismissed)."""

    id: uuid.UUID
    case_id: uuid.UUID
    contact_id: uuid.UUID
    agent_id: uuid.UUID | None
    line: int
    kind: str
    due_at: datetime
    words: str
    state: Literal["proposed", "accepted", "dismissed", "made"]
    promise_id: uuid.UUID | None
    decided_by_id: uuid.UUID | None
    decided_at: datetime | None


class CardLineRead(Output):
    """A line from the agent's own conversations and the case it was said on."""

    quote: str
    case_id: uuid.UUID
    at: datetime


class CoachingCardRead(Output):
    """The one small detail: the behaviour with the most room to improve over the window, with evidence."""

    agent_id: uuid.UUID
    since: datetime
    until: datetime
    behaviour: str | None = Field(description="None when nothing was missed in the window.")
    met: int
    missed: int
    missed_line: CardLineRead | None
    good_line: CardLineRead | None
    better_phrasing: str | None
    contacts: int = Field(description="Scored contacts in the window.")


class AgentFocusRead(Output):
    """A team member and the behaviour their card points at."""

    agent_id: uuid.UUID
    name: str
    behaviour: str | None
    met: int
    missed: int


class TrendCellRead(Output):
    """One ISO week of one behaviour: met where it applied."""

    week: str
    met: int
    applicable: int
    share: float | None


class TeamCoachingRead(Output):
    """A team's focus behaviours and, per behaviour, the share met over the last 8 ISO weeks."""

    team_id: uuid.UUID
    team_name: str
    weeks: list[str]
    agents: list[AgentFocusRead]
    trends: dict[str, list[TrendCellRead]]
