"""The handoff brief: what the customer needs, what was done, what is open, what is next."""

from datetime import timedelta

import pytest

from attent.cases.schemas import CaseCreate
from attent.cases.service import create_case
from tests import factories as make


def _brief(api, case_id, lang="en"):
    response = api.get(f"/api/v1/cases/{case_id}/brief", params={"lang": lang})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_need_is_in_the_customers_own_words(api, tenant, clock):
    make.call(
        api,
        tenant.case.id,
        clock,
        [
            ("agent", "Goedemiddag, Kopje Koffie."),
            ("customer", "Ja."),
            ("customer", "Mijn bestelling is nooit aangekomen."),
        ],
    )
    need = _brief(api, tenant.case.id)["need"]
    assert need == {
        "text": "Mijn bestelling is nooit aangekomen.",
        "source": "customer_message",
        "at": need["at"],
    }


def test_without_customer_words_the_description_then_the_subject(api, tenant):
    with_description = api.post(
        "/api/v1/cases",
        json={
            "customer_id": str(tenant.customer.id),
            "subject": "Lek",
            "description": "Machine lekt na ontkalken",
        },
    ).json()
    assert _brief(api, with_description["id"])["need"]["source"] == "case_description"
    assert _brief(api, tenant.case.id)["need"] == {
        "text": "Zending nooit aangekomen",
        "source": "subject",
        "at": "2026-11-23T09:00:00Z",
    }


def test_what_was_done_and_by_whom(api, tenant, clock):
    make.call(api, tenant.case.id, clock, [("customer", "Waar blijft mijn pakket nou?")], outcome="dropped")
    api.post(f"/api/v1/cases/{tenant.case.id}/notes", json={"text": "Vervoerder zegt: afgeleverd bij buren"})
    done = _brief(api, tenant.case.id)["done"]
    assert [d["kind"] for d in done] == [
        "case.created",
        "contact.logged",
        "case.status_changed",
        "promise.made",  # the dropped call became a call-back promise
        "note.added",
    ]
    assert done[1]["summary"] == f"{tenant.agent.name}: inbound phone contact, dropped"
    assert done[4]["summary"] == f"{tenant.agent.name} noted: Vervoerder zegt: afgeleverd bij buren"
    assert {d["actor_name"] for d in done} == {tenant.agent.name, "Attent"}


def test_an_unanswered_question_stays_open_until_an_agent_replies(api, tenant, clock):
    make.call(
        api,
        tenant.case.id,
        clock,
        [("customer", "Krijg ik vandaag nog een nieuwe zending?")],
        outcome="dropped",
    )
    brief = _brief(api, tenant.case.id)
    assert [q["text"] for q in brief["unanswered"]] == ["Krijg ik vandaag nog een nieuwe zending?"]
    # the call ended at 09:05 UTC; the automatic call-back is due ten minutes later, 10:15 in Amsterdam
    assert brief["next_step"] == {
        "text": "Call the customer back by today 10:15 (the team).",
        "source": "derived",
        "set_by": None,
        "at": None,
    }
    make.call(
        api,
        tenant.case.id,
        clock,
        [("agent", "Ja, de nieuwe zending komt morgen voor 12:00.")],
        outcome="resolved",
    )
    brief = _brief(api, tenant.case.id)
    assert brief["unanswered"] == []
    assert brief["dropped_contacts"] == 1 and brief["contacts"] == 2


def test_a_next_step_written_by_an_agent_wins(api, tenant, clock):
    make.call(api, tenant.case.id, clock, [("customer", "Kunt u mij terugbellen?")], outcome="dropped")
    api.patch(f"/api/v1/cases/{tenant.case.id}", json={"next_step": "Marieke om 14:15 terugbellen"})
    step = _brief(api, tenant.case.id)["next_step"]
    assert (
        step["text"] == "Marieke om 14:15 terugbellen"
        and step["source"] == "agent"
        and step["set_by"] == tenant.agent.name
    )
    api.patch(f"/api/v1/cases/{tenant.case.id}", json={"next_step": None})
    assert _brief(api, tenant.case.id)["next_step"]["source"] == "derived"


def test_customer_context_with_earlier_cases_and_consented_facts(api, tenant, db, clock):
    api.patch(
        f"/api/v1/customers/{tenant.customer.id}",
        json={
            "language": "en",
            "facts": {
                "birthday": {"value": "14 March", "consent": "asked on the phone"},
                "prefers": {"value": "a call in the morning", "consent": "asked on the phone"},
            },
        },
    )
    for i in range(7):
        clock.advance(timedelta(minutes=1))
        create_case(
            db=db,
            actor=tenant.agent,
            data=CaseCreate(customer_id=tenant.customer.id, subject=f"Earlier {i}"),
            at=clock.now(),
        )
    db.commit()
    customer = _brief(api, tenant.case.id)["customer"]
    assert customer["language"] == "en"  # a date of birth answers questions elsewhere: masked
    assert customer["facts"] == {"birthday": "••••", "prefers": "a call in the morning"}
    assert customer["external_refs"] == {"shop": "C-1042"}
    assert customer["earlier_case_count"] == 7
    assert [c["subject"] for c in customer["earlier_cases"]] == [f"Earlier {i}" for i in (6, 5, 4, 3, 2)]


def test_the_brief_is_never_stale(api, tenant, clock):
    assert _brief(api, tenant.case.id)["status"] == "new"
    api.patch(f"/api/v1/cases/{tenant.case.id}", json={"status": "resolved"})
    brief = _brief(api, tenant.case.id)
    assert brief["status"] == "resolved" and brief["next_step"]["text"].startswith(
        "Nothing: the case is resolved"
    )
    assert brief["events"] == 2


def test_the_brief_speaks_the_readers_language(api, tenant, clock):
    make.call(api, tenant.case.id, clock, [("customer", "Hallo, waar is mijn pakket?")], outcome="dropped")
    dutch = _brief(api, tenant.case.id, lang="nl")
    assert dutch["next_step"]["text"] != _brief(api, tenant.case.id, lang="en")["next_step"]["text"]
    assert dutch["next_step"]["text"].startswith("Bel de klant terug")  # not merely "bel", as in "belofte"


def test_the_brief_does_not_grow_queries_with_the_case(api, tenant, clock, queries_captured):
    make.call(api, tenant.case.id, clock, [("customer", "Vraag?"), ("agent", "Antwoord.")])
    with queries_captured() as small:
        _brief(api, tenant.case.id)
    for i in range(5):
        make.call(api, tenant.case.id, clock, [("customer", f"Vraag {i}?"), ("agent", "Antwoord.")])
        api.post(f"/api/v1/cases/{tenant.case.id}/notes", json={"text": f"note {i}"})
    with queries_captured() as large:
        _brief(api, tenant.case.id)
    assert len(large.selects) == len(small.selects) <= 10, large.selects


def test_a_promise_is_said_once(api, tenant, clock):
    make.call(api, tenant.case.id, clock, [("customer", "Waar blijft mijn pakket nou?")], outcome="dropped")
    for lang, made, listed in [
        ("nl", "Attent beloofde: terugbellen, uiterlijk vandaag 10:15 — het team", "terugbellen, uiterlijk"),
        ("en", "Attent promised: call-back, due today 10:15 — the team", "call-back, due today 10:15"),
    ]:
        brief = _brief(api, tenant.case.id, lang=lang)
        assert made in [d["summary"] for d in brief["done"]]
        [promise] = brief["open_promises"]
        assert promise["summary"].startswith(listed)
        everything = " ".join([d["summary"] for d in brief["done"]] + [promise["summary"]])
        assert "Beloofd" not in everything and "Promised:" not in everything


@pytest.mark.parametrize(
    "goodbye",
    [
        "Nee, dat was het.",
        "Dank je wel!",
        "Nee hoor, dat was alles. Bedankt voor de hulp en fijne dag!",
        "Prima, dank u wel, tot ziens.",
        "Thanks, that's all",
        "No, that\u2019s it. Bye!",
        "Thank you so much for your help!",
    ],
)
def test_closing_words_and_thanks_are_no_open_question(api, tenant, clock, goodbye):
    make.call(
        api,
        tenant.case.id,
        clock,
        [
            ("customer", "Mijn pakket is nooit aangekomen."),
            ("agent", "Ik stuur vandaag een nieuw pakket. Kan ik u verder nog ergens mee helpen?"),
            ("customer", goodbye),
        ],
        outcome="resolved",
    )
    for lang in ("nl", "en"):
        brief = _brief(api, tenant.case.id, lang=lang)
        assert brief["unanswered"] == []
        assert goodbye not in brief["next_step"]["text"]
        assert brief["need"]["text"] == "Mijn pakket is nooit aangekomen."


@pytest.mark.parametrize(
    "still_open",
    [
        "Bedankt, maar het pakket is er nog steeds niet.",
        "Thanks. When will it arrive?",
        "Nee, dat klopt niet.",
    ],
)
def test_thanks_with_something_to_answer_stays_open(api, tenant, clock, still_open):
    make.call(api, tenant.case.id, clock, [("agent", "Het pakket is bezorgd."), ("customer", still_open)])
    brief = _brief(api, tenant.case.id, lang="nl")
    assert [q["text"] for q in brief["unanswered"]] == [still_open]
    assert brief["next_step"]["text"] == f"Beantwoord de klant: “{still_open}”"
