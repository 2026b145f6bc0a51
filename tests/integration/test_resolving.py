"""Resolving or closing a case says what becomes of each open promise; none is left to chance."""

from datetime import timedelta

import pytest

from tests import factories as make
from tests.conftest import page_csrf


def _get(api, promise):
    return api.get(f"/api/v1/promises/{promise['id']}").json()


def _kinds(api, case_id):
    return [e["kind"] for e in api.get(f"/api/v1/cases/{case_id}/timeline").json()["items"]]


def test_resolving_with_an_open_promise_is_refused_naming_it(api, tenant, clock):
    callback = make.promise(
        api, tenant.case.id, kind="callback", due_at=make.iso(clock.now() + timedelta(minutes=30))
    )
    before = _kinds(api, tenant.case.id)
    response = api.patch(f"/api/v1/cases/{tenant.case.id}", json={"status": "resolved"})
    assert response.status_code == 409 and response.json()["code"] == "open_promises"
    detail = response.json()["detail"]
    assert "een open belofte: terugbellen uiterlijk vandaag 10:30" in detail and callback["id"] in detail
    assert "nagekomen, wordt ingetrokken (met de reden) of wordt overgedragen" in detail
    assert api.get(f"/api/v1/cases/{tenant.case.id}").json()["status"] == "new"
    assert _get(api, callback)["state"] == "open" and _kinds(api, tenant.case.id) == before


def test_resolving_keeps_cancels_and_hands_over_as_told(api, tenant, clock):
    due = make.iso(clock.now() + timedelta(hours=2))
    kept = make.promise(api, tenant.case.id, kind="callback", due_at=due)
    dropped = make.promise(api, tenant.case.id, kind="refund", due_at=due)
    handed = make.promise(api, tenant.case.id, kind="delivery", due_at=due)
    team = make.promise(api, tenant.case.id, kind="follow_up", due_at=due)
    choices = [
        {"promise_id": kept["id"], "action": "keep"},
        {"promise_id": dropped["id"], "action": "cancel", "reason": "Klant wil toch geen terugbetaling"},
        {"promise_id": handed["id"], "action": "hand_over", "owner_id": str(tenant.lead.id)},
        {"promise_id": team["id"], "action": "hand_over"},
    ]
    response = api.patch(f"/api/v1/cases/{tenant.case.id}", json={"status": "resolved", "promises": choices})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "resolved"
    assert _get(api, kept)["state"] == "kept"
    cancelled = _get(api, dropped)
    assert (
        cancelled["state"] == "cancelled" and cancelled["close_reason"] == "Klant wil toch geen terugbetaling"
    )
    assert _get(api, handed)["state"] == "open" and _get(api, handed)["owner_id"] == str(tenant.lead.id)
    offered = _get(api, team)
    assert (
        offered["state"] == "open"
        and offered["owner_id"] is None
        and offered["team_id"] == str(tenant.team_id)
    )

    # Closing asks again about what is still open: the two handed over.
    closing = api.patch(f"/api/v1/cases/{tenant.case.id}", json={"status": "closed"})
    assert closing.status_code == 409 and "2 open beloftes" in closing.json()["detail"]


@pytest.mark.parametrize(
    ("choice", "where"),
    [
        ({"action": "cancel"}, '"pointer":"/promises/0/reason"'),
        ({"action": "keep", "owner_id": "01a2514e-0877-7065-93b6-707e7baf398f"}, '"/promises/0/owner_id"'),
        ({"action": "shrug"}, "action is keep, cancel (with a reason) or hand_over"),
    ],
)
def test_a_choice_must_be_complete(api, tenant, clock, choice, where):
    p = make.promise(api, tenant.case.id, kind="callback", due_at=make.iso(clock.now() + timedelta(hours=1)))
    body = {"status": "resolved", "promises": [{"promise_id": p["id"], **choice}]}
    response = api.patch(f"/api/v1/cases/{tenant.case.id}", json=body)
    assert response.status_code == 422 and where in response.text


def test_a_choice_for_a_promise_not_open_on_this_case_is_refused(api, tenant, clock):
    other = api.post(
        "/api/v1/cases", json={"customer_id": str(tenant.customer.id), "subject": "Ander"}
    ).json()
    elsewhere = make.promise(
        api, other["id"], kind="callback", due_at=make.iso(clock.now() + timedelta(hours=1))
    )
    body = {"status": "resolved", "promises": [{"promise_id": elsewhere["id"], "action": "keep"}]}
    response = api.patch(f"/api/v1/cases/{tenant.case.id}", json=body)
    assert response.status_code == 422 and response.json()["code"] == "unknown_promise"
    assert response.json()["errors"][0]["path"] == ["promises", 0, "promise_id"]
    assert _get(api, elsewhere)["state"] == "open"


def test_the_brief_never_says_nothing_while_a_promise_is_open(api, tenant, clock):
    due = clock.now().replace(hour=14, minute=20) + timedelta(days=1)
    p = make.promise(api, tenant.case.id, kind="delivery", due_at=make.iso(due))
    choices = [{"promise_id": p["id"], "action": "hand_over", "owner_id": str(tenant.lead.id)}]
    api.patch(f"/api/v1/cases/{tenant.case.id}", json={"status": "resolved", "promises": choices})
    brief = api.get(f"/api/v1/cases/{tenant.case.id}/brief", params={"lang": "nl"}).json()
    assert brief["status"] == "resolved" and not brief["next_step"]["text"].startswith("Niets")
    assert (
        brief["next_step"]["text"]
        == f"Kom de belofte na (levering), uiterlijk morgen 15:20 ({tenant.lead.name})."
    )


def test_without_promises_a_resolved_case_has_nothing_next(api, tenant):
    api.patch(f"/api/v1/cases/{tenant.case.id}", json={"status": "resolved"})
    brief = api.get(f"/api/v1/cases/{tenant.case.id}/brief", params={"lang": "nl"}).json()
    assert brief["next_step"]["text"].startswith("Niets: de zaak is opgelost")


@pytest.fixture
def page(app_client, tenant):
    """The case page's forms, signed in as the tenant's agent."""
    app_client.get("/signin")
    csrf = app_client.cookies.get("attent_csrf")
    signed_in = app_client.post(
        "/signin",
        data={"email": tenant.agent.email, "password": "correct horse battery", "csrf": csrf},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    app_client.csrf = page_csrf(app_client)  # the session's own token, as its pages carry it
    return app_client


def test_the_status_form_asks_about_each_open_promise(page, api, tenant, clock):
    due = make.iso(clock.now() + timedelta(hours=1))
    kept = make.promise(api, tenant.case.id, kind="callback", due_at=due, words="Ik bel u om 11 uur")
    handed = make.promise(api, tenant.case.id, kind="delivery", due_at=due)
    html = page.get(f"/cases/{tenant.case.id}").text
    form = html[html.index('id="status"') :]
    for p in (kept, handed):
        assert f'name="promise_id" value="{p["id"]}"' in form and f'id="fate-{p["id"]}"' in form
    assert 'value="keep"' in form and 'value="cancel"' in form and 'value="hand_over:team"' in form
    assert f'value="hand_over:{tenant.lead.id}"' in form and "Ik bel u om 11 uur" in form

    def post(**fates):
        data = {
            "csrf": page.csrf,
            "to": "resolved",
            "promise_id": [kept["id"], handed["id"]],
            "fate": [fates.get("kept", ""), fates.get("handed", "")],
            "reason": ["", ""],
        }
        return page.post(f"/cases/{tenant.case.id}/status", data=data, follow_redirects=False)

    refused = post(kept="keep")  # nothing said about the delivery
    assert refused.status_code == 409 and 'role="alert"' in refused.text and "open belofte" in refused.text
    assert _get(api, kept)["state"] == "open"
    done = post(kept="keep", handed=f"hand_over:{tenant.lead.id}")
    assert done.status_code == 303
    assert _get(api, kept)["state"] == "kept" and _get(api, handed)["owner_id"] == str(tenant.lead.id)
    assert api.get(f"/api/v1/cases/{tenant.case.id}").json()["status"] == "resolved"
