"""The coach's JSON routes: score a transcript on demand; stored scorecards; coaching cards."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime, ValidationError

from attent.coach import service
from attent.coach.schemas import ScorecardRead, ScoreRequest
from attent.core.deps import ClockDep, CurrentAgent, DbSession, request_body
from attent.core.errors import FieldError, Invalid

router = APIRouter(prefix="/coach", tags=["coach"])

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


@router.post("/score", openapi_extra={"requestBody": {"description": _TEXT_HELP, "required": True}})
def score(
    request: Request,
    body: Annotated[bytes, Depends(request_body)],
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    started_at: Annotated[AwareDatetime | None, Query(description="Plain text: when it started.")] = None,
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
