"""The admin pages for playbooks: every case type's steps, edited as rows of a plain form."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from attent.agents import CurrentAgent, Role
from attent.cases import CASE_TYPE
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import AttentError, NotFound
from attent.core.forms import RowLabels, from_row, messages, rows, to_row
from attent.core.templating import check_csrf, page_language, render
from attent.playbooks.schemas import PlaybookIn
from attent.playbooks.service import get_playbook, list_playbooks, replace_playbook

router = APIRouter(include_in_schema=False)
CaseType = Annotated[str, Path(pattern=CASE_TYPE)]
FIELDS = ("key", "step_type", "default_minutes", "title_nl", "title_en", "narration_nl", "narration_en")
BLANK_ROWS = 2
OPTIONAL = ("step_type", "default_minutes")
LABELS = RowLabels(
    collection="steps",
    item="Step {number}",
    fields={
        "steps": "Steps",
        "key": "key",
        "step_type": "step type",
        "default_minutes": "minutes",
        "title": "what the agent does",
        "narration": "what the agent says",
    },
)


@router.get("/admin/playbooks")
def playbooks_page(request: Request, db: DbSession, actor: CurrentAgent, case_type: str = "") -> Response:
    """All playbooks, and a way to start one for a new case type."""
    if case_type:
        return RedirectResponse(f"/admin/playbooks/{case_type.strip().lower()}", status_code=303)
    return render(
        request,
        "admin_playbooks.html",
        agent=actor,
        playbooks=list_playbooks(db=db, actor=actor),
        can_edit=actor.role is Role.ADMIN,
    )


@router.get("/admin/playbooks/{case_type}")
def playbook_page(request: Request, case_type: CaseType, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """One case type's steps as editable rows (read-only for agents and leads)."""
    try:
        playbook = get_playbook(db=db, actor=actor, case_type=case_type)
        steps = [to_row(step.model_dump(), FIELDS) for step in playbook.steps]
    except NotFound:
        steps = []
    return _page(request, actor, case_type, steps)


@router.post("/admin/playbooks/{case_type}")
async def save_playbook(
    request: Request, case_type: CaseType, db: DbSession, actor: CurrentAgent, clock: ClockDep
) -> Response:
    """Replace the steps; a refusal shows the form again as typed, with each bad field named."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    steps = rows(form, "steps", FIELDS)
    try:
        data = PlaybookIn.model_validate({"steps": [from_row(row, FIELDS, OPTIONAL) for row in steps]})
        replace_playbook(db=db, actor=actor, case_type=case_type, data=data, at=clock.now())
    except (AttentError, ValidationError) as exc:
        db.rollback()
        status = exc.status if isinstance(exc, AttentError) else 422
        errors = messages(exc, LABELS, page_language(request))
        return _page(request, actor, case_type, steps, status_code=status, errors=errors)
    return RedirectResponse(f"/admin/playbooks/{case_type}?saved=1", status_code=303)


def _page(
    request: Request,
    actor: Any,
    case_type: str,
    steps: list[dict[str, str]],
    status_code: int = 200,
    errors: list[str] | None = None,
) -> HTMLResponse:
    blanks = [dict.fromkeys(FIELDS, "") for _ in range(BLANK_ROWS)]
    return render(
        request,
        "admin_playbook.html",
        status_code=status_code,
        page_url=f"/admin/playbooks/{case_type}",
        agent=actor,
        case_type=case_type,
        steps=steps + blanks,
        errors=errors or [],
        saved=request.query_params.get("saved") == "1" and not errors,
        can_edit=actor.role is Role.ADMIN,
    )
