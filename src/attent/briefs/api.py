"""The handoff brief."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from attent.agents import CurrentAgent
from attent.briefs.schemas import Brief
from attent.briefs.service import build_brief
from attent.core.deps import ClockDep, DbSession
from attent.core.onethread import OneThreadRoute

router = APIRouter(tags=["cases"], route_class=OneThreadRoute)


@router.get("/cases/{case_id}/brief")
def brief(
    case_id: uuid.UUID,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    lang: Annotated[
        str | None, Query(pattern="^(nl|en)$", description="Language of the summaries; default yours.")
    ] = None,
) -> Brief:
    """What the customer needs, what was done and promised, what is next: read this before saying hello."""
    return build_brief(db=db, actor=actor, case_id=case_id, now=clock.now(), language=lang)
