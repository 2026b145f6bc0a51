"""The admin page listing what the worker set aside, with 'try again'."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from attent.agents import CurrentAgent
from attent.core.deps import ClockDep, DbSession
from attent.core.templating import check_csrf, render
from attent.failures import service
from attent.organisations import Organisation

router = APIRouter(include_in_schema=False)


@router.get("/admin/failures")
def failures_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """Set-aside work, newest first, each with its case and reason (admins)."""
    failures = service.list_failures(db=db, actor=actor)
    organisation = db.get(Organisation, actor.organisation_id)
    return render(
        request,
        "admin_failures.html",
        agent=actor,
        failures=failures,
        labels=service.LABELS,
        tz=organisation.timezone if organisation else "Europe/Amsterdam",
        retried=request.query_params.get("retried") == "1",
    )


@router.post("/admin/failures/{failure_id}/retry")
def retry(
    failure_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Try it again; back to the list."""
    check_csrf(request, csrf)
    service.retry_failure(db=db, actor=actor, failure_id=failure_id, at=clock.now())
    return RedirectResponse("/admin/failures?retried=1", status_code=303)
