"""The admin page for the verification policy: its questions as rows of a plain form."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from attent.agents import Agent, CurrentAgent, Role
from attent.core.deps import DbSession
from attent.core.errors import AttentError
from attent.core.forms import RowLabels, from_row, messages, rows, to_row
from attent.core.templating import check_csrf, page_language, render
from attent.verification.policy import DEFAULT_POLICY
from attent.verification.schemas import Policy
from attent.verification.service import get_policy, set_policy

router = APIRouter(include_in_schema=False)
FIELDS = ("key", "fact", "sensitivity", "label_nl", "label_en", "why_nl", "why_en")
BLANK_ROWS = 1
LABELS = RowLabels(
    collection="questions",
    item="Question {number}",
    fields={
        "questions": "Questions",
        "key": "key",
        "fact": "fact it checks",
        "sensitivity": "sensitivity",
        "label": "what it checks",
        "why": "why it is asked",
    },
    others={"max_failures": "Wrong answers allowed", "window_minutes": "Within minutes"},
)


@router.get("/admin/verification")
def policy_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """The questions agents may ask, least sensitive first (read-only for agents and leads)."""
    policy = get_policy(db=db, organisation_id=actor.organisation_id)
    return _page(request, actor, [to_row(q.model_dump(), FIELDS) for q in policy.questions], _limits(policy))


@router.post("/admin/verification")
async def save_policy(request: Request, db: DbSession, actor: CurrentAgent) -> Response:
    """Replace the policy; a refusal (e.g. a question about date of birth) shows the form again as typed."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    questions = rows(form, "questions", FIELDS)
    limits = {name: str(form.get(name, "")).strip() for name in ("max_failures", "window_minutes")}
    try:
        policy = Policy.model_validate(
            {
                "questions": [from_row(row, FIELDS, optional=("sensitivity",)) for row in questions],
                **{k: v or None for k, v in limits.items()},
            }
        )
        set_policy(db=db, actor=actor, policy=policy)
    except (AttentError, ValidationError) as exc:
        db.rollback()
        errors = messages(exc, LABELS, page_language(request))
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
        page_url="/admin/verification",
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
