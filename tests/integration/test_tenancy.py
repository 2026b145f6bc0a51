"""Organisations are tenants: an agent of one organisation gets 404 for anything of another, everywhere."""

import re
import uuid

import pytest

from tests.conftest import Api, page_csrf

# A valid body for every writing endpoint, so the request gets past validation to the tenancy check.
BODIES = {
    ("POST", "/api/v1/cases/{case_id}/contacts"): {"channel": "phone"},
    ("POST", "/api/v1/cases/{case_id}/notes"): {"text": "peek"},
    ("PATCH", "/api/v1/cases/{case_id}"): {"subject": "peek"},
    ("PATCH", "/api/v1/customers/{customer_id}"): {"name": "peek"},
    ("PATCH", "/api/v1/contacts/{contact_id}"): {"outcome": "resolved"},
    ("POST", "/api/v1/contacts/{contact_id}/messages"): {"speaker": "agent", "text": "peek"},
    ("PATCH", "/api/v1/agents/{agent_id}"): {"name": "peek"},
    ("PUT", "/api/v1/agents/{agent_id}/presence"): {"presence": "away"},
    ("POST", "/api/v1/cases/{case_id}/promises"): {"kind": "callback", "due_at": "2030-01-01T12:00:00Z"},
    ("PATCH", "/api/v1/promises/{promise_id}"): {"words": "peek"},
    ("POST", "/api/v1/promises/{promise_id}/keep"): {},
    ("POST", "/api/v1/notifications/{notification_id}/read"): {},
    ("POST", "/api/v1/promises/{promise_id}/cancel"): {"reason": "peek"},
    ("POST", "/api/v1/promises/{promise_id}/reassign"): {"team_id": "00000000-0000-7000-8000-000000000000"},
    ("POST", "/api/v1/cases/{case_id}/verifications"): {"question": "email", "answer": "peek"},
    ("POST", "/api/v1/cases/{case_id}/playbook-steps"): {"step": "peek"},
    ("POST", "/api/v1/recovery/cases/{case_id}/suggestion/decline"): {"reason": "peek"},
    ("POST", "/api/v1/recovery/gestures/{gesture_id}/grant"): {},
    ("POST", "/api/v1/recovery/gestures/{gesture_id}/request-approval"): {},
    ("POST", "/api/v1/recovery/gestures/{gesture_id}/approve"): {},
    ("POST", "/api/v1/recovery/gestures/{gesture_id}/decline"): {"reason": "peek"},
    ("POST", "/api/v1/recovery/gestures/{gesture_id}/done"): {},
    ("POST", "/api/v1/recovery/gestures/{gesture_id}/survey"): {"score": 1},
    ("POST", "/api/v1/rules/{rule_id}/resume"): {},
    ("POST", "/api/v1/coach/proposals/{proposal_id}/accept"): {},
    ("POST", "/api/v1/coach/proposals/{proposal_id}/dismiss"): {},
    ("POST", "/api/v1/failures/{failure_id}/retry"): {},
    ("POST", "/api/v1/agents/{agent_id}/deactivate"): {},
    ("POST", "/api/v1/agents/{agent_id}/reactivate"): {},
    ("POST", "/api/v1/agents/{agent_id}/unlock"): {},
    ("POST", "/api/v1/agents/{agent_id}/invitation"): {},
    ("PATCH", "/api/v1/mailboxes/{mailbox_id}"): {"display_name": "peek"},
    ("POST", "/api/v1/mailboxes/{mailbox_id}/test"): {},
    ("POST", "/api/v1/customers/{customer_id}/erase"): {"confirmation": "Marieke Visser"},
    ("POST", "/api/v1/cases/{case_id}/tags"): {"name": "peek"},
    ("PATCH", "/api/v1/tags/{tag_id}"): {"name": "peek"},
    ("PUT", "/api/v1/teams/{team_id}/assignment"): {"mode": "round_robin"},
    ("POST", "/api/v1/cases/{case_id}/merge"): {"into": "00000000-0000-7000-8000-000000000000"},
    ("POST", "/api/v1/customers/{customer_id}/merge"): {"into": "00000000-0000-7000-8000-000000000000"},
    ("PUT", "/api/v1/teams/{team_id}/business-hours"): {"week": [{"opens": "09:00", "closes": "17:00"}] * 7},
}


def _a_coach_proposal_for(victim, tenant, app_client):
    """A real promise proposal in the victim organisation: a call that ended with a spoken promise."""
    from attent.coach.jobs import score_ended_contacts

    clock = app_client.app.state.clock
    victim.post(
        f"/api/v1/cases/{tenant.case.id}/contacts",
        json={
            "channel": "phone",
            "ended_at": clock.now().isoformat(),
            "outcome": "resolved",
            "messages": [{"speaker": "agent", "text": "Ik bel u binnen een kwartier terug."}],
        },
    )
    score_ended_contacts(database=app_client.app.state.db, now=clock.now())
    [proposal] = victim.get(f"/api/v1/coach/cases/{tenant.case.id}/proposals").json()["items"]
    return proposal["id"]


def _ids(tenant, contact_id, promise_id, notification_id):
    return {
        "signal_id": None,  # filled in by the test: a signal and a rule of the victim organisation
        "rule_id": None,
        "notification_id": notification_id,
        "promise_id": promise_id,
        "case_id": tenant.case.id,
        "customer_id": tenant.customer.id,
        "contact_id": contact_id,
        "agent_id": tenant.agent.id,
        "team_id": tenant.team_id,
        "token_id": None,  # filled in by the test: a token of the victim organisation
    }


# Endpoints that take files (multipart), with the files the intruder sends.
UPLOADS = {("POST", "/api/v1/cases/{case_id}/attachments"): [("files", ("peek.txt", b"peek", "text/plain"))]}


def _routes(app):
    """Every API operation with an id in its path, as the OpenAPI document lists them.

    Paths named by something other than an id (`/playbooks/{case_type}`) address the caller's own
    organisation's row of that name; test_playbooks checks they never reach another's.
    """
    for path, operations in app.openapi()["paths"].items():
        if re.search(r"\{\w+_id\}", path):
            for method in operations:
                yield method.upper(), path


def _a_notification_for(victim, tenant, app_client):
    """A real notification in the victim organisation: its lead hears of a promise at risk."""
    from datetime import timedelta

    from attent.promises.jobs import advance_due_promises

    clock, database = app_client.app.state.clock, app_client.app.state.db
    due = clock.now() + timedelta(minutes=1)
    victim.post(
        f"/api/v1/cases/{tenant.case.id}/promises", json={"kind": "callback", "due_at": due.isoformat()}
    )
    clock.advance(timedelta(seconds=30))  # a one-minute promise is on track for its first half
    advance_due_promises(database=database, now=clock.now())
    [note] = Api(app_client, tenant.tokens["lead"]).get("/api/v1/notifications").json()["items"]
    return note["id"]


def _a_failure_for(tenant, app_client):
    """Work the victim organisation's worker gave up on: a job that failed for good."""
    from attent.core.queue import Job, enqueue

    clock = app_client.app.state.clock
    with app_client.app.state.db.unit_of_work() as db:
        enqueue(db=db, organisation_id=tenant.organisation_id, kind="signals.webhook", key="victim-hook",
                payload={}, due_at=clock.now(), at=clock.now())  # fmt: skip
        job = db.query(Job).filter_by(organisation_id=tenant.organisation_id, key="victim-hook").one()
        job.failed_at, job.last_error = clock.now(), "ConnectionError: refused"
        return job.id


def _a_signal_and_a_rule(admin, tenant):
    """A signal and a (paused-or-not) rule of the victim organisation."""
    from tests.integration.rulebooks import LATE_ARRIVAL, document

    rule = admin.put("/api/v1/rules", json=document(LATE_ARRIVAL)).json()["rules"][0]["state"]["id"]
    signal = admin.post(
        "/api/v1/signals",
        json={
            "type": "order.shipped",
            "customer_id": str(tenant.customer.id),
            "occurred_at": "2026-11-23T08:00:00Z",
        },
    ).json()["items"][0]["id"]
    return signal, rule


def _a_mailbox_and_a_mail_for(tenant, app_client):
    """The victim's support mailbox and one e-mail it received."""
    from attent.mailboxes.ingest import receive
    from attent.mailboxes.models import Mailbox

    mailbox = Api(app_client, tenant.tokens["admin"]).post(
        "/api/v1/mailboxes",
        json={
            "address": "support@victim.example", "imap_host": "imap.victim.example", "imap_port": 993,
            "imap_security": "tls", "imap_username": "support", "imap_password": "geheim",
            "smtp_host": "smtp.victim.example", "smtp_port": 587, "smtp_security": "starttls",
        },
    )  # fmt: skip
    assert mailbox.status_code == 201, mailbox.text
    raw = (
        b"From: Marieke <marieke@victim.example>\r\nTo: support@victim.example\r\n"
        b"Subject: Waar is mijn pakket?\r\nMessage-ID: <victim-1@victim.example>\r\n\r\nHallo!\r\n"
    )
    app = app_client.app
    with app.state.db.unit_of_work() as db:
        box = db.get(Mailbox, (tenant.organisation_id, uuid.UUID(mailbox.json()["id"])))
        received = receive(db=db, mailbox=box, raw=raw, settings=app.state.settings, at=app.state.clock.now())
    return mailbox.json()["id"], received.mail_id


def _a_session_for(tenant, app_client):
    """A web session the victim's agent is signed in with."""
    from sqlalchemy import select

    from attent.agents.models import ApiToken, TokenKind

    signed_in = app_client.post(
        "/signin",
        data={
            "email": tenant.agent.email,
            "password": "correct horse battery",
            "csrf": page_csrf(app_client),
        },
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    app_client.cookies.clear()
    with app_client.app.state.db.sessions() as db:
        return db.scalar(
            select(ApiToken.id).where(
                ApiToken.organisation_id == tenant.organisation_id,
                ApiToken.agent_id == tenant.agent.id,
                ApiToken.kind == TokenKind.SESSION,
            )
        )


def _a_call_for(admin, app_client, tenant):
    """A call the victim organisation's telephone system reported (its phone line, signed)."""
    import hashlib
    import hmac
    import json

    secret = admin.put("/api/v1/phone/line", json={}).json()["secret"]
    at = app_client.app.state.clock.now()
    body = json.dumps({"type": "ringing", "call_id": "victim-call", "sequence": 0, "at": at.isoformat(),
                       "from": "0612345678"}).encode()  # fmt: skip
    stamp = int(at.timestamp())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    answer = app_client.post("/hooks/kopje-koffie.phone", content=body,
                             headers={"X-Attent-Signature": f"t={stamp},v1={digest}"})  # fmt: skip
    assert answer.status_code == 202, answer.text
    return "victim-call"


def test_every_endpoint_with_an_id_answers_404_across_organisations(app_client, tenant, other_tenant):
    victim = Api(app_client, tenant.tokens["agent"])
    contact = victim.post(f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "phone"}).json()
    promise = victim.post(
        f"/api/v1/cases/{tenant.case.id}/promises",
        json={"kind": "callback", "due_at": "2030-01-01T12:00:00Z"},
    ).json()
    notification_id = _a_notification_for(victim, tenant, app_client)
    ids = _ids(tenant, contact["id"], promise["id"], notification_id)
    ids["token_id"] = victim.post("/api/v1/tokens", json={"name": "victim"}).json()["id"]
    gesture = victim.post(
        "/api/v1/recovery/gestures", json={"case_id": str(tenant.case.id), "code": "small_attention"}
    ).json()
    ids["gesture_id"] = gesture["id"]
    ids["signal_id"], ids["rule_id"] = _a_signal_and_a_rule(Api(app_client, tenant.tokens["admin"]), tenant)
    ids["proposal_id"] = _a_coach_proposal_for(victim, tenant, app_client)
    ids["failure_id"] = _a_failure_for(tenant, app_client)
    [attachment] = victim.post(
        f"/api/v1/cases/{tenant.case.id}/attachments", files=[("files", ("bon.txt", b"bon", "text/plain"))]
    ).json()
    ids["attachment_id"] = attachment["id"]
    ids["call_id"] = _a_call_for(Api(app_client, tenant.tokens["admin"]), app_client, tenant)
    ids["session_id"] = _a_session_for(tenant, app_client)
    ids["mailbox_id"], ids["mail_id"] = _a_mailbox_and_a_mail_for(tenant, app_client)
    ids["tag_id"] = victim.post(f"/api/v1/cases/{tenant.case.id}/tags", json={"name": "vip"}).json()["id"]
    ids["view_id"] = victim.post("/api/v1/views", json={"name": "Mijn zaken"}).json()["id"]
    reply = {"name": "Groet", "text_nl": "Dag {{customer.first_name}}"}
    ids["reply_id"] = victim.post("/api/v1/canned-replies", json=reply).json()["id"]
    intruder = Api(app_client, other_tenant.tokens["admin"])  # an admin: the most powerful role elsewhere

    checked = []
    for method, path in sorted(_routes(app_client.app)):
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        body = BODIES.get((method, path))
        files = UPLOADS.get((method, path))
        if method in ("POST", "PATCH", "PUT") and files is None:
            assert body is not None, (
                f"add a valid body for {method} {path} to BODIES so tenancy is tested there"
            )
        sent = {"json": body} if body is not None else {"files": files} if files is not None else {}
        response = getattr(intruder, method.lower())(url, **sent)
        assert response.status_code == 404, f"{method} {path} -> {response.status_code}: {response.text}"
        assert response.headers["content-type"] == "application/problem+json"
        checked.append((method, path))
    assert len(checked) >= 20  # every id-bearing endpoint, not one

    # and nothing was changed by the attempts
    after = victim.get(f"/api/v1/cases/{tenant.case.id}").json()
    assert after["subject"] == "Zending nooit aangekomen"
    assert victim.get(f"/api/v1/customers/{tenant.customer.id}").json()["name"] == "Marieke Visser"
    assert victim.get(f"/api/v1/agents/{tenant.agent.id}").json()["presence"] == "offline"
    assert victim.get(f"/api/v1/promises/{promise['id']}").json()["state"] == "open"
    assert victim.get(f"/api/v1/recovery/gestures/{gesture['id']}").json()["state"] == "granted"
    [proposal] = victim.get(f"/api/v1/coach/cases/{tenant.case.id}/proposals").json()["items"]
    assert proposal["state"] == "proposed"
    assert [t["name"] for t in victim.get(f"/api/v1/cases/{tenant.case.id}/tags").json()] == ["vip"]
    assert [v["name"] for v in victim.get("/api/v1/views").json()] == ["Mijn zaken"]
    assert [r["name"] for r in victim.get("/api/v1/canned-replies").json()] == ["Groet"]
    [failure] = Api(app_client, tenant.tokens["admin"]).get("/api/v1/failures").json()["items"]
    assert failure["id"] == str(ids["failure_id"])


@pytest.mark.parametrize(
    ("path", "own_key"),
    [
        ("/api/v1/cases", "case"),
        ("/api/v1/customers", "customer"),
        ("/api/v1/agents", "agent"),
        ("/api/v1/teams", "team"),
    ],
)
def test_lists_show_only_the_own_organisation(app_client, tenant, other_tenant, path, own_key):
    own_ids = {
        "case": str(tenant.case.id),
        "customer": str(tenant.customer.id),
        "agent": str(tenant.agent.id),
        "team": str(tenant.team_id),
    }
    victim_ids = set(own_ids.values())
    intruder = Api(app_client, other_tenant.tokens["admin"])
    items = intruder.get(path).json()["items"]
    assert items, "the other organisation sees its own data"
    assert not victim_ids & {item["id"] for item in items}
    mine = Api(app_client, tenant.tokens["admin"]).get(path).json()["items"]
    assert own_ids[own_key] in {item["id"] for item in mine}


def test_filters_cannot_reach_into_another_organisation(app_client, tenant, other_tenant):
    intruder = Api(app_client, other_tenant.tokens["admin"])
    assert (
        intruder.get("/api/v1/cases", params={"customer_id": str(tenant.customer.id)}).json()["items"] == []
    )
    assert intruder.get("/api/v1/customers", params={"external_ref": "shop:C-1042"}).json()["items"] == [
        intruder.get(f"/api/v1/customers/{other_tenant.customer.id}").json()
    ]


def test_cannot_point_own_rows_at_another_organisations_rows(app_client, tenant, other_tenant):
    intruder = Api(app_client, other_tenant.tokens["admin"])
    response = intruder.post("/api/v1/cases", json={"customer_id": str(tenant.customer.id), "subject": "x"})
    assert response.status_code == 404
    response = intruder.patch(
        f"/api/v1/cases/{other_tenant.case.id}", json={"owner_id": str(tenant.agent.id)}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == ["owner_id"]


def test_recovery_bodies_cannot_name_another_organisations_case_or_customer(app_client, tenant, other_tenant):
    intruder = Api(app_client, other_tenant.tokens["admin"])
    offer = {"case_id": str(tenant.case.id), "code": "credit"}
    assert intruder.post("/api/v1/recovery/gestures", json=offer).status_code == 404
    check_in = {"customer_id": str(tenant.customer.id), "due_at": "2030-01-01T12:00:00Z", "note": "peek"}
    assert intruder.post("/api/v1/recovery/check-ins", json=check_in).status_code == 404
    own = {"customer_id": str(other_tenant.customer.id), "case_id": str(tenant.case.id)}
    assert intruder.post("/api/v1/recovery/check-ins", json={**check_in, **own}).status_code == 404
    assert intruder.get(
        "/api/v1/recovery/gestures", params={"customer_id": str(tenant.customer.id)}
    ).json() == {
        "items": [],
        "next_cursor": None,
    }
    assert (
        intruder.get("/api/v1/recovery/check-ins", params={"customer_id": str(tenant.customer.id)}).json()[
            "items"
        ]
        == []
    )


def test_rules_signals_and_sources_addressed_by_name_stay_in_their_organisation(
    app_client, tenant, other_tenant
):
    from tests.integration.rulebooks import LATE_ARRIVAL, document

    victim = Api(app_client, tenant.tokens["admin"])
    victim.put("/api/v1/rules", json=document(LATE_ARRIVAL))
    victim.put(
        "/api/v1/signal-sources/shop",
        json={"mapping": {"type": "order.shipped", "customer_ref": "$.c", "customer_ref_system": "shop",
                          "occurred_at": "$.at", "external_id": "$.id"}},
    )  # fmt: skip
    intruder = Api(app_client, other_tenant.tokens["admin"])
    assert intruder.get("/api/v1/rules").json()["rules"] == []
    assert intruder.get("/api/v1/signal-sources/shop").status_code == 404
    assert intruder.get("/api/v1/signal-sources").json() == []
    signal = intruder.post(  # a reference another organisation knows stays unmatched here
        "/api/v1/signals",
        json={"type": "order.shipped", "customer_ref": {"system": "shop", "value": "C-9999"},
              "occurred_at": "2026-11-23T08:00:00Z"},
    ).json()["items"][0]  # fmt: skip
    assert signal["customer_id"] is None
    other = intruder.post(
        "/api/v1/signals",
        json={
            "type": "order.shipped",
            "customer_id": str(tenant.customer.id),
            "occurred_at": "2026-11-23T08:00:00Z",
        },
    )
    assert other.status_code == 422 and other.json()["errors"][0]["path"] == ["customer_id"]
