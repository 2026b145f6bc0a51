"""The admin page for the promise rules: when a promise warns, the grace after its due time, how soon a
dropped call is called back, and whether customers hear about their promises (was API-only)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from attent.agents import CurrentAgent, Role
from attent.core.deps import DbSession
from attent.core.templating import check_csrf, render
from attent.promises.models import PromiseKind
from attent.promises.schemas import PromiseSettings
from attent.promises.settings import promise_settings, set_promise_settings

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, db: DbSession, actor: CurrentAgent, status_code: int = 200, **extra: object
) -> HTMLResponse:
    return render(
        request, "admin_promises.html", status_code=status_code, agent=actor,
        settings=extra.pop("form", None) or promise_settings(db=db, actor=actor),
        kinds=[k.value for k in PromiseKind], can_edit=actor.role is Role.ADMIN,
        saved=request.query_params.get("saved") == "1", bad=extra.pop("bad", []),
    )  # fmt: skip


@router.get("/admin/promises")
def promises_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """The organisation's promise rules, each a field (read-only for leads and agents)."""
    return _page(request, db, actor)


@router.post("/admin/promises")
async def save_promises(request: Request, db: DbSession, actor: CurrentAgent) -> Response:
    """Save the rules; a bad number is named in place and nothing is saved."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    warn = {
        k: str(form.get(f"at_risk-{k}", "")).strip() for k in [*[k.value for k in PromiseKind], "default"]
    }
    raw = {
        "grace_minutes": str(form.get("grace_minutes", "")).strip(),
        "dropped_callback_minutes": str(form.get("dropped_callback_minutes", "")).strip(),
        "tell_customer": form.get("tell_customer") == "true",
        "at_risk_minutes": {k: v for k, v in warn.items() if v},
    }
    try:
        data = PromiseSettings.model_validate(raw)
    except ValidationError as exc:
        bad = sorted({".".join(str(p) for p in e["loc"][:2]) for e in exc.errors()})
        return _page(request, db, actor, status_code=422, bad=bad, form=raw)
    set_promise_settings(db=db, actor=actor, data=data)
    return RedirectResponse("/admin/promises?saved=1", status_code=303)
