"""Verification: tell why you ask, ask the least, and never show what is on file."""

from datetime import timedelta

import pytest

from tests import factories as make
from tests.conftest import Api


def _verify(api, case_id, question, answer):
    return api.post(f"/api/v1/cases/{case_id}/verifications", json={"question": question, "answer": answer})


def _events(api, case_id):
    items = api.get(f"/api/v1/cases/{case_id}/timeline").json()["items"]
    return [e for e in items if e["kind"].startswith("verification.")]


def _on_file(api, tenant, **changes):
    response = api.patch(f"/api/v1/customers/{tenant.customer.id}", json=changes)
    assert response.status_code == 200, response.text


def test_the_default_policy_asks_the_least_sensitive_question_first_and_says_why(api):
    policy = api.get("/api/v1/verification/policy").json()
    assert [(q["key"], q["sensitivity"]) for q in policy["questions"]] == [
        ("email", 1),
        ("order_number", 1),
        ("postcode_house_number", 2),
        ("iban_last4", 3),
    ]
    assert policy["questions"][0]["fact"] == "customer.email"
    assert policy["questions"][0]["label"] == {"nl": "e-mailadres bij ons bekend", "en": "e-mail on file"}
    assert all(q["why"]["nl"] and q["why"]["en"] for q in policy["questions"])
    facts = " ".join(q["fact"] for q in policy["questions"])
    assert "birth" not in facts and "address" not in facts
    assert (policy["max_failures"], policy["window_minutes"]) == (3, 15)


def test_answers_match_whatever_the_case_spacing_and_accents(api, tenant):
    _on_file(
        api,
        tenant,
        external_refs={"order": "Café-88213"},
        facts={
            "postcode": {"value": "1234 AB", "consent": "bij bestelling"},
            "house_number": {"value": "12", "consent": "bij bestelling"},
        },
    )
    cases = [
        ("email", "  Marieke@KOPJE-koffie.example "),
        ("order_number", "CAFE - 88213"),
        ("order_number", "café-88213"),
        ("postcode_house_number", "1234ab 12"),
    ]
    for question, answer in cases:
        response = _verify(api, tenant.case.id, question, answer)
        assert response.status_code == 200, response.text
        assert response.json()["result"] == "match", (question, answer)
    wrong = _verify(api, tenant.case.id, "order_number", "Cafe-88214").json()
    assert wrong["result"] == "no_match" and wrong["attempts_left"] == 2 and wrong["locked_until"] is None
    assert wrong["question"] == "order_number" and wrong["label"] == "bestelnummer"
    assert wrong["why"].startswith("Met uw bestelnummer")  # the customer speaks Dutch


def test_neither_the_stored_value_nor_the_answer_ever_shows(api, tenant):
    email = tenant.customer.email
    guess = "piet.puk@example.org"
    seen = [
        _verify(api, tenant.case.id, "email", guess).text,
        _verify(api, tenant.case.id, "email", email.upper()).text,
        api.get(f"/api/v1/cases/{tenant.case.id}/verifications").text,
        api.get(f"/api/v1/cases/{tenant.case.id}/timeline").text,
        api.get(f"/api/v1/cases/{tenant.case.id}/brief").text,
    ]
    for text in seen:
        assert email.lower() not in text.lower() and guess not in text
    failed, passed = _events(api, tenant.case.id)
    assert (failed["kind"], passed["kind"]) == ("verification.failed", "verification.passed")
    assert passed["data"] == {
        "question": "email",
        "label": {"nl": "e-mailadres bij ons bekend", "en": "e-mail on file"},
        "sensitivity": 1,
    }
    assert passed["customer_visible"] is False


def test_the_brief_says_how_the_customer_was_verified(api, tenant):
    _verify(api, tenant.case.id, "email", tenant.customer.email)
    brief = api.get(f"/api/v1/cases/{tenant.case.id}/brief", params={"lang": "en"}).json()
    assert brief["verified"]["summary"] == "Verified by: e-mail on file"
    assert brief["done"][-1]["summary"] == f"{tenant.agent.name} verified the customer by e-mail on file"
    dutch = api.get(f"/api/v1/cases/{tenant.case.id}/brief", params={"lang": "nl"}).json()
    assert dutch["verified"]["summary"] == "Geverifieerd met: e-mailadres bij ons bekend"


def test_three_wrong_answers_lock_the_case_until_the_oldest_leaves_the_window(api, tenant, clock):
    t0 = clock.now()
    for minute, left in ((0, 2), (1, 1), (2, 0)):
        clock.set(t0 + timedelta(minutes=minute))
        result = _verify(api, tenant.case.id, "email", "wrong@example.org").json()
        assert result["attempts_left"] == left
    assert result["locked_until"] == make.iso(t0 + timedelta(minutes=15))
    clock.set(t0 + timedelta(minutes=14, seconds=59))
    locked = _verify(api, tenant.case.id, "email", tenant.customer.email)  # even the right answer waits
    assert locked.status_code == 429 and locked.json()["code"] == "verification_locked"
    assert locked.json()["retry_at"] == make.iso(t0 + timedelta(minutes=15))
    assert "geblokkeerd tot" in locked.json()["detail"]
    status = api.get(f"/api/v1/cases/{tenant.case.id}/verifications").json()
    assert status["attempts_left"] == 0 and status["locked_until"] == make.iso(t0 + timedelta(minutes=15))
    clock.set(t0 + timedelta(minutes=15))
    unlocked = _verify(api, tenant.case.id, "email", tenant.customer.email).json()
    assert unlocked["result"] == "match" and unlocked["attempts_left"] == 3
    assert [e["kind"] for e in _events(api, tenant.case.id)] == ["verification.failed"] * 3 + [
        "verification.passed"
    ]  # the refused attempt was never compared, so it is not recorded


def test_a_match_wipes_the_slate(api, tenant):
    _verify(api, tenant.case.id, "email", "wrong@example.org")
    _verify(api, tenant.case.id, "email", "wrong@example.org")
    assert _verify(api, tenant.case.id, "email", tenant.customer.email).json()["attempts_left"] == 3
    assert _verify(api, tenant.case.id, "email", "wrong@example.org").json()["attempts_left"] == 2


def test_a_question_with_nothing_on_file_asks_for_another_and_costs_no_attempt(api, tenant):
    response = _verify(api, tenant.case.id, "iban_last4", "1234")
    assert response.status_code == 409 and response.json()["code"] == "fact_not_on_file"
    assert "kies een andere vraag" in response.json()["detail"]
    assert _events(api, tenant.case.id) == []
    unknown = _verify(api, tenant.case.id, "date_of_birth", "1980-01-01")
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_question"
    assert unknown.json()["errors"][0]["path"] == ["question"]
    assert "email" in unknown.json()["errors"][0]["message"]


def test_the_status_suggests_the_least_sensitive_question_the_customer_can_answer(api, tenant):
    status = api.get(f"/api/v1/cases/{tenant.case.id}/verifications").json()
    assert status["verified"] is False and status["suggested"] == "email"
    assert {q["key"]: q["on_file"] for q in status["questions"]} == {
        "email": True,
        "order_number": False,
        "postcode_house_number": False,
        "iban_last4": False,
    }
    _on_file(api, tenant, email=None, facts={"iban_last4": {"value": "4321", "consent": "bij terugbetaling"}})
    assert api.get(f"/api/v1/cases/{tenant.case.id}/verifications").json()["suggested"] == "iban_last4"
    _verify(api, tenant.case.id, "iban_last4", "4321")
    status = api.get(f"/api/v1/cases/{tenant.case.id}/verifications").json()
    assert status["verified"] is True and status["verified_by"] == "laatste vier cijfers van de IBAN"


def _question(**overrides):
    return {
        "key": "customer_number",
        "label": {"nl": "klantnummer", "en": "customer number"},
        "fact": "customer.refs.shop",
        "sensitivity": 1,
        "why": {"nl": "Zo weet ik dat u het bent.", "en": "So I know it is you."},
        **overrides,
    }


@pytest.mark.parametrize(
    ("fact", "words"),
    [
        ("customer.facts.date_of_birth", "geboortedatum"),
        ("customer.facts.geboortedatum", "geboortedatum"),
        ("customer.facts.postcode+customer.facts.address", "volledige adres"),
    ],
)
def test_a_policy_never_asks_date_of_birth_or_full_address(admin_api, fact, words):
    response = admin_api.put(
        "/api/v1/verification/policy", json={"questions": [_question(), _question(key="x", fact=fact)]}
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid_verification_policy"
    [error] = response.json()["errors"]
    assert error["path"] == ["questions", 1, "fact"] and words in error["message"]
    assert admin_api.get("/api/v1/verification/policy").json()["questions"][0]["key"] == "email"


def test_admins_replace_the_policy_and_agents_may_not(app_client, tenant):
    body = {
        "questions": [_question(sensitivity=2), _question(key="email", fact="customer.email")],
        "max_failures": 2,
    }
    agent = Api(app_client, tenant.tokens["agent"])
    refused = agent.put("/api/v1/verification/policy", json=body)
    assert refused.status_code == 403 and refused.json()["code"] == "role_required"
    admin = Api(app_client, tenant.tokens["admin"])
    saved = admin.put("/api/v1/verification/policy", json=body)
    assert saved.status_code == 200, saved.text
    assert [q["key"] for q in saved.json()["questions"]] == ["email", "customer_number"]
    assert agent.get("/api/v1/verification/policy").json() == saved.json()
    assert _verify(agent, tenant.case.id, "customer_number", "c-1042").json()["result"] == "match"
    assert _verify(agent, tenant.case.id, "order_number", "88213").json()["code"] == "unknown_question"
    duplicate = admin.put("/api/v1/verification/policy", json={"questions": [_question(), _question()]})
    assert duplicate.json()["errors"][0]["path"] == ["questions", 1, "key"]
    bad = admin.put("/api/v1/verification/policy", json={"questions": [_question(fact="customer.password")]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == ["body", "questions", 0, "fact"]


def test_another_organisations_case_and_policy_stay_out_of_reach(app_client, tenant, other_tenant):
    intruder = Api(app_client, other_tenant.tokens["admin"])
    response = _verify(intruder, tenant.case.id, "email", tenant.customer.email)
    assert response.status_code == 404 and response.json()["code"] == "case_not_found"
    assert intruder.get(f"/api/v1/cases/{tenant.case.id}/verifications").status_code == 404
    intruder.put("/api/v1/verification/policy", json={"questions": [_question()]})
    ours = Api(app_client, tenant.tokens["agent"]).get("/api/v1/verification/policy").json()
    assert ours["questions"][0]["key"] == "email"
    assert _events(Api(app_client, tenant.tokens["agent"]), tenant.case.id) == []
