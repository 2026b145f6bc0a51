"""The case page's edit forms: its details (type, priority, team, owner) and its tags panel (put a tag
on the case, a new name joining the list, or take one off).

The forms post like the case page's own (`workspace.case_forms.act_on_case`): back to the page on
success, the page with the reason beside the panel on refusal.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from attent.agents import CurrentAgent
from attent.cases import CaseUpdate
from attent.cases.service import merge_case, tag_case, untag_case, update_case
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import FieldError, Invalid
from attent.core.pageforms import redraws
from attent.workspace.case_forms import act_on_case, case_form

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form()]
Once = Annotated[str, Form(max_length=64)]  # the form's one-time token (core/pageforms.py)


@router.post("/cases/{case_id}/tags")
@redraws(case_form("tags"))
def add_tag(
    case_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    name: Annotated[str, Form(max_length=200)] = "",
    csrf: Csrf = "",
    once: Once = "",
) -> Response:
    """Put a tag on the case."""

    def action() -> None:
        tag_case(db=db, actor=actor, case_id=case_id, name=name, at=clock.now())

    return act_on_case(request, db, actor, clock, case_id, csrf, "tags", action, {"name": name}, once=once)


@router.post("/cases/{case_id}/tags/{tag_id}/remove")
def remove_tag(
    case_id: uuid.UUID,
    tag_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    csrf: Csrf = "",
) -> Response:
    """Take a tag off the case."""

    def action() -> None:
        untag_case(db=db, actor=actor, case_id=case_id, tag_id=tag_id, at=clock.now())

    return act_on_case(request, db, actor, clock, case_id, csrf, "tags", action, {})


@router.post("/cases/{case_id}/details")
@redraws(case_form("details"))
def edit_details(
    case_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    type: Annotated[str, Form()] = "",
    priority: Annotated[str, Form()] = "",
    team_id: Annotated[str, Form()] = "",
    owner_id: Annotated[str, Form()] = "",
    csrf: Csrf = "",
    once: Once = "",
) -> Response:
    """Change the case's type, priority, team and owner; each change is its own timeline event."""
    typed_in = {"type": type, "priority": priority, "team_id": team_id, "owner_id": owner_id}

    def action() -> None:
        changes: dict[str, object] = {"owner_id": owner_id or None}
        if type:
            changes["type"] = type
        if priority:
            changes["priority"] = priority
        if team_id:
            changes["team_id"] = team_id
        update_case(
            db=db, actor=actor, case_id=case_id, data=CaseUpdate.model_validate(changes), at=clock.now()
        )

    return act_on_case(request, db, actor, clock, case_id, csrf, "details", action, typed_in, once=once)


@router.post("/cases/{case_id}/merge")
def merge(
    case_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    into: Annotated[str, Form()] = "",
    csrf: Csrf = "",
) -> Response:
    """Merge this case into another of the customer's; then the kept case's page, with one timeline."""

    def action() -> None:
        try:
            target = uuid.UUID(into)
        except ValueError:
            raise Invalid(
                "merge_into", "Choose the case to merge into.", [FieldError(("into",), "Required.")]
            ) from None
        merge_case(db=db, actor=actor, case_id=case_id, into_id=target, at=clock.now())

    return act_on_case(request, db, actor, clock, case_id, csrf, "merge", action, {"into": into})
