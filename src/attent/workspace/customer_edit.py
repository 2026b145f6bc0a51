"""Editing a customer on their page: names, contact points, references, language, consented facts.

References and facts are edited as lines ("shop: C-1042", "birthday: 12 March | said on the phone");
a line taken out removes that entry. A detail that answers a verification question is never shown,
so it is not in the form: left blank it stays as it is, typed in it is replaced.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from attent.agents import CurrentAgent
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.forms import plain
from attent.core.i18n import gettext
from attent.core.pageforms import redraws, typed
from attent.core.templating import check_csrf, page_language
from attent.customers import Customer, CustomerUpdate, Hidden
from attent.customers.service import (
    get_customer,
    hidden_details,
    merge_customer,
    refs_of,
    update_customer,
)
from attent.workspace.customer_page import customer_view

router = APIRouter(include_in_schema=False)
LABELS = {
    "name": "Name", "email": "E-mail address", "phone": "Phone", "language": "Language",
    "refs": "References (one per line, system: reference)",
    "facts": "Shared with consent (one per line: what: value, then a vertical bar and how they consented)",
    "external_refs": "References (one per line, system: reference)",
}  # fmt: skip


def _lines(text: str, field: str) -> dict[str, str]:
    """'key: value' lines as a dict; a line without a colon is a 422 naming the field."""
    found = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip() or not value.strip():
            raise Invalid(
                "invalid_customer",
                "The customer cannot be changed as given.",
                [FieldError((field,), "Line {n} is not written as “what: value”.", {"n": number})],
            )
        found[key.strip()] = value.strip()
    return found


def _changes(
    customer: Customer, refs: dict[str, str], hidden: Hidden, form: dict[str, str]
) -> dict[str, Any]:
    """The update the form asks for: only what changed, masked details only when typed in."""
    changes: dict[str, Any] = {"name": form["name"].strip(), "language": form["language"] or None}
    for field, masked in (("email", hidden.hides_email), ("phone", hidden.hides_phone)):
        typed = form[field].strip()
        if typed or not masked:
            changes[field] = typed or None
    wanted_refs = _lines(form["refs"], "refs")
    shown_refs = {s: v for s, v in refs.items() if not hidden.hides_ref(s)}
    ref_changes: dict[str, str | None] = {s: v for s, v in wanted_refs.items() if refs.get(s) != v}
    ref_changes |= {s: None for s in shown_refs if s not in wanted_refs}
    if ref_changes:
        changes["external_refs"] = ref_changes
    wanted_facts = {}
    for key, line in _lines(form["facts"], "facts").items():
        value, _, consent = line.partition("|")
        wanted_facts[key] = {"value": value.strip(), "consent": consent.strip()}
    stored = {k: f for k, f in customer.facts.items() if isinstance(f, dict)}
    shown_facts = [k for k in customer.facts if not hidden.hides_fact(k)]
    fact_changes: dict[str, Any] = {
        k: f
        for k, f in wanted_facts.items()
        if (stored.get(k, {}).get("value"), stored.get(k, {}).get("consent")) != (f["value"], f["consent"])
    }
    fact_changes |= {k: None for k in shown_facts if k not in wanted_facts}
    if fact_changes:
        changes["facts"] = fact_changes
    return changes


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
    language = page_language(request)
    lines = [_said(language, e) for e in errors]
    customer_id = uuid.UUID(request.path_params["customer_id"])
    return customer_view(
        request, db=db, actor=actor, clock=clock, customer_id=customer_id, status_code=422,
        edit_error={"errors": lines, "values": typed(form)},
    )  # fmt: skip


@router.post("/customers/{customer_id}/edit")
@redraws(_redraw)
def edit_customer(
    customer_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    name: Annotated[str, Form(max_length=300)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    phone: Annotated[str, Form(max_length=60)] = "",
    language: Annotated[str, Form()] = "",
    refs: Annotated[str, Form(max_length=5000)] = "",
    facts: Annotated[str, Form(max_length=20_000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Save the customer's details; the timeline names the fields changed, never their values."""
    check_csrf(request, csrf)
    form = {"name": name, "email": email, "phone": phone, "language": language, "refs": refs, "facts": facts}
    try:
        customer = get_customer(db=db, actor=actor, customer_id=customer_id)
        hidden = hidden_details(db=db, organisation_id=customer.organisation_id)
        current = refs_of(db=db, organisation_id=customer.organisation_id, customer_ids=[customer.id])
        changes = _changes(customer, current.get(customer.id, {}), hidden, form)
        update_customer(
            db=db,
            actor=actor,
            customer_id=customer.id,
            data=CustomerUpdate.model_validate(changes),
            at=clock.now(),
        )
    except (AttentError, ValidationError) as exc:
        db.rollback()
        language_ = page_language(request)
        if isinstance(exc, ValidationError):
            fields = [FieldError(tuple(e["loc"]), *plain(e)) for e in exc.errors()]
            status, lines = 422, []
        else:
            fields = exc.errors if isinstance(exc, Invalid) else []
            status, lines = exc.status, [exc.say(language_)]
        for error in fields:
            field = next((str(p) for p in error.path if str(p) in LABELS), "")
            said = error.say(language_)
            lines.append(f"{gettext(language_, LABELS[field])}: {said}" if field else said)
        shown = {"errors": lines, "values": form}
        return customer_view(
            request,
            db=db,
            actor=actor,
            clock=clock,
            customer_id=customer_id,
            status_code=status,
            edit_error=shown,
        )
    return RedirectResponse(f"/customers/{customer_id}", status_code=303)


def _redraw_merge(
    request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
) -> Response:
    """The merge form refused before its route ran (an address too long): drawn again as typed, with why."""
    lines = [_said(page_language(request), e) for e in errors]
    customer_id = uuid.UUID(request.path_params["customer_id"])
    return customer_view(
        request, db=db, actor=actor, clock=clock, customer_id=customer_id, status_code=422,
        merge_error={"errors": lines, "into_id": typed(form).get("into_id", "")},
    )  # fmt: skip


@router.post("/customers/{customer_id}/merge")
@redraws(_redraw_merge)
def merge(
    customer_id: uuid.UUID,
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    into: Annotated[str, Form(max_length=100)] = "",
    into_id: Annotated[str, Form(max_length=100)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Merge this customer into another (chosen from the list, or by the id on their page's address); then
    the kept customer's page, with both customers' cases."""
    check_csrf(request, csrf)
    typed_in = (into_id.strip().rstrip("/").rsplit("/", 1)[-1] or into).strip()
    try:
        try:
            target = uuid.UUID(typed_in)
        except ValueError:
            raise Invalid(
                "merge_into", "Choose the customer to merge into.", [FieldError(("into",), "Required.")]
            ) from None
        kept = merge_customer(db=db, actor=actor, customer_id=customer_id, into_id=target, at=clock.now())
    except AttentError as exc:
        db.rollback()
        language = page_language(request)
        lines = [exc.say(language)]
        lines += [e.say(language) for e in exc.errors] if isinstance(exc, Invalid) else []
        return customer_view(
            request, db=db, actor=actor, clock=clock, customer_id=customer_id, status_code=exc.status,
            merge_error={"errors": lines, "into_id": into_id},
        )  # fmt: skip
    return RedirectResponse(f"/customers/{kept.id}", status_code=303)
