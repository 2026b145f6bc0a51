"""A form posted twice (a double click, a retry) does its work once: the one-time token on every form."""

import hashlib
import json
import re

import pytest
from sqlalchemy import select

from attent.core.idempotency import IdempotencyRecord, fingerprint
from attent.core.security import hash_password
from attent.recovery.service import suggest_gesture
from tests.conftest import page_csrf

PASSWORD = "correct horse battery"


def _sign_in(client, email):
    client.cookies.clear()
    client.get("/signin")
    csrf = client.cookies.get("attent_csrf")
    response = client.post(
        "/signin", data={"email": email, "password": PASSWORD, "csrf": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    return page_csrf(client, "/")  # signed in, the forms carry the session's token


@pytest.fixture
def csrf(app_client, tenant):
    return _sign_in(app_client, tenant.agent.email)


def _once(html: str, action: str) -> str:
    """The one-time token of the form that posts to `action`, as the page gave it."""
    form = html.split(f'action="{action}"')[1].split("</form>")[0]
    found = re.search(r'name="once" value="([^"]+)"', form)
    assert found, f"the form for {action} carries a one-time token"
    return found.group(1)


def _notes(api, case_id) -> list[str]:
    events = api.get(f"/api/v1/cases/{case_id}/timeline").json()["items"]
    return [e["data"]["text"] for e in events if e["kind"] == "note.added"]


def test_a_note_posted_twice_is_added_once(app_client, csrf, tenant, api):
    case = f"/cases/{tenant.case.id}"
    once = _once(app_client.get(case).text, f"{case}/note")
    form = {"csrf": csrf, "once": once, "text": "Vervoerder belt terug"}
    first = app_client.post(f"{case}/note", data=form, follow_redirects=False)
    second = app_client.post(f"{case}/note", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"] == f"{case}#note"
    assert _notes(api, tenant.case.id) == ["Vervoerder belt terug"]
    other = app_client.post(f"{case}/note", data={**form, "text": "En nog iets"}, follow_redirects=False)
    assert other.status_code == 303  # the same page's token with other words is another note
    assert sorted(_notes(api, tenant.case.id)) == ["En nog iets", "Vervoerder belt terug"]


def test_a_refused_post_leaves_its_token_free_for_the_next_try(app_client, csrf, tenant, api):
    case = f"/cases/{tenant.case.id}"
    once = _once(app_client.get(case).text, f"{case}/promise")
    form = {"csrf": csrf, "once": once, "kind": "callback", "words": "Ik bel u terug"}
    assert app_client.post(f"{case}/promise", data=form, follow_redirects=False).status_code == 422
    retried = app_client.post(f"{case}/promise", data={**form, "in_minutes": "30"}, follow_redirects=False)
    again = app_client.post(f"{case}/promise", data={**form, "in_minutes": "30"}, follow_redirects=False)
    assert retried.status_code == again.status_code == 303
    assert len(api.get("/api/v1/promises").json()["items"]) == 1


def test_a_verification_posted_twice_counts_once_and_still_shows_its_answer(app_client, csrf, tenant, api):
    case = f"/cases/{tenant.case.id}"
    once = _once(app_client.get(case).text, f"{case}/verify")
    form = {"csrf": csrf, "once": once, "question": "email", "answer": "iemand@anders.example"}
    app_client.post(f"{case}/verify", data=form, follow_redirects=False)
    again = app_client.post(f"{case}/verify", data=form)  # the browser follows the second one
    assert "Klopt niet" in again.text
    status = api.get(f"/api/v1/cases/{tenant.case.id}/verifications").json()
    assert status["attempts_left"] == 2  # one wrong answer of three, not two


def test_a_lead_approving_twice_approves_once(app_client, db, tenant, clock):
    made = suggest_gesture(
        db=db, organisation_id=tenant.organisation_id, customer_id=tenant.customer.id, case_id=None,
        reason="Verjaardag", occasion="birthday", gesture_code=None, source="rule:birthday", at=clock.now(),
    )  # fmt: skip
    tenant.lead.password_hash = hash_password(PASSWORD)
    db.commit()
    csrf = _sign_in(app_client, tenant.lead.email)
    action = f"/team/recovery/{made.id}/approve"
    once = _once(app_client.get("/team").text, action)
    first = app_client.post(action, data={"csrf": csrf, "once": once}, follow_redirects=False)
    second = app_client.post(action, data={"csrf": csrf, "once": once}, follow_redirects=False)
    assert first.status_code == second.status_code == 303  # not a 409 "already approved" page


def test_the_token_store_keeps_no_plain_hash_of_a_verification_answer(app_client, csrf, tenant, db):
    case = f"/cases/{tenant.case.id}"
    once = _once(app_client.get(case).text, f"{case}/verify")
    form = {"question": "email", "answer": "marieke@kopje-koffie.example"}
    app_client.post(f"{case}/verify", data={"csrf": csrf, "once": once, **form}, follow_redirects=False)
    [record] = db.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key.startswith(f"form:{once}")))
    body = json.dumps({"path": f"{case}/verify", **form}, sort_keys=True).encode()
    guesses = {hashlib.sha256(body).hexdigest(), fingerprint("POST", f"{case}/verify", body)}
    assert record.fingerprint not in guesses and not any(g[:32] in record.key for g in guesses)
