"""The customer page's export link and the erasure page with its typed confirmation."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from attent.agents import CurrentAgent
from attent.agents.service import require_role
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.core.errors import AttentError
from attent.core.templating import check_csrf, render
from attent.customers.service import get_customer
from attent.privacy import retention, service

router = APIRouter(include_in_schema=False)


@router.get("/customers/{customer_id}/export.zip")
def export_zip(
    customer_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep, settings: SettingsDep
) -> Response:
    """Download everything we hold on the customer."""
    data = service.export_customer(
        db=db, actor=actor, customer_id=customer_id, at=clock.now(), settings=settings
    )
    name = f"customer-{customer_id}.zip"
    return Response(
        data, media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/customers/{customer_id}/erase")
def erase_form(request: Request, customer_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """What erasure does, and the field to type the customer's name in."""
    require_role(actor)
    customer = get_customer(db=db, actor=actor, customer_id=customer_id)
    return render(request, "erase_customer.html", agent=actor, customer=customer, error=None)


@router.post("/customers/{customer_id}/erase")
def erase(
    request: Request,
    customer_id: uuid.UUID,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
    confirmation: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Erase, once the name typed matches; the customer page then shows the erased record."""
    check_csrf(request, csrf)
    try:
        service.erase_customer(
            db=db, actor=actor, customer_id=customer_id, confirmation=confirmation, at=clock.now(),
            settings=settings,
        )  # fmt: skip
    except AttentError as exc:
        db.rollback()
        customer = get_customer(db=db, actor=actor, customer_id=customer_id)
        return render(
            request, "erase_customer.html", status_code=exc.status, agent=actor, customer=customer,
            error=exc.say(actor.language),
        )  # fmt: skip
    return RedirectResponse(f"/customers/{customer_id}?erased=1", status_code=303)


@router.post("/admin/privacy")
def save_privacy(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    redact_intake: Annotated[bool, Form()] = False,
    retention_transcript_months: Annotated[int, Form()] = 0,
    retention_attachment_months: Annotated[int, Form()] = 0,
    retention_signal_days: Annotated[int, Form()] = 0,
    retention_outbox_days: Annotated[int, Form()] = 0,
    retention_access_log_days: Annotated[int, Form()] = 0,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Masking at intake, and the retention periods (0: keep)."""
    check_csrf(request, csrf)
    service.set_privacy_settings(db=db, actor=actor, redact_intake=redact_intake)
    periods = {
        "retention_transcript_months": retention_transcript_months,
        "retention_attachment_months": retention_attachment_months,
        "retention_signal_days": retention_signal_days,
        "retention_outbox_days": retention_outbox_days,
        "retention_access_log_days": retention_access_log_days,
    }
    retention.set_retention(db=db, actor=actor, periods=periods)
    return RedirectResponse("/admin/access?saved=1", status_code=303)
