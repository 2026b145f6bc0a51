"""What answers a verification question is shown masked to everyone: whoever verifies cannot read it."""

import re

import pytest

from attent.customers.masking import mask_email, mask_phone
from tests.conftest import Api

SECRETS = ("4321", "14-03-1985", "A-88213", "1234 AB", "marieke@kopje-koffie.example")
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def shown(text: str) -> str:
    """What a reader sees, less the ids: a random id may spell "4321" and reveals nothing."""
    return _ID.sub("<id>", text)


@pytest.fixture
def on_file(admin_api, tenant):
    """The tenant's customer with an answer on file for every question of the default policy."""
    response = admin_api.patch(
        f"/api/v1/customers/{tenant.customer.id}",
        json={
            "phone": "+31 20 123 4567",
            "external_refs": {"order": "A-88213"},
            "facts": {
                "iban_last4": {"value": "4321", "consent": "bij terugbetaling"},
                "postcode": {"value": "1234 AB", "consent": "bij bestelling"},
                "house_number": {"value": "12", "consent": "bij bestelling"},
                "birthday": {"value": "14-03-1985", "consent": "gevraagd voor een verrassing"},
                "prefers": {"value": "bellen na tienen", "consent": "zelf gezegd"},
            },
        },
    )
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize("role", ["agent", "lead", "admin"])
def test_get_customer_masks_every_verification_answer_for_every_role(app_client, tenant, on_file, role):
    response = Api(app_client, tenant.tokens[role]).get(f"/api/v1/customers/{tenant.customer.id}")
    customer = response.json()
    for secret in SECRETS:
        assert secret not in shown(response.text), secret
    assert customer["email"] == "m••••@kopje-koffie.example"
    assert customer["facts"]["iban_last4"]["value"] == "••••"
    assert customer["facts"]["birthday"]["value"] == "••••"  # never a question, still an answer elsewhere
    assert customer["facts"]["iban_last4"]["consent"] == "bij terugbetaling"
    assert customer["external_refs"] == {"order": "••••", "shop": "C-1042"}
    assert customer["facts"]["prefers"]["value"] == "bellen na tienen"
    assert customer["phone"] == "+31 20 123 4567"  # the default policy does not ask for it
    assert customer["masked"] == [
        "/email",
        "/external_refs/order",
        "/facts/birthday",
        "/facts/house_number",
        "/facts/iban_last4",
        "/facts/postcode",
    ]


def test_lists_and_writes_answer_masked_too(api, tenant, on_file):
    assert "4321" not in shown(on_file.text) and on_file.json()["facts"]["iban_last4"]["value"] == "••••"
    listed = api.get("/api/v1/customers", params={"q": "MARIEKE@kopje-koffie.example"})
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1  # found by the whole address
    assert not any(secret in shown(listed.text) for secret in SECRETS)
    # A part of a masked address finds nothing, or "m", "ma", "mar"… would spell the answer out.
    assert api.get("/api/v1/customers", params={"q": "marieke@"}).json()["items"] == []
    assert len(api.get("/api/v1/customers", params={"q": "visser"}).json()["items"]) == 1
    assert len(api.get("/api/v1/customers", params={"q": "123 45"}).json()["items"]) == 1  # phone: not asked
    made = api.post(
        "/api/v1/customers",
        json={
            "name": "Nieuw",
            "email": "nieuw@example.org",
            "facts": {"iban_last4": {"value": "9876", "consent": "x"}},
        },
    )
    assert made.status_code == 201 and "9876" not in shown(made.text) and "nieuw@example.org" not in made.text


def test_what_is_masked_follows_the_organisations_policy(admin_api, api, tenant, on_file):
    policy = {
        "questions": [
            {
                "key": "phone",
                "label": {"nl": "telefoonnummer", "en": "phone number"},
                "fact": "customer.phone",
                "sensitivity": 1,
                "why": {"nl": "Om zeker te weten dat ik u spreek.", "en": "To be sure I speak with you."},
            }
        ]
    }
    assert admin_api.put("/api/v1/verification/policy", json=policy).status_code == 200
    customer = api.get(f"/api/v1/customers/{tenant.customer.id}").json()
    assert customer["email"] == tenant.customer.email and customer["phone"] == "••••67"
    assert customer["facts"]["iban_last4"]["value"] == "4321"  # no longer a question
    assert customer["facts"]["birthday"]["value"] == "••••"  # a date of birth always is
    assert customer["masked"] == ["/phone", "/facts/birthday"]


def test_pages_and_the_brief_show_the_answers_masked_and_verification_still_compares(
    app_client, api, tenant, on_file
):
    seen = [
        api.get(f"/api/v1/cases/{tenant.case.id}/brief").text,
        api.get(f"/cases/{tenant.case.id}").text,
        api.get(f"/customers/{tenant.customer.id}").text,
    ]
    for text in seen:
        for secret in SECRETS:
            assert secret not in shown(text), secret
    assert "Gebruikt om de klant te verifiëren" in seen[1] and "Gebruikt om de klant te verifiëren" in seen[2]
    assert "bellen na tienen" in seen[2]
    answer = api.post(
        f"/api/v1/cases/{tenant.case.id}/verifications", json={"question": "iban_last4", "answer": "4321"}
    )
    assert answer.json()["result"] == "match"


def test_masks_keep_only_what_says_where_a_message_went():
    assert mask_email("marieke@kopje-koffie.example") == "m••••@kopje-koffie.example"
    assert mask_email("m@example.org") == "••••@example.org"
    assert mask_phone("+31 6 1234 5678") == "••••78"
    assert mask_phone("112") == "••••"
