"""Playbooks: tell what you do, and set the expectation with a duration that is honest."""

from datetime import timedelta

import pytest

from tests import factories as make
from tests.conftest import Api


def _step(key, minutes, step_type=None):
    return {
        "key": key,
        "title": {"nl": f"Stap {key}", "en": f"Step {key}"},
        "narration": {
            "nl": "Ik zoek nu uw zending op, zodat ik kan zien waar het misging.",
            "en": "I'm looking up your shipment now, so I can see where it went wrong.",
        },
        "default_minutes": minutes,
        **({"step_type": step_type} if step_type else {}),
    }


PLAYBOOK = {
    "steps": [
        _step("verify_customer", 1),
        _step("trace_shipment", 12, "courier_trace"),
        _step("arrange_replacement", 2),
    ]
}


@pytest.fixture
def playbook(admin_api):
    response = admin_api.put("/api/v1/playbooks/delivery_missing", json=PLAYBOOK)
    assert response.status_code == 200, response.text
    return response.json()


def _start(api, case_id, step):
    response = api.post(f"/api/v1/cases/{case_id}/playbook-steps", json={"step": step})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_admin_writes_a_playbook_and_agents_read_it_in_order(api, playbook, tenant, clock):
    read = api.get("/api/v1/playbooks/delivery_missing").json()
    assert read == playbook
    assert [s["key"] for s in read["steps"]] == ["verify_customer", "trace_shipment", "arrange_replacement"]
    trace = read["steps"][1]
    assert trace["step_type"] == "courier_trace" and read["steps"][0]["step_type"] == "verify_customer"
    assert trace["expected"] == {
        "low_minutes": 12,
        "high_minutes": 12,
        "source": "default",
        "observations": 0,
    }
    assert read["updated_by_id"] == str(tenant.admin.id) and read["updated_at"] == make.iso(clock.now())
    missing = api.get("/api/v1/playbooks/late_arrival")
    assert missing.status_code == 404 and missing.json()["code"] == "playbook_not_found"


def test_a_new_version_replaces_every_step(admin_api, playbook):
    replaced = admin_api.put(
        "/api/v1/playbooks/delivery_missing",
        json={"steps": [_step("trace_shipment", 20), _step("call_back", 1)]},
    ).json()
    assert [(s["key"], s["default_minutes"]) for s in replaced["steps"]] == [
        ("trace_shipment", 20),
        ("call_back", 1),
    ]


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_only_admins_change_playbooks(app_client, tenant, role):
    response = Api(app_client, tenant.tokens[role]).put("/api/v1/playbooks/delivery_missing", json=PLAYBOOK)
    assert response.status_code == 403 and response.json()["code"] == "role_required"
    assert Api(app_client, tenant.tokens[role]).get("/api/v1/playbooks/delivery_missing").status_code == 404


@pytest.mark.parametrize(
    ("steps", "path", "message"),
    [
        ([], ["body", "steps"], "minstens 1"),
        ([_step(f"s{i}", 1) for i in range(51)], ["body", "steps"], "hoogstens 50"),
        ([_step("a", 0)], ["body", "steps", 0, "default_minutes"], "meer zijn dan 0"),
        (
            [_step("a", 1), _step("b", 1441)],
            ["body", "steps", 1, "default_minutes"],
            "hoogstens 1440",
        ),
        ([_step("Trace Shipment", 5)], ["body", "steps", 0, "key"], "kleine letters"),
        (
            [{**_step("a", 5), "narration": {"nl": "Ik zoek het op."}}],
            ["body", "steps", 0, "narration", "en"],
            "Vul dit in",
        ),
        ([_step("a", 5), _step("b", 5), _step("a", 3)], ["steps", 2, "key"], "al stap 1"),
    ],
)
def test_bad_playbooks_are_refused_naming_the_field(admin_api, steps, path, message):
    response = admin_api.put("/api/v1/playbooks/delivery_missing", json={"steps": steps})
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["path"] == path and message in error["message"]
    assert admin_api.get("/api/v1/playbooks/delivery_missing").status_code == 404


def test_a_bad_case_type_is_refused(admin_api):
    response = admin_api.put("/api/v1/playbooks/Delivery%20Missing", json=PLAYBOOK)
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == ["path", "case_type"]


def _kept_step_promise(api, case_id, clock, step_type, minutes):
    start = clock.now()
    made = api.post(
        f"/api/v1/cases/{case_id}/promises",
        json={"kind": "step", "step_type": step_type, "due_at": make.iso(start + timedelta(hours=1))},
    ).json()
    clock.set(start + timedelta(minutes=minutes))
    api.post(f"/api/v1/promises/{made['id']}/keep")
    clock.set(start)


def test_expected_durations_are_learned_once_there_are_enough_observations(api, playbook, tenant, clock):
    for minutes in (12, 12, 13, 15):
        _kept_step_promise(api, tenant.case.id, clock, "courier_trace", minutes)
    trace = api.get("/api/v1/playbooks/delivery_missing").json()["steps"][1]
    assert trace["expected"]["source"] == "default"  # four observations are not enough to promise on
    _kept_step_promise(api, tenant.case.id, clock, "courier_trace", 16)
    trace = api.get("/api/v1/playbooks/delivery_missing").json()["steps"][1]
    assert trace["expected"] == {
        "low_minutes": 13,
        "high_minutes": 16,  # the 80th percentile is 15.2 minutes: promise no sooner than we can keep it
        "source": "learned",
        "observations": 5,
    }
    other = api.get("/api/v1/playbooks/delivery_missing").json()["steps"][2]
    assert other["expected"]["source"] == "default"


def test_starting_a_long_step_narrates_and_offers_a_step_promise(api, playbook, tenant, clock):
    api.patch(f"/api/v1/customers/{tenant.customer.id}", json={"language": "en"})
    for minutes in (12, 12, 13, 15, 16):
        _kept_step_promise(api, tenant.case.id, clock, "courier_trace", minutes)
    started = _start(api, tenant.case.id, "trace_shipment")
    assert (
        started["narration"] == "Ik zoek nu uw zending op, zodat ik kan zien waar het misging."
    )  # the agent's
    assert started["title"] == "Stap trace_shipment" and started["expected"]["source"] == "learned"
    offer = started["offer"]
    assert offer["kind"] == "step" and offer["step_type"] == "courier_trace"
    assert offer["due_from"] == make.iso(clock.now() + timedelta(minutes=13))
    assert offer["due_by"] == make.iso(clock.now() + timedelta(minutes=16))
    assert offer["words"] == (  # the customer's language
        "It takes about 13 to 16 minutes; put me on speaker and carry on, I'll stay on the line."
    )
    open_before = api.get("/api/v1/promises", params={"case_id": str(tenant.case.id), "state": "open"}).json()
    assert open_before["items"] == []  # an offer, not a promise: the agent decides with the customer
    made = api.post(f"/api/v1/cases/{tenant.case.id}/promises", json=offer)
    assert made.status_code == 201 and made.json()["words"] == offer["words"]


def test_a_step_of_a_minute_offers_nothing_and_a_default_duration_is_one_due_time(
    api, playbook, tenant, clock
):
    assert _start(api, tenant.case.id, "verify_customer")["offer"] is None
    offer = _start(api, tenant.case.id, "arrange_replacement")["offer"]
    assert offer["due_from"] is None and offer["due_by"] == make.iso(clock.now() + timedelta(minutes=2))
    assert offer["words"].startswith("Dit duurt ongeveer 2 minuten")


def test_the_brief_shows_the_step_being_done(api, playbook, tenant, clock):
    _start(api, tenant.case.id, "verify_customer")
    clock.advance(timedelta(minutes=2))
    _start(api, tenant.case.id, "trace_shipment")
    brief = api.get(f"/api/v1/cases/{tenant.case.id}/brief", params={"lang": "en"}).json()
    current = brief["current_step"]
    assert current["key"] == "trace_shipment" and current["title"] == "Step trace_shipment"
    assert (
        current["summary"]
        == f"{tenant.agent.name} is working on: Step trace_shipment (about 12 minutes, since 10:02)"
    )
    assert brief["done"][-1]["summary"] == f"{tenant.agent.name} started: Step trace_shipment"
    [event] = [
        e
        for e in api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]
        if e["kind"] == "playbook.step_started"
    ][-1:]
    assert event["data"]["step"] == "trace_shipment" and event["data"]["high_minutes"] == 12
    api.patch(f"/api/v1/cases/{tenant.case.id}", json={"status": "resolved"})
    assert api.get(f"/api/v1/cases/{tenant.case.id}/brief").json()["current_step"] is None


def test_an_unknown_step_or_a_case_type_without_playbook_is_explained(api, playbook, tenant):
    unknown = api.post(f"/api/v1/cases/{tenant.case.id}/playbook-steps", json={"step": "dance"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_step"
    assert (
        unknown.json()["errors"][0]["path"] == ["step"]
        and "trace_shipment" in unknown.json()["errors"][0]["message"]
    )
    api.patch(f"/api/v1/cases/{tenant.case.id}", json={"type": "refund"})
    none = api.post(f"/api/v1/cases/{tenant.case.id}/playbook-steps", json={"step": "trace_shipment"})
    assert none.status_code == 409 and none.json()["code"] == "no_playbook"


def test_playbooks_stay_inside_the_organisation(app_client, playbook, tenant, other_tenant):
    intruder = Api(app_client, other_tenant.tokens["admin"])
    assert intruder.get("/api/v1/playbooks/delivery_missing").status_code == 404
    response = intruder.post(
        f"/api/v1/cases/{tenant.case.id}/playbook-steps", json={"step": "trace_shipment"}
    )
    assert response.status_code == 404 and response.json()["code"] == "case_not_found"
    theirs = intruder.put("/api/v1/playbooks/delivery_missing", json={"steps": [_step("own", 3)]})
    assert theirs.status_code == 200
    ours = Api(app_client, tenant.tokens["agent"]).get("/api/v1/playbooks/delivery_missing").json()
    assert [s["key"] for s in ours["steps"]] == ["verify_customer", "trace_shipment", "arrange_replacement"]
