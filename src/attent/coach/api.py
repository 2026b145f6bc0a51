"""The coach's JSON routes: score a transcript on demand; stored scorecards; coaching cards."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from attent.agents import CurrentAgent
from attent.coach import cards, service, stored
from attent.coach.models import ProposalState
from attent.coach.schemas import (
    AgentFocusRead,
    CoachingCardRead,
    CoachSettings,
    ProposalRead,
    ScorecardRead,
    ScoreRequest,
    StoredScorecard,
    TeamCoachingRead,
    TrendCellRead,
)
from attent.core.deps import ClockDep, DbSession, request_body
from attent.core.errors import FieldError, Invalid
from attent.core.moments import Moment
from attent.core.onethread import OneThreadRoute
from attent.core.openapi import body_schema
from attent.core.schemas import Page

router = APIRouter(prefix="/coach", tags=["coach"], route_class=OneThreadRoute)

_TEXT_HELP = "A transcript as JSON messages, or `text/plain` lines starting `Agent:`, `Klant:`, `Customer:`."


def _text(body: bytes) -> str:
    """The body as text; NUL bytes or invalid UTF-8 mean it is not a transcript."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:
        raise Invalid(
            "transcript_not_text",
            "The transcript is not UTF-8 text; send plain text lines or JSON messages.",
            [FieldError(("body",), "Binary data is not a transcript.")],
        )
    return text


_SCORE_BODY = {
    "description": _TEXT_HELP,
    "required": True,
    "content": {
        "application/json": {"schema": body_schema(ScoreRequest)},
        "text/plain": {"schema": {"type": "string", "minLength": 1}},
    },
}


@router.post("/score", openapi_extra={"requestBody": _SCORE_BODY})
def score(
    request: Request,
    body: Annotated[bytes, Depends(request_body)],
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    started_at: Annotated[Moment | None, Query(description="Plain text: when it started.")] = None,
    timezone: Annotated[str | None, Query(max_length=64, description="Plain text: the zone.")] = None,
    language: Annotated[
        str | None, Query(pattern="^(nl|en)$", description="Language of the reasons.")
    ] = None,
) -> ScorecardRead:
    """Score one transcript: nine behaviours with evidence lines and reasons, and the promises heard."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "text/plain":
        return service.score_text(
            db=db, actor=actor, text=_text(body), started_at=started_at, timezone=timezone,
            language=language, at=clock.now(),
        )  # fmt: skip
    try:
        data = ScoreRequest.model_validate_json(_text(body) or "null")
    except ValidationError as error:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in error.errors()]) from None
    return service.score_messages(db=db, actor=actor, data=data, at=clock.now())


@router.get("/settings")
def get_settings(db: DbSession, actor: CurrentAgent) -> CoachSettings:
    """The organisation's coach settings (automatic promises)."""
    return service.coach_settings(db=db, actor=actor)


@router.put("/settings")
def put_settings(body: CoachSettings, db: DbSession, actor: CurrentAgent) -> CoachSettings:
    """Admins: make heard promises at once (`auto_promises: true`) or propose them to the agent."""
    return service.set_coach_settings(db=db, actor=actor, data=body)


@router.get("/contacts/{contact_id}/scorecard")
def contact_scorecard(contact_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> StoredScorecard:
    """The scorecard the worker stored when the contact ended; 404 until it is scored."""
    return stored.contact_scorecard(db=db, actor=actor, contact_id=contact_id)


@router.get("/cases/{case_id}/proposals")
def case_proposals(
    case_id: uuid.UUID,
    db: DbSession,
    actor: CurrentAgent,
    state: Annotated[list[ProposalState] | None, Query()] = None,
) -> Page[ProposalRead]:
    """Promises the coach heard on a case, soonest due first (filter with `state`, repeatable)."""
    rows = stored.list_proposals(db=db, actor=actor, case_id=case_id, states=state)
    return Page(items=[ProposalRead.model_validate(p) for p in rows])


@router.post("/proposals/{proposal_id}/accept")
def accept(proposal_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> ProposalRead:
    """Make the proposed promise (source coach), owned by you; a decided proposal is a 409."""
    return ProposalRead.model_validate(
        stored.accept_proposal(db=db, actor=actor, proposal_id=proposal_id, at=clock.now())
    )


@router.post("/proposals/{proposal_id}/dismiss")
def dismiss(proposal_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> ProposalRead:
    """Not a promise; the same line is never proposed again."""
    return ProposalRead.model_validate(
        stored.dismiss_proposal(db=db, actor=actor, proposal_id=proposal_id, at=clock.now())
    )


@router.get("/card")
def card(db: DbSession, actor: CurrentAgent, clock: ClockDep) -> CoachingCardRead:
    """Your coaching card: the behaviour with the most room to improve over the last 14 days."""
    return CoachingCardRead.model_validate(cards.coaching_card(db=db, agent=actor, at=clock.now()))


@router.get("/team")
def team(
    team_id: Annotated[uuid.UUID, Query()], db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> TeamCoachingRead:
    """Leads (own teams) and admins: each member's focus behaviour and 8 weeks of trends per behaviour."""
    found = cards.team_coaching(db=db, actor=actor, team_id=team_id, at=clock.now())
    return TeamCoachingRead(
        team_id=found.team.id,
        team_name=found.team.name,
        weeks=found.weeks,
        agents=[AgentFocusRead.model_validate(a) for a in found.agents],
        trends={
            b: [TrendCellRead(week=c.week, met=c.met, applicable=c.applicable, share=c.share) for c in cells]
            for b, cells in found.trends.items()
        },
    )
