"""The recovery ladder and the occasions as a page (admins): what to suggest for a customer's n-th failure,
and which gesture marks a happy occasion. Until now only `PUT /api/v1/recovery/policy` changed them.

One form, rows as the catalogue page has them: an empty row adds a rung or an occasion, emptying a
row's first field removes it, so it works without JavaScript. The rest of the policy (failure types,
check-ins) stays as it is; the catalogue page edits those. A refused form comes back as typed, each
problem beside its field, and nothing is saved.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from attent.agents import CurrentAgent, Role
from attent.agents.service import require_role
from attent.cases import Priority
from attent.core.deps import DbSession
from attent.core.errors import AttentError, Invalid
from attent.core.forms import say_plain
from attent.core.templating import check_csrf, page_language, render
from attent.recovery import service
from attent.recovery.schemas import RecoveryPolicy

router = APIRouter(include_in_schema=False)
MAX_ROWS = 20


def _stored(policy: RecoveryPolicy) -> dict[str, Any]:
    """The form's fields as stored."""
    return {
        "period_days": str(policy.period_days),
        "impact_priorities": [p.value for p in policy.impact_priorities],
        "rungs": [{"failures": str(r.failures), "gestures": list(r.gestures)} for r in policy.ladder],
        "occasions": [{"occasion": o, "gesture": g} for o, g in policy.occasions.items()],
        "check_in_task_hours": str(policy.check_in_task_hours),
    }


def _typed(form: FormData) -> dict[str, Any]:
    """The form's fields as typed; rows whose first field is empty are dropped (that removes them)."""
    rungs = [
        {"failures": str(form.get(f"rung-{i}-failures", "")).strip(),
         "gestures": [str(g) for g in form.getlist(f"rung-{i}-gestures")]}
        for i in range(MAX_ROWS)
    ]  # fmt: skip
    occasions = [
        {
            "occasion": str(form.get(f"occasion-{i}", "")).strip(),
            "gesture": str(form.get(f"occasion-{i}-gesture", "")),
        }
        for i in range(MAX_ROWS)
    ]
    return {
        "period_days": str(form.get("period_days", "")).strip(),
        "impact_priorities": [str(p) for p in form.getlist("impact_priorities")],
        "rungs": [r for r in rungs if r["failures"]],
        "occasions": [o for o in occasions if o["occasion"]],
        "check_in_task_hours": str(form.get("check_in_task_hours", "")).strip(),
    }


def _whole(text: str) -> int | str:
    return int(text) if text.isdigit() else text  # not a number: the check names the field


def _policy(current: RecoveryPolicy, fields: dict[str, Any]) -> dict[str, Any]:
    """The policy the form describes, the parts it does not show kept as they are."""
    return {
        **current.model_dump(mode="json"),
        "period_days": _whole(fields["period_days"]),
        "impact_priorities": fields["impact_priorities"],
        "ladder": [{"failures": _whole(r["failures"]), "gestures": r["gestures"]} for r in fields["rungs"]],
        "occasions": {o["occasion"]: o["gesture"] for o in fields["occasions"]},
        "check_in_task_hours": _whole(fields["check_in_task_hours"]),
    }


def _beside(exc: Exception, language: str, fields: dict[str, Any]) -> dict[str, str]:
    """Each problem keyed by the control it belongs beside (`ladder/0/gestures`, `occasions/1`)."""
    found: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(exc, ValidationError):
        found = [(tuple(e["loc"]), say_plain(e, language)) for e in exc.errors()]
    elif isinstance(exc, Invalid):
        found = [(e.path, e.say(language)) for e in exc.errors]
    occasion_rows = {o["occasion"]: i for i, o in enumerate(fields["occasions"])}
    beside: dict[str, str] = {}
    for path, message in found:
        if path[:1] == ("occasions",) and len(path) > 1:
            key = f"occasions/{occasion_rows.get(str(path[1]), str(path[1]))}"
        elif path[:1] == ("ladder",) and len(path) > 2:
            key = f"ladder/{path[1]}/{path[2]}"
        else:
            key = "/".join(str(p) for p in path) or "form"
        beside[key] = f"{beside[key]} {message}" if key in beside else message
    return beside


def _page(request: Request, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = page_language(request)
    names = {g.code: g.name.model_dump().get(language) or g.code for g in context["catalogue"].gestures}
    return render(
        request, "recovery/ladder.html", status_code=status_code, page_url="/recovery/ladder",
        priorities=[p.value for p in Priority], max_rows=MAX_ROWS, names=names, **context,
    )  # fmt: skip


@router.get("/recovery/ladder")
def ladder_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """The suggestion ladder and the occasions, as one form (admins)."""
    require_role(actor, Role.ADMIN)
    return _page(
        request,
        agent=actor,
        fields=_stored(service.get_policy(db=db, actor=actor)),
        catalogue=service.get_catalogue(db=db, actor=actor),
        beside={},
    )


async def _posted(request: Request) -> FormData:
    return await request.form()


@router.post("/recovery/ladder")
def save_ladder(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    form: Annotated[FormData, Depends(_posted)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Save the ladder, the period, the impact priorities and the occasions."""
    require_role(actor, Role.ADMIN)
    check_csrf(request, csrf)
    fields = _typed(form)
    current = service.get_policy(db=db, actor=actor)
    try:
        service.put_policy(db=db, actor=actor, data=RecoveryPolicy.model_validate(_policy(current, fields)))
    except (AttentError, ValidationError) as exc:
        db.rollback()
        language = page_language(request)
        beside = _beside(exc, language, fields)
        if isinstance(exc, AttentError) and not isinstance(exc, Invalid):
            beside = {"form": exc.say(language)}
        return _page(
            request, status_code=422, agent=actor, fields=fields,
            catalogue=service.get_catalogue(db=db, actor=actor), beside=beside,
        )  # fmt: skip
    return RedirectResponse("/recovery/ladder?saved=1", status_code=303)
