"""A page form that is refused comes back as the page, filled in as typed, with the reason in Dutch.

Every form the pages post is found in the app's routes, so a new form is checked by itself: each field
with a length or range limit is sent past it, and the answer must be the page (never JSON) showing
what was typed.
"""

import uuid
from html import unescape
from typing import Any

import pytest
from annotated_types import Ge, Le, MaxLen
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from attent.core.security import hash_password
from attent.recovery.service import suggest_gesture
from tests.conftest import page_csrf
from tests.integration.rulebooks import FAILED_DELIVERY, document

PASSWORD = "correct horse battery"
# Fields the page never shows back: secrets, and choices made by buttons or hidden fields (as is every
# form's one-time token, `once`: a page drawn again gets a new one).
NOT_SHOWN = {
    ("/signin", "password"),
    ("/cases/{case_id}/step", "key"),
    ("/cases/{case_id}/verify", "question"),
    ("/cases/{case_id}/recovery/offer", "code"),
    ("/cases/{case_id}/promise", "due_from"),
    ("/cases/{case_id}/promise", "due_by"),
    ("/cases/{case_id}/promise", "step_type"),
    ("/recovery/catalogue", "check_in_mode"),
    ("/rules/{rule_id}", "signal"),
    ("/rules/new", "signal"),
    ("/customers/{customer_id}/merge", "into"),  # a select of the customers offered
    ("/cases/bulk", "back"),  # where the form came from, not something typed
    ("/views", "back"),
}
TOO_BIG_FOR_A_BODY = 50_000  # longer fields meet the body limit first (a 413 before any form is read)
PLAUSIBLE = {
    "text": "Hallo", "direction": "inbound", "outcome": "resolved", "minutes": "5", "to": "open",
    "kind": "callback", "question": "email", "answer": "iemand@example.nl", "key": "trace", "code": "refund",
    "reason": "Kapot aangekomen", "email": "lead@kopje-koffie.example", "password": "x", "lang": "nl",
    "presence": "away", "document": "rules: []", "name": "Regel", "signal": "delivery.failed",
    "currency": "EUR", "monthly_budget": "500", "approval_threshold": "20",
}  # fmt: skip


def _sign_in(client: TestClient, email: str) -> str:
    client.cookies.clear()
    client.get("/signin")
    csrf = client.cookies.get("attent_csrf") or ""
    response = client.post(
        "/signin", data={"email": email, "password": PASSWORD, "csrf": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    return page_csrf(client, "/")  # signed in, the forms carry the session's token


@pytest.fixture
def admin(app_client, db, tenant):
    """The tenant's admin, signed in through the sign-in form; returns the form token."""
    tenant.admin.password_hash = hash_password(PASSWORD)
    db.commit()
    return _sign_in(app_client, tenant.admin.email)


@pytest.fixture
def paths(db, clock, tenant, admin_api, api) -> dict[str, str]:
    """A real value for each kind of path parameter the forms post to."""
    due = (clock.now().replace(microsecond=0)).isoformat()
    promise = api.post(
        f"/api/v1/cases/{tenant.case.id}/promises",
        json={"kind": "callback", "due_at": due.replace("09:00", "11:00")},
    ).json()
    assert admin_api.put("/api/v1/rules", json=document(FAILED_DELIVERY)).status_code == 200
    rule = admin_api.get("/api/v1/rules").json()["rules"][0]
    # A gesture waiting on a case of its own: a case with a gesture suggests nothing more.
    other = api.post(
        "/api/v1/cases",
        json={"customer_id": str(tenant.customer.id), "subject": "Verjaardag", "type": "surprise"},
    ).json()
    gesture = suggest_gesture(
        db=db, organisation_id=tenant.organisation_id, customer_id=tenant.customer.id,
        case_id=uuid.UUID(other["id"]), reason="Verjaardag", occasion="birthday", gesture_code=None,
        source="test", at=clock.now(),
    )  # fmt: skip
    db.commit()
    return {
        "case_id": str(tenant.case.id),
        "gesture_case_id": other["id"],
        "promise_id": promise["id"],
        "gesture_id": str(gesture.id),
        "proposal_id": str(uuid.uuid4()),
        "verb": "decline",
        "rule_id": rule["state"]["id"],
        "case_type": "delivery_missing",
        "team_id": str(tenant.team_id),
        "customer_id": str(tenant.customer.id),
    }


# Forms a customer reaches only with a single-use signed link: an over-long value there is refused with the
# link (tests/integration/test_insight_edges.py), there is no signed-in agent to type it back to.
ANSWERED_BY_LINK = {"/survey/{organisation_id}/{survey_id}"}


def _limits(route: APIRoute) -> list[tuple[str, Any]]:
    """(field, a value past its limit) for each body field with a length or range limit."""
    found = []
    for field in route.dependant.body_params:
        for limit in field.field_info.metadata:
            if isinstance(limit, MaxLen) and limit.max_length < TOO_BIG_FOR_A_BODY:
                found.append((field.name, "getypt " + "x" * limit.max_length))
            elif isinstance(limit, Le):
                found.append((field.name, str(int(limit.le) + 1)))
            elif isinstance(limit, Ge):
                found.append((field.name, str(int(limit.ge) - 1)))
    return found


def test_every_page_form_past_its_limits_comes_back_as_typed(app_client, admin, paths, tenant):
    checked, problems, csrf = 0, [], admin
    for route in iter_route_contexts(app_client.app.routes):
        original = route.original_route
        if (
            not isinstance(original, APIRoute)
            or "POST" not in (route.methods or ())
            or original.include_in_schema
        ):
            continue
        path = str(route.path)
        if path in ANSWERED_BY_LINK:
            continue
        for field, value in _limits(original):
            values = paths | ({"case_id": paths["gesture_case_id"]} if "{gesture_id}" in path else {})
            url = path.format(**values)
            form = {f.name: PLAUSIBLE.get(f.name, "") for f in original.dependant.body_params}
            form |= {"csrf": csrf, field: value}
            if path == "/signin":  # signed out, with the sign-in page's own token
                app_client.cookies.clear()
                app_client.get("/signin")
                form["csrf"] = app_client.cookies.get("attent_csrf") or ""
            response = app_client.post(url, data=form, follow_redirects=False)
            if path == "/signin":
                csrf = _sign_in(app_client, tenant.admin.email)
            checked += 1
            where = f"{path} {field}"
            if response.status_code != 422:
                problems.append(f"{where}: {response.status_code}, not 422")
            if "text/html" not in response.headers.get("content-type", ""):
                problems.append(f"{where}: {response.headers.get('content-type')}, not a page")
            elif (path, field) not in NOT_SHOWN and field != "once" and value not in unescape(response.text):
                problems.append(f"{where}: what was typed is gone")
    assert checked >= 25
    assert not problems, "\n".join(problems)


def test_a_note_too_long_comes_back_in_its_field_with_the_reason_and_nothing_is_written(
    app_client, admin, tenant, api
):
    typed = "Lange notitie. " * 1334  # 20,010 characters
    response = app_client.post(
        f"/cases/{tenant.case.id}/note", data={"csrf": admin, "text": typed}, follow_redirects=False
    )
    assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")
    page = unescape(response.text)
    note_form = page.split('id="note"')[1].split("</section>")[0]
    assert "Dit is te lang (hoogstens 20.000 tekens)." in note_form
    assert f">{typed}</textarea>" in note_form
    assert typed not in page.split('id="reply"')[1].split("</section>")[0]  # only the form it was typed in
    kinds = [e["kind"] for e in api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]]
    assert "note.added" not in kinds


def test_a_refused_promise_keeps_its_words_and_choices(app_client, admin, tenant):
    typed = {"kind": "delivery", "words": "Morgen voor tienen bij u", "in_minutes": "", "due_at": ""}
    response = app_client.post(
        f"/cases/{tenant.case.id}/promise", data={"csrf": admin, **typed}, follow_redirects=False
    )
    assert response.status_code == 422
    form = unescape(response.text).split('id="make-promise"')[1].split("</section>")[0]
    assert "Zeg wanneer: binnen hoeveel minuten, of op welk tijdstip." in form
    assert ">Morgen voor tienen bij u</textarea>" in form
    assert '<option value="delivery" selected>' in form


def test_a_form_refused_before_sign_in_keeps_the_address(app_client):
    app_client.get("/signin")
    email = "iemand@" + "x" * 250 + ".example"
    response = app_client.post(
        "/signin", data={"csrf": app_client.cookies.get("attent_csrf"), "email": email, "password": "geheim"}
    )
    assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")
    assert f'value="{email}"' in response.text and "geheim" not in response.text
