"""Which cases an agent may work, and one case by id as they may see it: the restriction every case
query shares (the case list, search, the brief, bulk actions), in one place."""

import uuid
from functools import cache
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, Uuid, bindparam, or_, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role, TeamMembership
from attent.cases.models import Case
from attent.core.errors import NotFound

Columns = TypeVarTuple("Columns")
VIEWER_ORG, VIEWER_ID = bindparam("viewer_org", type_=Uuid()), bindparam("viewer_id", type_=Uuid())
CASE_ID = bindparam("case_id", type_=Uuid())


def _may_work(organisation_id: Any, agent_id: Any, *, admin: bool) -> list[ColumnElement[bool]]:
    """The cases an agent may work: admins everything, others their teams' cases and their own."""
    conditions = [Case.organisation_id == organisation_id]
    if not admin:
        teams = select(TeamMembership.team_id).where(
            TeamMembership.organisation_id == organisation_id, TeamMembership.agent_id == agent_id
        )
        conditions.append(or_(Case.team_id.in_(teams), Case.team_id.is_(None), Case.owner_id == agent_id))
    return conditions


def visible_to(query: Select[*Columns], actor: Agent) -> Select[*Columns]:
    """Restrict a case query to what the actor may work: admins everything, others their teams' cases."""
    return query.where(*_may_work(actor.organisation_id, actor.id, admin=actor.role is Role.ADMIN))


def visible_case_by_id(query: Select[*Columns], *, admin: bool) -> Select[*Columns]:
    """A statement built once for one case by id as `visible_to` restricts it; its parameters: `viewer`.

    Building a statement costs more than running it on the hottest paths (a case by id on every case
    request); a statement built once is compiled and cache-keyed once.
    """
    return query.where(Case.id == CASE_ID, *_may_work(VIEWER_ORG, VIEWER_ID, admin=admin))


def viewer(actor: Agent, case_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The parameters of `visible_case_by_id`."""
    return {"viewer_org": actor.organisation_id, "viewer_id": actor.id, "case_id": case_id}


@cache
def _case_by_id(*, admin: bool) -> Select[Case]:
    return visible_case_by_id(select(Case), admin=admin)


def get_case(*, db: Session, actor: Agent, case_id: uuid.UUID) -> Case:
    """A case the actor may see; others' cases are 'not found', never 'forbidden'."""
    statement = _case_by_id(admin=actor.role is Role.ADMIN)
    case: Case | None = db.scalar(statement, viewer(actor, case_id))
    if case is None:
        raise NotFound.of("case", case_id)
    return case
