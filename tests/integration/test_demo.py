"""The demo data tells the story later features build on."""

from sqlalchemy import select

from attent.agents.models import Agent
from attent.briefs.service import build_brief
from attent.cases.models import Case
from attent.demo import is_empty, load_demo
from attent.playbooks.service import get_playbook
from attent.verification.service import get_policy
from attent.workspace.team import team_overview


def test_demo_tells_the_dropped_call_story_in_both_organisations(db, clock):
    assert is_empty(db)
    result = load_demo(db=db, now=clock.now())
    db.commit()
    assert not is_empty(db)
    assert {org for org, *_ in result.logins} == {"Kopje Koffie", "Villa Oleander"}
    assert {role for *_, role in result.logins} == {"admin", "lead", "agent"}
    fatima = db.scalar(select(Agent).where(Agent.email == "fatima@kopjekoffie.example"))
    missing = db.scalar(select(Case).where(Case.type == "delivery_missing"))
    brief = build_brief(db=db, actor=fatima, case_id=missing.id, language="en")
    assert brief.dropped_contacts == 1
    assert brief.next_step.text.startswith("Call the customer back before")
    assert brief.next_step.text.endswith(
        "(Fatima El Amrani)."
    )  # she is available, so the call-back stays hers
    [callback] = brief.open_promises
    assert callback.kind == "callback" and callback.due_at > clock.now()
    assert brief.need.text.startswith("Mijn bestelling 88213 is nooit aangekomen")
    assert brief.customer.earlier_case_count == 1
    villa_cases = db.scalars(select(Case.type).where(Case.organisation_id != fatima.organisation_id)).all()
    assert {"late_arrival", "surprise"} <= set(villa_cases)
    english = db.scalar(select(Case).where(Case.subject == "Wrong capsules in my order"))
    emma = db.scalar(select(Agent).where(Agent.email == "emma@kopjekoffie.example"))
    assert (
        build_brief(db=db, actor=emma, case_id=english.id)
        .unanswered[0]
        .text.startswith("I ordered the lungo")
    )


def test_demo_organisations_say_why_they_ask_and_what_they_do(db, clock):
    load_demo(db=db, now=clock.now())
    fatima = db.scalar(select(Agent).where(Agent.email == "fatima@kopjekoffie.example"))
    andreas = db.scalar(select(Agent).where(Agent.email == "andreas@villaoleander.example"))
    coffee = get_playbook(db=db, actor=fatima, case_type="delivery_missing")
    trace = next(s for s in coffee.steps if s.key == "trace_shipment")
    assert trace.narration.nl.startswith("Ik zoek nu uw zending op") and trace.expected.source == "default"
    assert [s.key for s in get_playbook(db=db, actor=andreas, case_type="late_arrival").steps]
    coffee_policy = get_policy(db=db, organisation_id=fatima.organisation_id)
    assert [q.key for q in coffee_policy.questions][:2] == ["email", "order_number"]
    villa_policy = get_policy(db=db, organisation_id=andreas.organisation_id)
    assert "booking_number" in [q.key for q in villa_policy.questions]


def test_demo_gives_the_orders_lead_a_broken_and_an_at_risk_promise(db, clock):
    load_demo(db=db, now=clock.now())
    db.commit()
    daan = db.scalar(select(Agent).where(Agent.email == "daan@kopjekoffie.example"))
    overview = team_overview(db=db, actor=daan, now=clock.now())
    assert [(line.broken, line.owner_name) for line in overview.troubled] == [
        (True, "Emma Clarke"),  # "Ik mail u morgen vóór 17:00 een retourlabel." (yesterday)
        (False, "Fatima El Amrani"),  # the birthday parcel, due within the hour
    ]
    assert overview.troubled[0].promise.words == "Ik mail u morgen vóór 17:00 een retourlabel."
    [callback] = overview.callbacks
    assert callback.case_subject == "Zending nooit aangekomen (bestelling 88213)"


def test_demo_suggests_a_replacement_for_the_missing_parcel_and_a_birthday_surprise_waits(db, clock):
    from attent.recovery.pages import approvals
    from attent.recovery.suggest import suggestion_for

    load_demo(db=db, now=clock.now())
    db.commit()
    missing = db.scalar(select(Case).where(Case.type == "delivery_missing"))
    suggestion = suggestion_for(db=db, case=missing, language="en", at=clock.now())
    assert [g.code for g in suggestion.gestures] == ["small_attention", "replacement"]
    assert suggestion.reason == "First failure for this customer in 90 days."
    eleni = db.scalar(select(Agent).where(Agent.email == "eleni@villaoleander.example"))
    [waiting] = approvals(db=db, actor=eleni, at=clock.now()).waiting
    assert (
        waiting.gesture.occasion == "birthday" and waiting.name == "Birthday cake and a bottle of local wine"
    )
