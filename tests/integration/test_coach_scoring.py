"""Contacts are scored by the worker when they end: one small queue row in the request, the scorecard,
its verdicts and promise proposals stored by the job, once per change, never visible to customers."""

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from attent.coach.jobs import score_ended_contacts
from attent.coach.models import ContactScorecard, PromiseProposal, ScoredVerdict, ScoringDue
from attent.promises.models import Promise, PromiseSource
from attent.timeline.models import TimelineEvent
from tests.conftest import Api

LINES = [
    ("customer", "mijn pakket is nooit aangekomen en ik heb morgen gasten"),
    (
        "agent",
        "Wat vervelend, en dat terwijl u morgen gasten heeft. Mag ik uw ordernummer? Dan zoek ik het op.",
    ),
    ("customer", "4411"),
    ("agent", "Ik bel u binnen een kwartier terug. Kan ik u verder nog ergens mee helpen?"),
]


def transcript(clock, lines=LINES, start=0):
    return [
        {"speaker": s, "text": t, "at": (clock.now() + timedelta(seconds=10 * (start + i))).isoformat()}
        for i, (s, t) in enumerate(lines)
    ]


def ended_contact(api: Api, tenant, clock, lines=LINES):
    """A phone call with its transcript, ended through PATCH like an agent's softphone would."""
    contact = api.post(
        f"/api/v1/cases/{tenant.case.id}/contacts",
        json={
            "channel": "phone",
            "started_at": clock.now().isoformat(),
            "messages": transcript(clock, lines),
        },
    ).json()
    ended = api.patch(f"/api/v1/contacts/{contact['id']}", json={"outcome": "resolved"})
    assert ended.status_code == 200, ended.text
    return contact


def count(db, model, **where):
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.scalar(query)


def run_worker(app_client, clock):
    return score_ended_contacts(database=app_client.app.state.db, now=clock.now())


def test_ending_a_contact_queues_it_and_the_worker_stores_its_scorecard(api, app_client, db, tenant, clock):
    contact = ended_contact(api, tenant, clock)
    assert count(db, ScoringDue, contact_id=uuid.UUID(contact["id"])) == 1
    assert count(db, ContactScorecard) == 0  # nothing scored inside the request

    assert run_worker(app_client, clock) == 1
    [sheet] = db.scalars(select(ContactScorecard)).all()
    assert str(sheet.contact_id) == contact["id"] and sheet.agent_id == tenant.agent.id
    assert sheet.language == "nl" and sheet.lines == 4 and sheet.applicable >= 1
    verdicts = {v.behaviour: v for v in db.scalars(select(ScoredVerdict))}
    assert len(verdicts) == 9
    assert verdicts["explains_why"].result.value == "met" and verdicts["explains_why"].lines == [1]
    assert verdicts["closing_check"].quote.startswith("Ik bel u binnen")
    [proposal] = db.scalars(select(PromiseProposal)).all()
    assert proposal.kind == "callback" and proposal.line == 3 and proposal.state.value == "proposed"
    assert proposal.due_at == clock.now() + timedelta(seconds=30, minutes=15)
    [event] = db.scalars(select(TimelineEvent).where(TimelineEvent.kind == "coach.scored")).all()
    assert event.customer_visible is False and event.data["met"] == sheet.met
    assert count(db, ScoringDue) == 0


def test_a_contact_is_scored_once_and_again_only_when_messages_arrive_later(
    api, app_client, db, tenant, clock
):
    contact = ended_contact(api, tenant, clock)
    run_worker(app_client, clock)
    assert run_worker(app_client, clock) == 0  # nothing changed, nothing scored
    assert count(db, TimelineEvent, kind="coach.scored") == 1

    later = [("agent", "Dan hoort u uiterlijk om 10:30 van mij. Fijne dag!")]
    added = api.post(
        f"/api/v1/contacts/{contact['id']}/messages", json={"messages": transcript(clock, later, 5)}
    )
    assert added.status_code == 201
    added = api.post(
        f"/api/v1/contacts/{contact['id']}/messages", json={"messages": transcript(clock, later, 6)}
    )
    assert count(db, ScoringDue) == 1  # queued again, once

    assert run_worker(app_client, clock) == 1
    [sheet] = db.scalars(select(ContactScorecard)).all()
    assert sheet.lines == 6
    assert count(db, ScoredVerdict) == 9  # replaced, not added
    assert count(db, TimelineEvent, kind="coach.scored") == 2
    lines = sorted(p.line for p in db.scalars(select(PromiseProposal)))
    assert lines.count(3) == 1  # the callback on line 3 is not proposed twice


def test_contacts_without_messages_or_still_running_are_not_queued(api, db, tenant, clock):
    running = api.post(
        f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "chat", "messages": transcript(clock)}
    ).json()
    silent = api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "phone"}).json()
    api.patch(f"/api/v1/contacts/{silent['id']}", json={"outcome": "resolved"})
    assert count(db, ScoringDue) == 0
    logged = api.post(
        f"/api/v1/cases/{tenant.case.id}/contacts",
        json={
            "channel": "phone",
            "ended_at": clock.now().isoformat(),
            "outcome": "resolved",
            "messages": transcript(clock),
        },
    ).json()
    assert [str(r.contact_id) for r in db.scalars(select(ScoringDue))] == [logged["id"]]
    assert running["ended_at"] is None


def test_accepting_a_proposal_makes_a_coach_promise_once(api, app_client, db, tenant, clock):
    ended_contact(api, tenant, clock)
    run_worker(app_client, clock)
    [proposal] = api.get(f"/api/v1/coach/cases/{tenant.case.id}/proposals").json()["items"]
    accepted = api.post(f"/api/v1/coach/proposals/{proposal['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "accepted"
    promise = db.get(Promise, (tenant.organisation_id, uuid.UUID(accepted.json()["promise_id"])))
    assert promise.source is PromiseSource.COACH and promise.kind.value == "callback"
    assert promise.owner_id == tenant.agent.id and promise.words == proposal["words"]
    again = api.post(f"/api/v1/coach/proposals/{proposal['id']}/dismiss")
    assert again.status_code == 409 and again.json()["code"] == "proposal_decided"
    assert count(db, Promise, source=PromiseSource.COACH) == 1


def test_a_dismissed_proposal_is_not_proposed_again_when_rescored(api, app_client, db, tenant, clock):
    contact = ended_contact(api, tenant, clock)
    run_worker(app_client, clock)
    [proposal] = api.get(f"/api/v1/coach/cases/{tenant.case.id}/proposals").json()["items"]
    assert api.post(f"/api/v1/coach/proposals/{proposal['id']}/dismiss").json()["state"] == "dismissed"
    api.post(f"/api/v1/contacts/{contact['id']}/messages", json={"speaker": "agent", "text": "Tot zo."})
    run_worker(app_client, clock)
    states = [p["state"] for p in api.get(f"/api/v1/coach/cases/{tenant.case.id}/proposals").json()["items"]]
    assert states == ["dismissed"]
    open_only = api.get(f"/api/v1/coach/cases/{tenant.case.id}/proposals?state=proposed").json()["items"]
    assert open_only == []


def test_with_auto_promises_on_the_worker_makes_them_itself(api, admin_api, app_client, db, tenant, clock):
    assert api.put("/api/v1/coach/settings", json={"auto_promises": True}).status_code == 403
    bad = admin_api.put("/api/v1/coach/settings", json={"auto_promises": True, "colour": "red"})
    assert bad.status_code == 422 and "colour" in bad.text
    assert admin_api.put("/api/v1/coach/settings", json={"auto_promises": True}).json() == {
        "auto_promises": True
    }
    assert api.get("/api/v1/coach/settings").json() == {"auto_promises": True}
    contact = ended_contact(api, tenant, clock)
    run_worker(app_client, clock)
    [proposal] = db.scalars(select(PromiseProposal)).all()
    assert proposal.state.value == "made"
    promise = db.get(Promise, (tenant.organisation_id, proposal.promise_id))
    assert promise.source is PromiseSource.COACH and promise.owner_id == tenant.agent.id
    assert str(promise.contact_id) == contact["id"]
    api.post(f"/api/v1/contacts/{contact['id']}/messages", json={"speaker": "agent", "text": "Tot zo."})
    run_worker(app_client, clock)
    assert count(db, Promise, source=PromiseSource.COACH) == 1


def test_the_stored_scorecard_reads_in_the_agents_language_and_404s_until_scored(
    api, app_client, tenant, clock
):
    contact = ended_contact(api, tenant, clock)
    missing = api.get(f"/api/v1/coach/contacts/{contact['id']}/scorecard")
    assert missing.status_code == 404 and missing.json()["code"] == "scorecard_not_found"
    run_worker(app_client, clock)
    body = api.get(f"/api/v1/coach/contacts/{contact['id']}/scorecard").json()
    assert body["contact_id"] == contact["id"] and body["lines"] == 4 and len(body["verdicts"]) == 9
    assert [p["kind"] for p in body["promises"]] == ["callback"]
    outsider = Api(app_client, tenant.tokens["outsider"])  # another team's agent: not their case
    assert outsider.get(f"/api/v1/coach/contacts/{contact['id']}/scorecard").status_code == 404


def test_the_panel_and_a_worker_batch_take_the_same_queries_for_one_contact_or_five(
    api, app_client, db, tenant, clock, queries_captured
):
    from attent.cases.models import Case
    from attent.coach.stored import case_panel

    engine = app_client.app.state.db.engine

    def measure():
        with queries_captured(engine) as batch:
            run_worker(app_client, clock)
        db.expire_all()
        case = db.get(Case, (tenant.organisation_id, tenant.case.id))
        with queries_captured(engine) as shown:
            panel = case_panel(db=db, actor=tenant.agent, case=case)
        return len(batch), len(shown), len(panel.cards)

    ended_contact(api, tenant, clock)
    one = measure()
    for _ in range(5):
        ended_contact(api, tenant, clock)
    five = measure()
    assert (one[2], five[2]) == (1, 6)
    assert five[1] == one[1]  # the panel: five queries, whatever the number of contacts
    assert five[0] == one[0]  # a batch: a fixed number of statements, not one per contact


def test_a_transcript_the_engine_chokes_on_is_skipped_and_the_rest_are_scored(
    api, app_client, db, tenant, clock, monkeypatch, caplog
):
    import attent.coach.scoring as scoring

    real = scoring.score

    def fragile(transcript, **kw):
        if any("BOOM" in line.text for line in transcript.lines):
            raise ValueError("engine bug")
        return real(transcript, **kw)

    monkeypatch.setattr(scoring, "score", fragile)
    ended_contact(api, tenant, clock, [("agent", "BOOM")])
    fine = ended_contact(api, tenant, clock)
    assert run_worker(app_client, clock) == 2
    [sheet] = db.scalars(select(ContactScorecard)).all()
    assert str(sheet.contact_id) == fine["id"]
    assert count(db, ScoringDue) == 0 and "scoring contact" in caplog.text


def test_a_promise_already_due_when_scored_is_not_proposed(api, app_client, db, tenant, clock):
    ended_contact(api, tenant, clock)
    clock.advance(timedelta(hours=1))  # the worker was behind: the call-back is already due
    run_worker(app_client, clock)
    assert count(db, ContactScorecard) == 1 and count(db, PromiseProposal) == 0


def test_a_dropped_call_is_judged_as_dropped_with_the_announced_wait_before_the_drop(
    api, app_client, db, tenant, clock
):
    lines = [
        ("customer", "mijn pakket is nooit aangekomen"),
        ("agent", "Ik zoek nu de zending op bij de vervoerder, dat duurt ongeveer tien minuten. "
                  "Ik blijf aan de lijn."),
        ("customer", "Prima."),
    ]  # fmt: skip
    contact = api.post(
        f"/api/v1/cases/{tenant.case.id}/contacts",
        json={
            "channel": "phone",
            "started_at": clock.now().isoformat(),
            "messages": transcript(clock, lines),
        },
    ).json()
    clock.advance(timedelta(minutes=6))  # the line drops while she works, as she said she would
    assert api.patch(f"/api/v1/contacts/{contact['id']}", json={"outcome": "dropped"}).status_code == 200
    run_worker(app_client, clock)
    card = api.get(f"/api/v1/coach/contacts/{contact['id']}/scorecard").json()
    verdicts = {v["behaviour"]: v for v in card["verdicts"]}
    assert verdicts["closing_check"]["result"] == "na"  # cut off: no closing question to miss
    assert verdicts["no_silent_hold"]["result"] == "met"  # the wait until the drop was announced
    assert verdicts["narrates"]["result"] == "met"
    assert all(i < len(lines) for v in card["verdicts"] for i in v["lines"])  # only lines that were said
