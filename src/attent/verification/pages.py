"""The admin page for the verification policy: its questions as rows of a plain form."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from attent.agents.models import Agent, Role
from attent.core.deps import CurrentAgent, DbSession
from attent.core.errors import AttentError
from attent.core.forms import messages, rows
from attent.core.i18n import gettext
from attent.core.templating import check_csrf, page_language, render
from attent.verification.policy import DEFAULT_POLICY
from attent.verification.schemas import Policy
from attent.verification.service import get_policy, set_policy

router = APIRouter(include_in_schema=False)
FIELDS = ("key", "fact", "sensitivity", "label_nl", "label_en", "why_nl", "why_en")
BLANK_ROWS = 1
LABELS = {
    "key": "key",
    "fact": "fact it checks",
    "sensitivity": "sensitivity",
    "label": "what it checks",
    "why": "why it is asked",
}


@router.get("/admin/verification")
def policy_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """The questions agents may ask, least sensitive first (read-only for agents and leads)."""
    policy = get_policy(db=db, organisation_id=actor.organisation_id)
    return _page(request, actor, [_row(q.model_dump()) for q in policy.questions], _limits(policy))


@router.post("/admin/verification")
async def save_policy(request: Request, db: DbSession, actor: CurrentAgent) -> Response:
    """Replace the policy; a refusal (e.g. a question about date of birth) shows the form again as typed."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    questions = rows(form, "questions", FIELDS)
    limits = {name: str(form.get(name, "")).strip() for name in ("max_failures", "window_minutes")}
    try:
        policy = Policy.model_validate(
            {"questions": [_question(row) for row in questions], **{k: v or None for k, v in limits.items()}}
        )
        set_policy(db=db, actor=actor, policy=policy)
    except (AttentError, ValidationError) as exc:
        db.rollback()
        language = page_language(request)
        errors = messages(exc, lambda path: _label(path, language), language)
        status = exc.status if isinstance(exc, AttentError) else 422
        return _page(request, actor, questions, limits, status_code=status, errors=errors)
    return RedirectResponse("/admin/verification?saved=1", status_code=303)


def _page(
    request: Request,
    actor: Agent,
    questions: list[dict[str, str]],
    limits: dict[str, str],
    status_code: int = 200,
    errors: list[str] | None = None,
) -> HTMLResponse:
    blanks = [dict.fromkeys(FIELDS, "") for _ in range(BLANK_ROWS)]
    return render(
        request,
        "admin_verification.html",
        status_code=status_code,
        agent=actor,
        questions=questions + blanks,
        limits=limits,
        defaults=_limits(DEFAULT_POLICY),
        errors=errors or [],
        saved=request.query_params.get("saved") == "1" and not errors,
        can_edit=actor.role is Role.ADMIN,
    )


def _limits(policy: Policy) -> dict[str, str]:
    return {"max_failures": str(policy.max_failures), "window_minutes": str(policy.window_minutes)}


def _row(question: dict[str, Any]) -> dict[str, str]:
    """A stored question as the form's text fields."""
    return {
        "key": question["key"],
        "fact": question["fact"],
        "sensitivity": str(question["sensitivity"]),
        "label_nl": question["label"]["nl"],
        "label_en": question["label"]["en"],
        "why_nl": question["why"]["nl"],
        "why_en": question["why"]["en"],
    }


def _question(row: dict[str, str]) -> dict[str, Any]:
    """The form's text fields as the API's question."""
    return {
        "key": row["key"],
        "fact": row["fact"],
        "sensitivity": row["sensitivity"] or None,
        "label": {"nl": row["label_nl"], "en": row["label_en"]},
        "why": {"nl": row["why_nl"], "en": row["why_en"]},
    }


def _label(path: tuple[Any, ...], language: str) -> str:
    """('questions', 0, 'why', 'en') reads as 'Question 1, why it is asked (en)'."""
    if len(path) >= 3 and path[0] == "questions" and isinstance(path[1], int):
        field = gettext(language, LABELS.get(str(path[2]), str(path[2])))
        text = f" ({path[3]})" if len(path) > 3 else ""
        return gettext(language, "Question {number}", number=path[1] + 1) + f", {field}{text}"
    if path and path[0] in ("max_failures", "window_minutes"):
        return gettext(language, "Wrong answers allowed" if path[0] == "max_failures" else "Within minutes")
    return gettext(language, "Questions")
