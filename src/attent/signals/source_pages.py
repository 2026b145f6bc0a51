"""The admin page for signal sources (was API-only): each source's webhook address, its mapping as
fields, its recent refusals; a new source's secret shown once, on the page that answers the form."""

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from attent.agents import Agent, CurrentAgent
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.core.errors import AttentError
from attent.core.templating import check_csrf, render
from attent.signals import sources
from attent.signals.schemas import SOURCE_NAME, SourceIn

router = APIRouter(include_in_schema=False)
FIELDS = ("type", "customer_ref", "customer_ref_system", "occurred_at", "external_id")


def _pairs(text: str) -> dict[str, str]:
    """`key = value` lines (the type map, the attributes) as a mapping; blank lines skipped."""
    return {
        k.strip(): v.strip() for k, _, v in (line.partition("=") for line in text.splitlines()) if k.strip()
    }


def _page(request: Request, db: Session, actor: Agent, status_code: int = 200, **extra: Any) -> HTMLResponse:
    return render(
        request, "admin_sources.html", status_code=status_code, agent=actor,
        sources=sources.list_sources(db=db, actor=actor), fields=FIELDS,
        form=extra.pop("form", {}), error=extra.pop("error", None), created=extra.pop("created", None),
    )  # fmt: skip


@router.get("/admin/signal-sources")
def sources_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """Every source with its address, mapping and recent refusals (admins)."""
    return _page(request, db, actor)


@router.post("/admin/signal-sources")
async def save_source(
    request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep, settings: SettingsDep
) -> Response:
    """Create or change a source; a new (or rotated) secret is on this answer only."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    values = {k: str(form.get(k, "")).strip() for k in ("name", *FIELDS, "type_map", "attributes")}
    name = values["name"]
    try:
        if not re.fullmatch(SOURCE_NAME, name):
            raise ValueError("name")
        mapping = {k: values[k] for k in FIELDS} | {
            "type_map": _pairs(values["type_map"]),
            "attributes": _pairs(values["attributes"]),
        }
        data = SourceIn.model_validate({"mapping": mapping})
        read = sources.put_source(
            db=db, actor=actor, name=name, data=data, at=clock.now(), key=settings.secret_key,
            rotate=form.get("rotate") == "true",
        )  # fmt: skip
    except (ValueError, ValidationError) as exc:
        db.rollback()
        bad = [str(e["loc"][-1]) for e in exc.errors()] if isinstance(exc, ValidationError) else ["name"]
        return _page(request, db, actor, status_code=422, form=values, error=bad)
    except AttentError as exc:
        db.rollback()
        return _page(request, db, actor, status_code=exc.status, form=values, error=[exc.say(actor.language)])
    db.commit()
    return _page(request, db, actor, created={"name": read.name, "secret": read.secret, "url": read.url_path})
