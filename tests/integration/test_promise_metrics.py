"""Promise metrics: made, kept, broken and cancelled per agent, team and kind, in local periods."""

from datetime import timedelta

from attent.promises.jobs import advance_due_promises
from tests import factories as make
from tests.conftest import Api


def _promise(api, case_id, kind, minutes, **body):
    """A promise of `kind` due `minutes` from the clock this test gave the client."""
    return make.promise(api, case_id, kind=kind, due=api.clock.now() + timedelta(minutes=minutes), **body)


def _metrics(api, **params):
    response = api.get("/api/v1/promise-metrics", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_counts_per_kind_and_agent_with_time_from_due_to_kept(app_client, tenant, clock, database):
    agent, lead = Api(app_client, tenant.tokens["agent"]), Api(app_client, tenant.tokens["lead"])
    agent.clock = lead.clock = clock
    start = clock.now()
    on_time = _promise(agent, tenant.case.id, "callback", 30)
    late = _promise(agent, tenant.case.id, "callback", 30)
    cancelled = _promise(agent, tenant.case.id, "follow_up", 60)
    broken = _promise(agent, tenant.case.id, "other", 10)
    _promise(agent, tenant.case.id, "follow_up", 600)  # stays open
    _promise(lead, tenant.case.id, "callback", 24 * 60)
    clock.set(start + timedelta(minutes=20))
    agent.post(f"/api/v1/promises/{on_time['id']}/keep")
    agent.post(f"/api/v1/promises/{cancelled['id']}/cancel", json={"reason": "customer solved it"})
    advance_due_promises(database=database, now=clock.now())  # the 'other' promise is past its grace
    clock.set(start + timedelta(minutes=40))
    agent.post(f"/api/v1/promises/{late['id']}/keep")
    assert agent.get(f"/api/v1/promises/{broken['id']}").json()["state"] == "broken"

    since, until = (start - timedelta(days=1)).isoformat(), (start + timedelta(days=1)).isoformat()
    by_kind = {
        m["group"]: m for m in _metrics(agent, group_by="kind", period="day", since=since, until=until)
    }
    callback = by_kind["callback"]
    assert (callback["made"], callback["kept"], callback["kept_late"], callback["open"]) == (3, 2, 1, 1)
    assert callback["kept_share"] == 1.0
    assert callback["avg_seconds_due_to_kept"] == 0.0  # ten minutes early and ten minutes late
    assert (by_kind["other"]["broken"], by_kind["other"]["kept_share"]) == (1, 0.0)
    assert (by_kind["follow_up"]["made"], by_kind["follow_up"]["cancelled"]) == (2, 1)
    assert {m["period_start"] for m in by_kind.values()} == {"2026-11-23"}

    by_agent = {
        m["label"]: m for m in _metrics(agent, group_by="agent", period="week", since=since, until=until)
    }
    assert by_agent["Agent kopje-koffie"]["made"] == 5 and by_agent["Lead kopje-koffie"]["made"] == 1
    assert by_agent["Agent kopje-koffie"]["period_start"] == "2026-11-23"  # a Monday
    [team] = _metrics(agent, group_by="team", period="month", since=since, until=until)
    assert team["label"] == "Front" and team["made"] == 6 and team["period_start"] == "2026-11-01"


def test_periods_are_the_organisations_local_days(app_client, tenant, clock):
    agent = Api(app_client, tenant.tokens["agent"])
    agent.clock = clock
    start = clock.now()
    clock.set(start - timedelta(hours=10, minutes=30))  # 22:30 UTC is 23:30 in Amsterdam: Sunday
    _promise(agent, tenant.case.id, "callback", 600)
    clock.set(start - timedelta(hours=9, minutes=30))  # 23:30 UTC is 00:30 in Amsterdam: Monday
    _promise(agent, tenant.case.id, "callback", 600)
    days = _metrics(
        agent,
        group_by="kind",
        period="day",
        since=(start - timedelta(days=2)).isoformat(),
        until=start.isoformat(),
    )
    assert [(d["period_start"], d["made"]) for d in days] == [("2026-11-22", 1), ("2026-11-23", 1)]


def test_a_bad_range_is_refused_and_other_organisations_are_not_counted(
    app_client, tenant, other_tenant, clock
):
    ours, theirs = Api(app_client, tenant.tokens["agent"]), Api(app_client, other_tenant.tokens["agent"])
    ours.clock = theirs.clock = clock
    _promise(theirs, other_tenant.case.id, "callback", 30)
    assert _metrics(ours, group_by="kind") == []
    bad = ours.get(
        "/api/v1/promise-metrics",
        params={"since": clock.now().isoformat(), "until": (clock.now() - timedelta(days=1)).isoformat()},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "bad_range"
    assert ours.get("/api/v1/promise-metrics", params={"group_by": "mood"}).status_code == 422
