"""Export (art. 15) and erasure (art. 17) of one customer's data."""

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from attent.agents import CurrentAgent
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.core.onethread import OneThreadRoute
from attent.privacy import service
from attent.privacy.schemas import Erased, Erasure

router = APIRouter(prefix="/customers", tags=["privacy"], route_class=OneThreadRoute)


@router.get(
    "/{customer_id}/export",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "A ZIP of JSON files."}},
)
def export(
    customer_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep, settings: SettingsDep
) -> Response:
    """Everything we hold on the customer, as a ZIP of JSON files (leads and admins); the access log
    records who exported it."""
    data = service.export_customer(
        db=db, actor=actor, customer_id=customer_id, at=clock.now(), settings=settings
    )
    name = f"customer-{customer_id}.zip"
    return Response(
        data, media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/{customer_id}/erase")
def erase(
    customer_id: uuid.UUID,
    body: Erasure,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
) -> Erased:
    """Erase the customer's personal data everywhere it is copied (admins; irreversible): `confirmation`
    is the customer's name. The cases stay, with their counts, marked "customer erased"."""
    rows = service.erase_customer(
        db=db, actor=actor, customer_id=customer_id, confirmation=body.confirmation, at=clock.now(),
        settings=settings,
    )  # fmt: skip
    return Erased(customer_id=str(customer_id), rows=rows)
