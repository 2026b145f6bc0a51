"""A new case from the web app: find the customer (or add them on the spot), the channel they came
through, the subject and their first message, the type, priority and team.

Works without JavaScript: finding a customer is a GET form that lists matches, each a link that
chooses it; with none chosen, the name and e-mail address typed in the form become a new customer.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from attent.agents import Agent, CurrentAgent
from attent.agents.service import list_teams
from attent.cases import CaseCreate, Priority
from attent.cases.service import create_case
from attent.contacts import Channel, ContactCreate, Direction, MessageIn, Speaker
from attent.contacts.service import log_contact
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import AttentError, FieldError, Invalid, NotFound
from attent.core.forms import plain
from attent.core.i18n import gettext, named_in_catalog
from attent.core.pageforms import redraws, typed
from attent.core.templating import check_csrf, page_language, render
from attent.customers import Customer, CustomerCreate
from attent.customers.service import create_customer, get_customer, list_customers

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=300)]
CHANNELS = [c.value for c in Channel if c is not Channel.PROACTIVE]  # an agent logs what came in
LABELS = {
    "name": "Name", "email": "E-mail address", "phone": "Phone", "channel": "Channel",
    "subject": "Subject", "message": "What the customer asks (their words)", "type": "Type",
    "priority": "Priority", "team_id": "Team",
}  # fmt: skip


def new_case_view(
    request: Request,
    *,
    db: Session,
    actor: Agent,
    customer_id: str = "",
    find: str = "",
    status_code: int = 200,
    values: dict[str, str] | None = None,
    errors: list[str] | None = None,
) -> HTMLResponse:
    """The form; `find` lists matching customers, `customer_id` is the one chosen."""
    customer: Customer | None = None
    if customer_id:
        try:
            customer = get_customer(db=db, actor=actor, customer_id=uuid.UUID(customer_id))
        except (ValueError, NotFound):
            customer = None
    matches: list[Customer] = []
    if find.strip() and customer is None:
        matches, _ = list_customers(
            db=db, actor=actor, q=find.strip()[:200], external_ref=None, cursor=None, limit=10
        )
    return render(
        request,
        "new_case.html",
        status_code=status_code,
        agent=actor,
        customer=customer,
        find=find,
        matches=matches,
        channels=CHANNELS,
        case_types=named_in_catalog("case_type"),
        priorities=[p.value for p in Priority],
        teams=list_teams(db=db, actor=actor),
        values=values or {},
        errors=errors or [],
    )


@router.get("/cases/new")
def new_case_page(
    request: Request, db: DbSession, actor: CurrentAgent, customer: str = "", find: str = ""
) -> HTMLResponse:
    """The new-case form, with the customer found or chosen so far."""
    return new_case_view(request, db=db, actor=actor, customer_id=customer, find=find[:200])


def _said(language: str, error: FieldError) -> str:
    """A field's reason, led by the field's name on the page."""
    field = str(error.path[-1]) if error.path else ""
    return (
        f"{gettext(language, LABELS[field])}: {error.say(language)}"
        if field in LABELS
        else error.say(language)
    )


def _redraw(
    request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
) -> Response:
    """The form refused before its route ran (a field too long): drawn again as typed, with why."""
    values = typed(form)
    language = page_language(request)
    lines = [_said(language, e) for e in errors]
    return new_case_view(
        request, db=db, actor=actor, customer_id=values.get("customer_id", ""), status_code=422,
        values=values, errors=lines,
    )  # fmt: skip


@router.post("/cases/new")
@redraws(_redraw)
def open_new_case(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    customer_id: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
    channel: Annotated[str, Form()] = "",
    subject: Short = "",
    message: Annotated[str, Form(max_length=20_000)] = "",
    type: Annotated[str, Form()] = "general",
    priority: Annotated[str, Form()] = "normal",
    team_id: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Open the case (and the customer, when new) and log the contact it came in on; then show it."""
    check_csrf(request, csrf)
    values = {
        "customer_id": customer_id, "name": name, "email": email, "phone": phone, "channel": channel,
        "subject": subject, "message": message, "type": type, "priority": priority, "team_id": team_id,
    }  # fmt: skip
    try:
        case_id = _open(db, actor, clock, values)
    except (AttentError, ValidationError) as exc:
        db.rollback()
        return _refused(request, db, actor, values, exc)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _open(db: Session, actor: Agent, clock: Clock, values: dict[str, str]) -> uuid.UUID:
    now = clock.now()
    try:
        channel = Channel(values["channel"])
    except ValueError:
        raise Invalid(
            "invalid_case", "The case cannot be opened as given.", [FieldError(("channel",), "Required.")]
        ) from None
    if values["customer_id"]:
        try:
            customer = get_customer(db=db, actor=actor, customer_id=uuid.UUID(values["customer_id"]))
        except ValueError:
            raise NotFound.of("customer", values["customer_id"][:40]) from None
    else:
        details: dict[str, Any] = {"name": values["name"].strip()}
        details |= {k: values[k].strip() for k in ("email", "phone") if values[k].strip()}
        customer = create_customer(db=db, actor=actor, data=CustomerCreate.model_validate(details), at=now)
    data: dict[str, Any] = {
        "customer_id": customer.id,
        "subject": values["subject"].strip(),
        "description": values["message"].strip() or None,
        "type": values["type"] or "general",
        "priority": values["priority"] or "normal",
        "team_id": values["team_id"] or None,
    }
    case = create_case(db=db, actor=actor, data=CaseCreate.model_validate(data), at=now)
    said = (
        [MessageIn(speaker=Speaker.CUSTOMER, text=values["message"].strip())]
        if values["message"].strip()
        else []
    )
    contact = ContactCreate(channel=channel, direction=Direction.INBOUND, started_at=now, messages=said)
    log_contact(db=db, actor=actor, case_id=case.id, data=contact, at=now)
    return case.id


def _refused(
    request: Request, db: Session, actor: Agent, values: dict[str, str], exc: AttentError | ValidationError
) -> HTMLResponse:
    """The form again, filled in as typed, each reason naming its field in the reader's words."""
    language = page_language(request)
    if isinstance(exc, ValidationError):
        fields = [FieldError(tuple(e["loc"]), *plain(e)) for e in exc.errors()]
        status, lines = 422, []
    else:
        fields = exc.errors if isinstance(exc, Invalid) else []
        status, lines = exc.status, [exc.say(language)]
    for error in fields:
        field = str(error.path[-1]) if error.path else ""
        said = error.say(language)
        lines.append(f"{gettext(language, LABELS[field])}: {said}" if field in LABELS else said)
    return new_case_view(
        request,
        db=db,
        actor=actor,
        customer_id=values["customer_id"],
        status_code=status,
        values=values,
        errors=lines,
    )
