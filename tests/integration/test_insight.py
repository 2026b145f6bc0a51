"""Insight: first-contact resolution with the organisation's window, repeat contacts and reopens,
promises, backlog, first reply; who sees what; bad input; the CSV export."""

import csv
import io
from datetime import timedelta

from attent.cases import CaseCreate, CaseStatus
from attent.cases.service import change_status, create_case
from attent.contacts import ContactCreate
from attent.contacts.service import log_contact
from attent.customers.schemas import CustomerCreate
from attent.customers.service import create_customer
from tests.conftest import START, Api

DAY = timedelta(days=1)
NOV = {"since": "2026-11-01", "until": "2026-11-22"}


class Story:
    """Cases told as a customer lives them, through the services, at chosen times."""

    def __init__(self, db, tenant):
        self.db, self.tenant, self.n = db, tenant, 0

    def case(self, at, *, owner=None, customer=None, type="delivery_missing", team=None):
        self.n += 1
        if customer is None:
            customer = create_customer(
                db=self.db,
                actor=self.tenant.agent,
                at=at,
                data=CustomerCreate(name=f"Klant {self.n}", email=f"klant{self.n}@example.nl"),
            )
        return create_case(
            db=self.db,
            actor=self.tenant.admin,
            at=at,
            data=CaseCreate(
                customer_id=customer.id,
                subject=f"Vraag {self.n}",
                type=type,
                team_id=team or self.tenant.team_id,
                owner_id=(owner or self.tenant.agent).id,
            ),
        )

    def contact(self, case, at, *, direction="inbound", channel="phone", minutes=10):
        return log_contact(
            db=self.db,
            actor=self.tenant.admin,
            case_id=case.id,
            data=ContactCreate(
                channel=channel,
                direction=direction,
                started_at=at,
                ended_at=at + timedelta(minutes=minutes),
                outcome="resolved",
                agent_id=case.owner_id,
            ),
            at=at + timedelta(minutes=minutes),
        )

    def resolve(self, case, at):
        change_status(db=self.db, actor=self.tenant.admin, case=case, to=CaseStatus.RESOLVED, at=at)


def _get(api, measure, status=200, **params):
    response = api.get(f"/api/v1/insight/{measure}", params=params)
    assert response.status_code == status, response.text
    return response.json()


def test_first_contact_resolution_counts_what_came_back_within_the_window(db, app_client, tenant):
    story = Story(db, tenant)
    day = START - timedelta(days=20)  # 3 November
    once = story.case(day)
    story.contact(once, day)
    story.resolve(once, day + timedelta(minutes=15))  # resolved at first contact, never came back
    twice = story.case(day)
    story.contact(twice, day)
    story.contact(twice, day + DAY)
    story.resolve(twice, day + DAY)  # needed a second contact
    back = story.case(day)
    story.contact(back, day)
    story.resolve(back, day + timedelta(hours=1))
    story.contact(back, day + 3 * DAY)  # the customer called about it again (this reopens it)
    story.resolve(back, day + 3 * DAY + timedelta(hours=1))
    new_case = story.case(day)
    story.contact(new_case, day)
    story.resolve(new_case, day + timedelta(hours=1))
    story.case(day + 5 * DAY, customer=_customer(db, new_case))  # same need again, a new case
    late = story.case(day)
    story.contact(late, day)
    story.resolve(late, day + timedelta(hours=1))
    story.case(day + 10 * DAY, customer=_customer(db, late))  # same type, after the 7 days
    db.commit()

    lead = Api(app_client, tenant.tokens["lead"])
    fcr = _get(lead, "fcr", **NOV)
    # `back` was resolved twice: it counts once, at its last resolution, with two inbound contacts.
    assert fcr["total"]["values"]["resolved"] == 5
    assert fcr["total"]["values"]["first_contact_resolved"] == 2  # `once` and `late`
    assert fcr["total"]["values"]["fcr_share"] == 0.4
    assert fcr["window_days"] == 7

    admin = Api(app_client, tenant.tokens["admin"])
    assert (
        admin.put(
            "/api/v1/insight/settings", json={"fcr_window_days": 14, "first_reply_hours": 8}
        ).status_code
        == 200
    )
    wider = _get(lead, "fcr", **NOV)
    assert wider["window_days"] == 14 and wider["total"]["values"]["first_contact_resolved"] == 1

    reopens = _get(lead, "reopens", **NOV)
    assert reopens["total"]["values"] == {"resolutions": 6, "reopened": 1, "reopen_rate": round(1 / 6, 4)}
    repeats = _get(lead, "repeats", **NOV)["total"]["values"]
    assert repeats["resolved"] == 5 and repeats["repeat_contacts"] == 2  # `twice` and `back`, one each
    # After its last resolution `back` stayed quiet; `new_case`'s customer came back within 7 days.
    assert repeats["came_back_7d"] == 1
    assert repeats["came_back_30d"] == 2  # and `late`'s, after 10 days


def _customer(db, case):
    from attent.customers import Customer

    return db.get(Customer, (case.organisation_id, case.customer_id))


def test_grouped_by_week_channel_and_agent_with_the_previous_period(db, app_client, tenant):
    story = Story(db, tenant)
    for offset, channel, owner in (
        (16, "phone", tenant.agent),
        (9, "email", tenant.agent),
        (9, "chat", tenant.lead),
    ):
        at = START - timedelta(days=offset)
        case = story.case(at, owner=owner)
        story.contact(case, at, channel=channel)
        story.resolve(case, at + timedelta(hours=2))
    earlier = START - timedelta(days=40)
    case = story.case(earlier)
    story.contact(case, earlier)
    story.resolve(case, earlier + timedelta(hours=2))
    db.commit()
    lead = Api(app_client, tenant.tokens["lead"])
    weeks = _get(lead, "fcr", group_by="week", **NOV)
    assert [(line["key"], line["values"]["resolved"]) for line in weeks["lines"]] == [
        ("2026-11-02", 1),
        ("2026-11-09", 2),
    ]
    assert weeks["previous_since"] == "2026-10-10" and weeks["previous_until"] == "2026-10-31"
    assert weeks["previous"]["values"]["resolved"] == 1
    channels = {
        line["key"]: line["values"]["resolved"]
        for line in _get(lead, "fcr", group_by="channel", **NOV)["lines"]
    }
    assert channels == {"phone": 1, "email": 1, "chat": 1}
    assert _get(lead, "fcr", channel="email", **NOV)["total"]["values"]["resolved"] == 1
    agents = {
        line["label"]: line["values"]["resolved"]
        for line in _get(lead, "fcr", group_by="agent", **NOV)["lines"]
    }
    assert agents == {"Agent kopje-koffie": 2, "Lead kopje-koffie": 1}

    # An agent sees their own figures only, whatever they ask to group by.
    agent = Api(app_client, tenant.tokens["agent"])
    own = _get(agent, "fcr", group_by="agent", **NOV)
    assert [line["label"] for line in own["lines"]] == ["Agent kopje-koffie"]
    assert own["total"]["values"]["resolved"] == 2
    _get(agent, "fcr", 403, agent_id=str(tenant.lead.id), **NOV)


def test_bad_periods_and_other_teams_are_refused(app_client, tenant, other_tenant):
    lead = Api(app_client, tenant.tokens["lead"])
    reversed_ = _get(lead, "fcr", 422, since="2026-11-20", until="2026-11-01")
    assert reversed_["errors"][0]["path"][-1] == "until"
    century = _get(lead, "promises", 422, since="1990-01-01", until="2089-12-31")
    assert "since" in century["errors"][0]["path"]
    _get(lead, "fcr", 404, team_id=str(other_tenant.team_id))
    _get(lead, "fcr", 403, team_id=str(tenant.other_team_id))
    _get(lead, "fcr", 422, since="1-1-2026")
    _get(lead, "handle-time", 422)
    assert (
        lead.put("/api/v1/insight/settings", json={"fcr_window_days": 3, "first_reply_hours": 8}).status_code
        == 403
    )


def test_promises_agree_with_the_promise_metrics(db, app_client, tenant, clock):
    agent = Api(app_client, tenant.tokens["agent"])
    for kind, minutes in (("callback", 30), ("callback", 60), ("follow_up", 90)):
        due = (clock.now() + timedelta(minutes=minutes)).isoformat()
        made = agent.post(f"/api/v1/cases/{tenant.case.id}/promises", json={"kind": kind, "due_at": due})
        assert made.status_code == 201, made.text
        if kind == "follow_up":
            assert agent.post(f"/api/v1/promises/{made.json()['id']}/keep").status_code == 200
    today = START.date().isoformat()
    insight = _get(agent, "promises", since=today, until=today)["total"]["values"]
    [metrics] = agent.get(
        "/api/v1/promise-metrics",
        params={"group_by": "team", "since": (START - DAY).isoformat(), "until": (START + DAY).isoformat()},
    ).json()["items"]
    for name in ("made", "open", "kept", "broken", "cancelled", "kept_late", "kept_share"):
        assert insight[name] == metrics[name], name
    assert insight["made"] == 3 and insight["kept"] == 1


def test_backlog_and_first_reply(db, app_client, tenant, clock):
    story = Story(db, tenant)
    old = story.case(START - 10 * DAY)
    story.contact(old, START - 10 * DAY, direction="outbound")  # no agent message: not a reply
    db.commit()
    lead = Api(app_client, tenant.tokens["lead"])
    backlog = _get(lead, "backlog")["total"]["values"]
    assert backlog["open"] == 2  # the fixture's case (today) and `old`
    assert (backlog["age_under_1d"], backlog["age_7_30d"]) == (1, 1)
    assert backlog["waiting"] == 2 and backlog["waiting_older"] == 1
    first = _get(lead, "first-reply", since="2026-11-01", until="2026-11-23")["total"]["values"]
    assert (first["cases"], first["replied"], first["replied_share"]) == (2, 0, 0.0)


def test_csv_is_semicolons_with_a_bom_and_dutch_decimals(db, app_client, tenant):
    story = Story(db, tenant)
    for offset in (3, 4, 5):
        at = START - timedelta(days=offset + 10)
        case = story.case(at)
        story.contact(case, at)
        if offset != 5:
            story.contact(case, at + timedelta(hours=1))
        story.resolve(case, at + timedelta(hours=2))
    db.commit()
    lead = Api(app_client, tenant.tokens["lead"])
    response = lead.get("/api/v1/insight/fcr", params={**NOV, "group_by": "team", "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="attent-fcr-2026-11-01-2026-11-22.csv"' in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["team", "label", "resolved", "first_contact_resolved", "settled", "fcr_share"]
    assert rows[1][1:] == ["Front", "3", "1", "3", "0,3333"]
    assert rows[-1][0] == "total"


def test_time_taken_against_coming_back_by_duration_band(db, app_client, tenant):
    story = Story(db, tenant)
    rushed_at = START - timedelta(days=12)
    rushed = story.case(rushed_at)
    story.contact(rushed, rushed_at, minutes=1)  # a rushed call...
    story.contact(rushed, rushed_at + 2 * DAY, minutes=8)  # ...and the call back two days later
    calm_at = START - timedelta(days=11)
    calm = story.case(calm_at)
    story.contact(calm, calm_at, minutes=15)  # time taken: the customer never needed to call again
    db.commit()
    lead = Api(app_client, tenant.tokens["lead"])
    report = _get(lead, "durations", **NOV)
    bands = {line["key"]: line["values"] for line in report["lines"]}
    assert report["group_by"] == "band" and list(bands) == ["under_2m", "5_10m", "10_20m"]
    assert bands["under_2m"]["came_back_7d_share"] == 1.0
    assert bands["10_20m"]["came_back_7d_share"] == 0.0 and bands["5_10m"]["contacts"] == 1
    assert "agent" not in {k for line in report["lines"] for k in line["values"]}  # context, never a ranking
