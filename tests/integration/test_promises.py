"""The promise keeper: commitments with due times that are kept, watched and never forgotten."""

from datetime import timedelta

import pytest

from attent.core.db import Database
from attent.promises.jobs import advance_due_promises
from tests import factories as make
from tests.conftest import Api


def _events(api, case_id, prefix="promise."):
    return [
        e
        for e in api.get(f"/api/v1/cases/{case_id}/timeline").json()["items"]
        if e["kind"].startswith(prefix)
    ]


def test_make_a_callback_promise(api, tenant, clock):
    due = clock.now() + timedelta(minutes=30)
    p = make.promise(
        api, tenant.case.id, kind="callback", due_at=due.isoformat(), words="Ik bel u om 10:30 terug"
    )
    assert (
        p["state"] == "open" and p["owner_id"] == str(tenant.agent.id) and p["team_id"] == str(tenant.team_id)
    )
    assert p["due_by"] == make.iso(due)
    assert p["at_risk_at"] == make.iso(due - timedelta(minutes=5))  # callbacks warn five minutes ahead
    assert p["grace_until"] == make.iso(due + timedelta(minutes=5))
    [made] = _events(api, tenant.case.id)
    assert made["kind"] == "promise.made" and made["data"]["words"] == "Ik bel u om 10:30 terug"


def test_a_window_and_the_hour_warning_for_other_kinds(api, tenant, clock):
    start, end = clock.now() + timedelta(days=1), clock.now() + timedelta(days=1, hours=4)
    p = make.promise(api, tenant.case.id, kind="delivery", due_from=start.isoformat(), due_by=end.isoformat())
    assert p["due_from"] == make.iso(start) and p["due_by"] == make.iso(end)
    assert p["at_risk_at"] == make.iso(end - timedelta(hours=1))


@pytest.mark.parametrize(
    ("kind", "minutes", "warning"),
    [
        ("step", 12, 5),  # a quarter is 3: at least 5, so at risk with 5 minutes left, not from the start
        ("other", 4, 2),  # never more than half: on track for its first half
        ("follow_up", 120, 30),  # a quarter of two hours
        ("delivery", 8 * 60, 60),  # a quarter would be two hours: the organisation's window is the most
        ("callback", 10, 5),  # the dropped call's call-back keeps its five minutes
        ("callback", 120, 5),
    ],
)
def test_the_warning_scales_with_the_promise_so_it_is_on_track_when_made(
    api, tenant, clock, database, kind, minutes, warning
):
    due = clock.now() + timedelta(minutes=minutes)
    body = {
        "kind": kind,
        "due_at": due.isoformat(),
        **({"step_type": "courier_trace"} if kind == "step" else {}),
    }
    p = make.promise(api, tenant.case.id, **body)
    assert p["at_risk_at"] == make.iso(due - timedelta(minutes=warning)) and p["at_risk"] is False
    assert advance_due_promises(database=database, now=clock.now()) == 0  # on track when made
    clock.set(due - timedelta(minutes=warning))
    assert advance_due_promises(database=database, now=clock.now()) == 1


@pytest.mark.parametrize(
    ("body", "code", "path", "message"),
    [
        (
            {"kind": "callback", "due_at": "2020-01-01T10:00:00Z"},
            "due_in_past",
            ["due_at"],
            "ligt niet na nu",
        ),
        (
            {"kind": "delivery", "due_from": "2030-01-02T10:00:00Z", "due_by": "2030-01-01T10:00:00Z"},
            "validation_failed",
            ["body"],
            "eindigt (due_by) voordat het begint",
        ),
        ({"kind": "callback"}, "validation_failed", ["body"], "heeft een deadline nodig"),
        ({"kind": "step", "due_at": "2030-01-01T10:00:00Z"}, "validation_failed", ["body"], "step_type"),
        (
            {"kind": "callback", "due_at": "2030-01-01T10:00:00"},
            "validation_failed",
            ["body", "due_at"],
            "tijdzone",
        ),
        (
            {"kind": "promise", "due_at": "2030-01-01T10:00:00Z"},
            "validation_failed",
            ["body", "kind"],
            "callback",
        ),
    ],
)
def test_bad_promises_are_refused_with_the_reason(api, tenant, body, code, path, message):
    response = api.post(f"/api/v1/cases/{tenant.case.id}/promises", json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == code
    assert problem["errors"][0]["path"] == path and message in problem["errors"][0]["message"]
    assert _events(api, tenant.case.id) == []


def test_an_owner_from_another_organisation_is_refused(api, tenant, other_tenant):
    response = api.post(
        f"/api/v1/cases/{tenant.case.id}/promises",
        json={"kind": "callback", "due_at": "2030-01-01T10:00:00Z", "owner_id": str(other_tenant.agent.id)},
    )
    assert response.status_code == 422 and response.json()["code"] == "unknown_owner"
    assert response.json()["errors"][0]["path"] == ["owner_id"]


def test_keep_cancel_and_their_rules(api, tenant, clock):
    due = (clock.now() + timedelta(hours=2)).isoformat()
    a = make.promise(api, tenant.case.id, kind="follow_up", due_at=due)
    b = make.promise(api, tenant.case.id, kind="refund", due_at=due)
    clock.advance(timedelta(minutes=20))
    kept = api.post(f"/api/v1/promises/{a['id']}/keep").json()
    assert (
        kept["state"] == "kept"
        and kept["closed_at"] == make.iso(clock.now())
        and kept["closed_by_id"] == str(tenant.agent.id)
    )
    no_reason = api.post(f"/api/v1/promises/{b['id']}/cancel", json={})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["path"] == ["body", "reason"]
    cancelled = api.post(
        f"/api/v1/promises/{b['id']}/cancel", json={"reason": "Klant kreeg het bedrag al terug"}
    ).json()
    assert (
        cancelled["state"] == "cancelled" and cancelled["close_reason"] == "Klant kreeg het bedrag al terug"
    )
    again = api.post(f"/api/v1/promises/{b['id']}/keep")
    assert again.status_code == 409 and again.json()["code"] == "promise_not_open"
    assert "ingetrokken" in again.json()["detail"]
    assert [e["kind"] for e in _events(api, tenant.case.id)] == [
        "promise.made",
        "promise.made",
        "promise.kept",
        "promise.cancelled",
    ]


def test_my_open_promises_soonest_first_and_filters(app_client, tenant, clock):
    agent = Api(app_client, tenant.tokens["agent"])
    later = make.promise(
        agent, tenant.case.id, kind="callback", due_at=(clock.now() + timedelta(hours=3)).isoformat()
    )
    sooner = make.promise(
        agent, tenant.case.id, kind="follow_up", due_at=(clock.now() + timedelta(hours=1)).isoformat()
    )
    lead = Api(app_client, tenant.tokens["lead"])
    leads_own = make.promise(
        lead, tenant.case.id, kind="other", due_at=(clock.now() + timedelta(minutes=30)).isoformat()
    )
    assert [p["id"] for p in agent.get("/api/v1/promises").json()["items"]] == [sooner["id"], later["id"]]
    team = agent.get("/api/v1/promises", params={"team_id": str(tenant.team_id)}).json()["items"]
    assert [p["id"] for p in team] == [leads_own["id"], sooner["id"], later["id"]]
    soon = agent.get(
        "/api/v1/promises",
        params={"team_id": str(tenant.team_id), "due_before": make.iso(clock.now() + timedelta(hours=2))},
    )
    assert [p["id"] for p in soon.json()["items"]] == [leads_own["id"], sooner["id"]]
    agent.post(f"/api/v1/promises/{sooner['id']}/keep")
    assert [p["id"] for p in agent.get("/api/v1/promises", params={"state": "kept"}).json()["items"]] == [
        sooner["id"]
    ]


def test_calling_the_customer_keeps_the_callback_and_replying_keeps_the_follow_up(api, tenant, clock):
    due = (clock.now() + timedelta(hours=1)).isoformat()
    callback = make.promise(api, tenant.case.id, kind="callback", due_at=due)
    follow_up = make.promise(api, tenant.case.id, kind="follow_up", due_at=due)
    ended = (clock.now() + timedelta(minutes=5)).isoformat()
    call = {"channel": "phone", "direction": "outbound", "outcome": "follow_up", "ended_at": ended}
    api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json=call)
    assert api.get(f"/api/v1/promises/{callback['id']}").json()["state"] == "kept"
    assert api.get(f"/api/v1/promises/{follow_up['id']}").json()["state"] == "open"
    contact = api.post(
        f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "email", "direction": "outbound"}
    ).json()
    api.post(
        f"/api/v1/contacts/{contact['id']}/messages",
        json={"speaker": "agent", "text": "Hierbij het retourlabel."},
    )
    kept = api.get(f"/api/v1/promises/{follow_up['id']}").json()
    assert kept["state"] == "kept" and kept["close_reason"] == "reply"


def _dropped_call(api, case_id, clock, channel="phone"):
    body = {
        "channel": channel,
        "started_at": make.iso(clock.now()),
        "ended_at": make.iso(clock.now() + timedelta(minutes=4)),
        "outcome": "dropped",
    }
    response = api.post(f"/api/v1/cases/{case_id}/contacts", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_dropped_call_becomes_a_callback_owned_by_the_same_agent_if_available(api, tenant, clock):
    api.put(f"/api/v1/agents/{tenant.agent.id}/presence", json={"presence": "available"})
    contact = _dropped_call(api, tenant.case.id, clock)
    [promise] = api.get("/api/v1/promises", params={"case_id": str(tenant.case.id)}).json()["items"]
    assert promise["kind"] == "callback" and promise["source"] == "dropped_contact"
    assert promise["owner_id"] == str(tenant.agent.id) and promise["contact_id"] == contact["id"]
    assert promise["due_by"] == make.iso(
        clock.now() + timedelta(minutes=14)
    )  # ten minutes after the line dropped


def test_an_absent_agents_dropped_call_goes_to_the_team(api, tenant, clock):
    _dropped_call(api, tenant.case.id, clock, channel="chat")
    [promise] = api.get("/api/v1/promises", params={"case_id": str(tenant.case.id)}).json()["items"]
    assert promise["owner_id"] is None and promise["team_id"] == str(tenant.team_id)


def test_no_callback_for_dropped_e_mail_or_resolved_cases(api, tenant, clock):
    _dropped_call(api, tenant.case.id, clock, channel="email")
    api.patch(f"/api/v1/cases/{tenant.case.id}", json={"status": "resolved"})
    running = api.post(
        f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "phone", "direction": "outbound"}
    ).json()
    api.patch(f"/api/v1/contacts/{running['id']}", json={"outcome": "dropped"})
    assert api.get("/api/v1/promises", params={"case_id": str(tenant.case.id)}).json()["items"] == []


def test_the_customer_calling_again_first_keeps_the_automatic_callback(api, tenant, clock):
    _dropped_call(api, tenant.case.id, clock)
    clock.advance(timedelta(minutes=6))
    api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "phone", "direction": "inbound"})
    [promise] = api.get("/api/v1/promises", params={"case_id": str(tenant.case.id), "state": "kept"}).json()[
        "items"
    ]
    assert promise["close_reason"] == "customer contacted us again" and promise["closed_by_id"] is None


def test_the_worker_turns_promises_at_risk_then_broken_on_time(api, tenant, clock, database: Database):
    due = clock.now() + timedelta(minutes=30)
    p = make.promise(api, tenant.case.id, kind="callback", due_at=due.isoformat())
    kept = make.promise(api, tenant.case.id, kind="other", due_at=due.isoformat())
    api.post(f"/api/v1/promises/{kept['id']}/keep")
    assert advance_due_promises(database=database, now=clock.now()) == 0
    clock.set(due - timedelta(minutes=5, seconds=1))
    assert advance_due_promises(database=database, now=clock.now()) == 0
    clock.advance(timedelta(seconds=1))
    assert advance_due_promises(database=database, now=clock.now()) == 1
    assert api.get(f"/api/v1/promises/{p['id']}").json()["at_risk"] is True
    assert advance_due_promises(database=database, now=clock.now()) == 0  # nothing twice
    brief = api.get(f"/api/v1/cases/{tenant.case.id}/brief", params={"lang": "en"}).json()
    [open_promise] = brief["open_promises"]
    summary = f"call-back, due today 10:30 — {tenant.agent.name} — at risk"
    assert open_promise["summary"] == summary
    clock.set(due + timedelta(minutes=5))
    assert advance_due_promises(database=database, now=clock.now()) == 1
    broken = api.get(f"/api/v1/promises/{p['id']}").json()
    assert broken["state"] == "broken" and broken["closed_at"] == make.iso(due + timedelta(minutes=5))
    kinds = [(e["kind"], e["at"]) for e in _events(api, tenant.case.id) if e["data"]["promise_id"] == p["id"]]
    assert kinds == [
        ("promise.made", make.iso(due - timedelta(minutes=30))),
        ("promise.at_risk", make.iso(due - timedelta(minutes=5))),
        ("promise.broken", make.iso(due + timedelta(minutes=5))),
    ]
    assert api.get(f"/api/v1/promises/{kept['id']}").json()["state"] == "kept"
    brief = api.get(f"/api/v1/cases/{tenant.case.id}/brief", params={"lang": "en"}).json()
    assert brief["next_step"]["text"].startswith("Apologise and make good the broken promise")


def test_a_worker_catching_up_breaks_an_overdue_promise_without_a_false_at_risk(api, tenant, clock, database):
    due = clock.now() + timedelta(minutes=30)
    p = make.promise(api, tenant.case.id, kind="callback", due_at=due.isoformat())
    clock.set(due + timedelta(hours=1))  # the worker was down the whole time
    assert advance_due_promises(database=database, now=clock.now()) == 1
    assert [e["kind"] for e in _events(api, tenant.case.id)] == ["promise.made", "promise.broken"]
    assert api.get(f"/api/v1/promises/{p['id']}").json()["state"] == "broken"


def test_reassign_to_a_colleague_or_the_team(app_client, tenant, clock):
    agent = Api(app_client, tenant.tokens["agent"])
    p = make.promise(
        agent, tenant.case.id, kind="callback", due_at=(clock.now() + timedelta(hours=1)).isoformat()
    )
    moved = agent.post(f"/api/v1/promises/{p['id']}/reassign", json={"owner_id": str(tenant.lead.id)}).json()
    assert moved["owner_id"] == str(tenant.lead.id)
    assert agent.post(f"/api/v1/promises/{p['id']}/reassign", json={}).status_code == 422
    bad = agent.post(f"/api/v1/promises/{p['id']}/reassign", json={"team_id": str(tenant.case.id)})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == ["team_id"]
    brief = agent.get(f"/api/v1/cases/{tenant.case.id}/brief", params={"lang": "en"}).json()
    assert brief["open_promises"][0]["owner_name"] == tenant.lead.name


def test_step_durations_are_learned_from_kept_step_promises(api, tenant, clock):
    start = clock.now()
    for minutes in (10, 12, 12, 13, 14, 15, 30):  # one slow outlier
        clock.set(start)
        p = make.promise(
            api,
            tenant.case.id,
            kind="step",
            step_type="invoice_matching",
            due_at=make.iso(start + timedelta(hours=1)),
        )
        clock.set(start + timedelta(minutes=minutes))
        api.post(f"/api/v1/promises/{p['id']}/keep")
    clock.set(start)
    few = make.promise(
        api,
        tenant.case.id,
        kind="step",
        step_type="courier_trace",
        due_at=make.iso(start + timedelta(hours=1)),
    )
    clock.set(start + timedelta(minutes=3))
    api.post(f"/api/v1/promises/{few['id']}/keep")
    unkept = make.promise(
        api,
        tenant.case.id,
        kind="step",
        step_type="courier_trace",
        due_at=make.iso(clock.now() + timedelta(hours=1)),
    )
    api.post(f"/api/v1/promises/{unkept['id']}/cancel", json={"reason": "customer hung up"})
    by_type = {s["step_type"]: s for s in api.get("/api/v1/step-types").json()["items"]}
    matching = by_type["invoice_matching"]
    assert matching["observations"] == 7 and matching["enough"] is True
    assert matching["median_seconds"] == 13 * 60
    assert matching["p80_seconds"] == 14.8 * 60  # linear interpolation between the 5th and 6th of 7
    assert matching["suggestion"] == "usually 13-15 minutes"
    trace = by_type["courier_trace"]
    assert trace["observations"] == 1 and trace["enough"] is False and trace["suggestion"] is None


def test_promises_and_step_timings_stay_inside_the_organisation(app_client, tenant, other_tenant, clock):
    ours = Api(app_client, tenant.tokens["agent"])
    p = make.promise(
        ours,
        tenant.case.id,
        kind="step",
        step_type="invoice_matching",
        due_at=make.iso(clock.now() + timedelta(hours=1)),
    )
    ours.post(f"/api/v1/promises/{p['id']}/keep")
    theirs = Api(app_client, other_tenant.tokens["admin"])
    assert theirs.get("/api/v1/step-types").json()["items"] == []
    everything = theirs.get("/api/v1/promises", params={"state": ["open", "kept"]}).json()["items"]
    assert p["id"] not in {x["id"] for x in everything}


def test_a_step_promise_without_a_time_takes_the_learned_range(api, tenant, clock):
    start = clock.now()
    for minutes in (10, 12, 13, 14, 20):
        clock.set(start)
        p = make.promise(
            api,
            tenant.case.id,
            kind="step",
            step_type="refund_check",
            due_at=make.iso(start + timedelta(hours=1)),
        )
        clock.set(start + timedelta(minutes=minutes))
        api.post(f"/api/v1/promises/{p['id']}/keep")
    clock.set(start + timedelta(hours=2))
    step = make.promise(
        api, tenant.case.id, kind="step", step_type="refund_check", words="Dit duurt 13 tot 16 minuten"
    )
    # median 13 minutes; 80th percentile 15.2, rounded up: promise no sooner than we can keep it
    assert step["due_from"] == make.iso(clock.now() + timedelta(minutes=13))
    assert step["due_by"] == make.iso(clock.now() + timedelta(minutes=16))
    [learned] = [s for s in api.get("/api/v1/step-types").json()["items"] if s["step_type"] == "refund_check"]
    assert learned["suggestion"] == "usually 13-16 minutes"


def test_a_step_without_enough_history_needs_a_time(api, tenant, clock):
    response = api.post(
        f"/api/v1/cases/{tenant.case.id}/promises", json={"kind": "step", "step_type": "never_seen"}
    )
    assert response.status_code == 422 and response.json()["code"] == "no_learned_duration"
    assert "0 nagekomen stappen van het type “never_seen”" in response.json()["detail"]
    no_time = api.post(f"/api/v1/cases/{tenant.case.id}/promises", json={"kind": "callback"})
    assert no_time.status_code == 422 and "deadline" in no_time.json()["errors"][0]["message"]


def test_promise_rules_are_the_organisations_to_set(api, admin_api, tenant, clock):
    defaults = api.get("/api/v1/promise-settings").json()
    assert defaults == {
        "at_risk_minutes": {"callback": 5, "default": 60},
        "grace_minutes": 5,
        "dropped_callback_minutes": 10,
        "tell_customer": False,
    }
    assert api.put("/api/v1/promise-settings", json={"grace_minutes": 0}).status_code == 403
    bad = admin_api.put("/api/v1/promise-settings", json={"at_risk_minutes": {"bogus": 5, "callback": -1}})
    assert bad.status_code == 422 and "bogus" in bad.text
    changed = admin_api.put(
        "/api/v1/promise-settings", json={"at_risk_minutes": {"callback": 10}, "grace_minutes": 0}
    )
    assert changed.status_code == 200
    assert changed.json()["at_risk_minutes"] == {"callback": 10, "default": 60}
    due = clock.now() + timedelta(hours=1)
    p = make.promise(api, tenant.case.id, kind="callback", due_at=make.iso(due))
    assert p["at_risk_at"] == make.iso(due - timedelta(minutes=10)) and p["grace_until"] == make.iso(due)


def test_a_batch_of_due_promises_costs_the_same_statements_whatever_its_size(
    api, app_client, tenant, clock, database, queries_captured
):
    me = api.get("/api/v1/agents/me").json()["id"]
    assert api.put(f"/api/v1/agents/{me}/presence", json={"presence": "available"}).status_code == 200
    first = clock.now() + timedelta(minutes=30)
    for size, due in ((2, first), (20, first + timedelta(minutes=1))):
        for _ in range(size):
            make.promise(api, tenant.case.id, kind="callback", due_at=due.isoformat())
    counts = []
    for size, due in ((2, first), (20, first + timedelta(minutes=1))):
        clock.set(due - timedelta(minutes=5))
        with queries_captured() as statements:
            moved = advance_due_promises(database=database, now=clock.now())
        assert moved == size
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 12, (counts, [s[:60] for s in statements])  # not one per promise
    lead = Api(app_client, tenant.tokens["lead"])
    notes = lead.get("/api/v1/notifications", params={"limit": 100}).json()["items"]
    assert len([n for n in notes if n["kind"] == "promise.at_risk"]) == 22  # and the lead heard of each
