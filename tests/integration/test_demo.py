"""The demo data tells the story later features build on, whenever it is opened."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from attent.agents.models import Agent
from attent.briefs.service import build_brief
from attent.cases.models import Case
from attent.core.db import Base
from attent.core.errors import Conflict
from attent.demo import Opened, is_empty, load_demo, open_demo
from attent.demo.story import FRESH_FOR, SETTINGS_KEY, demo_token
from attent.organisations.models import Organisation
from attent.playbooks.service import get_playbook
from attent.promises.jobs import advance_due_promises
from attent.promises.models import Promise, PromiseState
from attent.verification.service import get_policy
from attent.workspace.team import team_overview
from tests.conftest import make_tenant

KEY = "a-secret-key-for-tests"


def test_demo_tells_the_dropped_call_story_in_both_organisations(db, clock):
    assert is_empty(db)
    result = load_demo(db=db, now=clock.now())
    db.commit()
    assert not is_empty(db)
    assert {org for org, *_ in result.logins} == {"Kopje Koffie", "Villa Oleander"}
    assert {role for *_, role in result.logins} == {"admin", "lead", "agent"}
    fatima = db.scalar(select(Agent).where(Agent.email == "fatima@kopjekoffie.example"))
    missing = db.scalar(select(Case).where(Case.type == "delivery_missing"))
    brief = build_brief(db=db, actor=fatima, case_id=missing.id, now=clock.now(), language="en")
    assert brief.dropped_contacts == 1
    assert brief.next_step.text.startswith("Call the customer back by today")
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
        build_brief(db=db, actor=emma, case_id=english.id, now=clock.now())
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
    from attent.recovery.service import approvals
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


def _assert_story_holds(db, now):
    """What the README promises: Fatima's dropped call with its call-back ahead, Daan's broken and at-risk."""
    fatima = db.scalar(select(Agent).where(Agent.email == "fatima@kopjekoffie.example"))
    missing = db.scalar(select(Case).where(Case.type == "delivery_missing"))
    brief = build_brief(db=db, actor=fatima, case_id=missing.id, now=now, language="en")
    assert brief.dropped_contacts == 1 and brief.next_step.text.startswith("Call the customer back by today")
    [callback] = brief.open_promises
    assert callback.kind == "callback" and now < callback.due_at <= now + timedelta(minutes=10)
    daan = db.scalar(select(Agent).where(Agent.email == "daan@kopjekoffie.example"))
    overview = team_overview(db=db, actor=daan, now=now)
    assert [(line.broken, line.owner_name) for line in overview.troubled] == [
        (True, "Emma Clarke"),
        (False, "Fatima El Amrani"),
    ]
    assert [c.case_subject for c in overview.callbacks] == ["Zending nooit aangekomen (bestelling 88213)"]


def _rows_of(db, organisation_ids):
    """How many rows of any table belong to these organisations."""
    tables = [t for t in Base.metadata.sorted_tables if "organisation_id" in t.c]
    return sum(
        db.scalar(select(func.count()).select_from(t).where(t.c.organisation_id.in_(organisation_ids)))
        for t in tables
    )


def test_a_demo_opened_a_week_later_is_loaded_again_and_tells_its_story_as_of_now(db, database, clock):
    first = open_demo(db=db, now=clock.now(), secret_key=KEY)
    db.commit()
    assert first.opened is Opened.LOADED
    _assert_story_holds(db, clock.now())
    old_ids = list(db.scalars(select(Organisation.id)))
    clock.advance(timedelta(hours=1))  # the server ran: the worker broke the call-back and notified Daan
    advance_due_promises(database=database, now=clock.now())
    callback = db.scalar(
        select(Promise).where(Promise.kind == "callback", Promise.source == "dropped_contact")
    )
    assert callback.state is PromiseState.BROKEN
    clock.advance(timedelta(days=7))
    again = open_demo(db=db, now=clock.now(), secret_key=KEY)
    db.commit()
    assert again.opened is Opened.RELOADED and again.was_loaded_at == clock.now() - timedelta(days=7, hours=1)
    assert again.logins.logins == first.logins.logins
    coffee = db.scalar(select(Organisation).where(Organisation.slug == "kopje-koffie"))
    assert again.logins.token == demo_token(KEY, coffee) != first.logins.token
    assert db.scalar(select(func.count()).select_from(Organisation)) == 2  # replaced, not added
    assert _rows_of(db, old_ids) == 0
    _assert_story_holds(db, clock.now())
    assert coffee.settings[SETTINGS_KEY]["loaded_at"] == clock.now().isoformat()


def test_a_demo_opened_again_while_its_story_holds_is_left_alone_and_shows_its_logins(db, clock):
    first = open_demo(db=db, now=clock.now(), secret_key=KEY)
    db.commit()
    cases = db.scalar(select(func.count()).select_from(Case))
    clock.advance(FRESH_FOR - timedelta(seconds=1))
    again = open_demo(db=db, now=clock.now(), secret_key=KEY)
    assert again.opened is Opened.CURRENT and again.logins == first.logins and again.logins.token
    assert db.scalar(select(func.count()).select_from(Case)) == cases
    clock.advance(timedelta(days=30))
    shown = open_demo(db=db, now=clock.now(), secret_key=KEY, show_only=True)  # --show: never reloads
    assert shown.opened is Opened.SHOWN and shown.logins == first.logins
    assert db.scalar(select(func.count()).select_from(Case)) == cases
    assert (
        open_demo(db=db, now=clock.now(), secret_key="another-key-here", show_only=True).logins.token is None
    )


def test_reloading_the_demo_leaves_other_organisations_alone(db, clock):
    theirs = make_tenant(db, clock, "acme-shop")
    assert open_demo(db=db, now=clock.now(), secret_key=KEY).opened is None  # not into someone's data
    assert open_demo(db=db, now=clock.now(), secret_key=KEY, force=True).opened is Opened.LOADED
    db.commit()
    rows = _rows_of(db, [theirs.organisation_id])
    clock.advance(timedelta(days=2))
    assert open_demo(db=db, now=clock.now(), secret_key=KEY).opened is Opened.RELOADED
    db.commit()
    assert _rows_of(db, [theirs.organisation_id]) == rows
    assert db.scalar(select(func.count()).select_from(Organisation)) == 3


def test_an_organisation_that_only_shares_a_demo_slug_is_never_taken_for_the_demo(db, clock, tenant):
    with pytest.raises(Conflict):  # the tenant is called kopje-koffie too, but it is nobody's demo
        open_demo(db=db, now=clock.now(), secret_key=KEY, force=True)


def test_a_demo_loaded_before_demos_were_marked_is_recognised_and_loaded_again(db, clock):
    load_demo(db=db, now=clock.now())
    for org in db.scalars(select(Organisation)):
        org.settings = {k: v for k, v in org.settings.items() if k != SETTINGS_KEY}
    db.commit()
    opened = open_demo(db=db, now=clock.now(), secret_key=KEY)
    assert opened.opened is Opened.RELOADED and opened.was_loaded_at is None
    assert db.scalar(select(func.count()).select_from(Organisation)) == 2
