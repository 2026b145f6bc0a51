"""The case page's tags panel: put a tag on the case (a new name joins the list) or take one off.

The forms post like the case page's own (`workspace.case_forms.act_on_case`): back to the page on
success, the page with the reason beside the panel on refusal.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from attent.agents import CurrentAgent
from attent.cases.service import tag_case, untag_case
from attent.core.deps import ClockDep, DbSession
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
