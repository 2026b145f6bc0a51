"""Work the worker set aside: the list and 'try again' (admins)."""

import uuid

from fastapi import APIRouter, Response

from attent.agents import CurrentAgent
from attent.core.deps import ClockDep, DbSession
from attent.core.onethread import OneThreadRoute
from attent.core.schemas import Page
from attent.failures import service
from attent.failures.schemas import FailureRead

router = APIRouter(prefix="/failures", tags=["failures"], route_class=OneThreadRoute)


@router.get("")
def list_failures(db: DbSession, actor: CurrentAgent) -> Page[FailureRead]:
    """Rows the worker set aside after failing repeatedly, and jobs that failed for good (admins)."""
    return Page(items=service.list_failures(db=db, actor=actor))


@router.post("/{failure_id}/retry", status_code=204)
def retry(failure_id: uuid.UUID, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> Response:
    """Clear its failures so the worker takes it again on its next round."""
    service.retry_failure(db=db, actor=actor, failure_id=failure_id, at=clock.now())
    return Response(status_code=204)
