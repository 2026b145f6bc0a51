"""The case list ("Zaken") as a queue: filters, sorts, paging, saved views in a side menu, bulk actions.

Every form works without JavaScript: the filters are a GET form (so a view is an address), saving a
view and acting on the selected cases post, and redirect back to the queue as it was (Post/Redirect/
Get); a refusal draws the queue again with the reason beside the form and nothing written.
"""

import uuid
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from attent.agents import Agent, CurrentAgent, Role
from attent.agents.service import visible_agents
from attent.cases import BatchRefused, BulkAction, CaseStatus, Priority
from attent.cases.service import bulk_update, list_tags
from attent.contacts import Channel
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.i18n import named_in_catalog
from attent.core.pageforms import Redraw, redraws, typed
from attent.core.templating import check_csrf, page_language, render
from attent.organisations.service import get_organisation
from attent.workspace import views
from attent.workspace.queue import PromiseFilter, QueueFilters, Sort, parse_queue, queue

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form()]


def _query(request: Request) -> dict[str, list[str]]:
    return {k: request.query_params.getlist(k) for k in request.query_params}


def _address(filters: QueueFilters, **more: Any) -> str:
    """The queue's address for these filters (what the page's links and redirects carry)."""
    return urlencode({**filters.params(), **{k: v for k, v in more.items() if v}}, doseq=True)


def queue_view(
    request: Request,
    *,
    db: Session,
    actor: Agent,
    clock: Clock,
    query: dict[str, list[str]],
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """Everything the queue page shows; its forms draw it again with their refusal."""
    now = clock.now()
    language = page_language(request)
    tz = get_organisation(db=db, organisation_id=actor.organisation_id).timezone
    current = None
    filter_errors: list[str] = []
    view_id = (query.get("view") or [""])[-1]
    try:
        if view_id:
            current = views.get_view(db=db, actor=actor, view_id=_uuid(view_id, "view"))
            filters = views.view_filters(current)
        else:
            filters = parse_queue(query)
    except AttentError as exc:
        filters = QueueFilters()
        errors = exc.errors if isinstance(exc, Invalid) else []
        filter_errors = [e.say(language) for e in errors] or [exc.say(language)]
        status_code = max(status_code, exc.status)
    cursor = (query.get("cursor") or [""])[-1] or None
    try:
        found = queue(db=db, actor=actor, filters=filters, now=now, tz=tz, cursor=cursor, limit=50)
    except Invalid as exc:  # a cursor the page did not hand out: the first page
        filter_errors.extend(e.say(language) for e in exc.errors)
        found = queue(db=db, actor=actor, filters=filters, now=now, tz=tz, limit=50)
    # The catalog's case types (and the one filtered on): a DISTINCT over the visible cases costs a scan.
    types = sorted({*named_in_catalog("case_type"), *([filters.type] if filters.type else [])})
    here = _address(filters, view=view_id)
    return render(
        request,
        "cases.html",
        status_code=status_code,
        agent=actor,
        queue=found,
        filters=filters,
        current_view=current,
        menu=views.menu(db=db, actor=actor, team_names=found.team_names, now=now, tz=tz),
        filter_errors=filter_errors,
        agents=[a for a in visible_agents(db=db, actor=actor) if a.active],
        tags=[t for t, _ in list_tags(db=db, actor=actor)],
        types=types,
        statuses=[s.value for s in CaseStatus],
        priorities=[p.value for p in Priority],
        channels=[c.value for c in Channel],
        promise_states=[p.value for p in PromiseFilter],
        sorts=[s.value for s in Sort],
        actions=[a.value for a in BulkAction],
        here=here,
        filters_query=_address(filters),
        next_query=_address(filters, view=view_id, cursor=found.next_cursor),
        changed=_int((query.get("changed") or [""])[-1]),
        may_share=actor.role in (Role.LEAD, Role.ADMIN),
        now=now,
        tz=tz,
        page_url="/cases" + (f"?{here}" if here else ""),
        **extra,
    )


def _uuid(raw: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise Invalid(
            "invalid_filter", "The filter is not valid.", [FieldError(("query", field), "Not an id.")]
        ) from None


def _int(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 7 else None


@router.get("/cases")
def cases_page(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> HTMLResponse:
    """The queue: the visible cases as filtered, sorted and paged; saved views in the side menu."""
    return queue_view(request, db=db, actor=actor, clock=clock, query=_query(request))


def _back_query(back: str) -> dict[str, list[str]]:
    """The queue address a form came from (only the query: a form cannot send anyone elsewhere)."""
    return {k: v for k, v in parse_qs(back.lstrip("?"), keep_blank_values=False).items() if k != "changed"}


def _refused(
    request: Request, db: Session, actor: Agent, clock: Clock, back: str, exc: AttentError, form: str
) -> HTMLResponse:
    db.rollback()
    language = page_language(request)
    shown: dict[str, Any] = {
        "form": form,
        "detail": exc.say(language),
        "errors": [e.say(language) for e in exc.errors] if isinstance(exc, Invalid) else [],
        "values": {},
        "refused": [(r.subject, r.error.say(language)) for r in exc.refusals]
        if isinstance(exc, BatchRefused)
        else [],
    }
    return queue_view(
        request,
        db=db,
        actor=actor,
        clock=clock,
        query=_back_query(back),
        status_code=exc.status,
        form_error=shown,
    )


def _redraw(form_name: str) -> Redraw:
    """How the bulk and save-view forms, refused before their route ran, are drawn again as typed."""

    def redraw(
        request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
    ) -> Response:
        language = page_language(request)
        values = typed(form)
        shown = {"form": form_name, "detail": "", "errors": [e.say(language) for e in errors], "refused": []}
        back = _back_query(values.get("back", "")[:4000])
        return queue_view(
            request, db=db, actor=actor, clock=clock, query=back, status_code=422,
            form_error={**shown, "values": values},
        )  # fmt: skip

    return redraw


@router.post("/cases/bulk")
@redraws(_redraw("bulk"))
def bulk(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    case_id: Annotated[list[str], Form(default_factory=list)],
    action: Annotated[str, Form()] = "",
    owner_id: Annotated[str, Form()] = "",
    team_id: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
    tag: Annotated[str, Form(max_length=200)] = "",
    back: Annotated[str, Form(max_length=4000)] = "",
    csrf: Csrf = "",
) -> Response:
    """Do one thing to every selected case, or (one refuses) nothing; back to the queue as it was."""
    check_csrf(request, csrf)
    try:
        chosen = _bulk_values(action, case_id, owner_id, team_id, status)
        changed = bulk_update(db=db, actor=actor, at=clock.now(), tag=tag or None, **chosen)
    except AttentError as exc:
        return _refused(request, db, actor, clock, back, exc, "bulk")
    query = _back_query(back)
    query["changed"] = [str(len(changed))]
    return RedirectResponse("/cases?" + urlencode(query, doseq=True), status_code=303)


def _bulk_values(
    action: str, case_ids: list[str], owner_id: str, team_id: str, status: str
) -> dict[str, Any]:
    """The bulk form's fields, typed; anything that is not what the page offered is a 422 naming it."""
    errors = []
    try:
        chosen_action = BulkAction(action)
    except ValueError:
        errors.append(FieldError(("action",), "Choose what to do with the selected cases."))
    ids = []
    for raw in case_ids[:10_001]:
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            errors.append(FieldError(("case_id",), "Not a case id."))
            break
    found: dict[str, Any] = {}
    for name, raw in (("owner_id", owner_id), ("team_id", team_id)):
        try:
            found[name] = uuid.UUID(raw) if raw else None
        except ValueError:
            errors.append(FieldError((name,), "Not an id."))
    try:
        found["status"] = CaseStatus(status) if status else None
    except ValueError:
        errors.append(FieldError(("status",), "Unknown value “{value}”.", {"value": status[:40]}))
    if not ids and not errors:
        errors.append(FieldError(("case_id",), "Select at least one case."))
    if errors:
        raise Invalid("invalid_batch", "The selection cannot be changed as given.", errors)
    return {"action": chosen_action, "case_ids": ids, **found}


@router.post("/views")
@redraws(_redraw("view"))
def save_view(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    name: Annotated[str, Form(max_length=200)] = "",
    team_id: Annotated[str, Form()] = "",
    back: Annotated[str, Form(max_length=4000)] = "",
    csrf: Csrf = "",
) -> Response:
    """Save the queue's filters as a view (a lead may share it with a team) and open it."""
    check_csrf(request, csrf)
    try:
        filters = parse_queue({k: v for k, v in _back_query(back).items() if k not in ("view", "cursor")})
        team = _uuid(team_id, "team_id") if team_id else None
        view = views.save_view(db=db, actor=actor, name=name, filters=filters, team_id=team, at=clock.now())
    except AttentError as exc:
        return _refused(request, db, actor, clock, back, exc, "view")
    return RedirectResponse(f"/cases?view={view.id}", status_code=303)


@router.post("/views/{view_id}/delete")
def delete_view(
    view_id: uuid.UUID, request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep, csrf: Csrf = ""
) -> Response:
    """Delete a view (one's own; a team's by a lead) and go back to all cases."""
    check_csrf(request, csrf)
    try:
        views.delete_view(db=db, actor=actor, view_id=view_id)
    except AttentError as exc:
        return _refused(request, db, actor, clock, f"view={view_id}", exc, "view")
    return RedirectResponse("/cases", status_code=303)
