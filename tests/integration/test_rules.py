"""Rules as data: read and replaced whole as JSON or YAML, refused with the path of every problem."""

import yaml

from tests.conftest import Api
from tests.integration.rulebooks import FAILED_DELIVERY, LATE_ARRIVAL, document


def test_admins_save_rules_as_json_and_read_them_back_as_yaml(admin_api):
    saved = admin_api.put("/api/v1/rules", json=document(FAILED_DELIVERY, LATE_ARRIVAL))
    assert saved.status_code == 200, saved.text
    rules = saved.json()["rules"]
    assert [r["key"] for r in rules] == ["failed-delivery", "late-arrival"]
    assert rules[0]["state"]["paused_at"] is None and rules[0]["state"]["counts"] == {}
    assert saved.json()["settings"]["frequency_cap"] == {"max_contacts": 2, "days": 7}
    text = admin_api.get("/api/v1/rules", headers={"accept": "application/yaml"})
    assert text.headers["content-type"].startswith("application/yaml")
    again = yaml.safe_load(text.text)
    assert again["rules"][1]["if"][0] == {
        "field": "signal.arrives_at",
        "op": "local_time_after",
        "value": "21:00",
    }
    # what GET gives, PUT takes back unchanged (the read-only state is ignored)
    resaved = admin_api.put("/api/v1/rules", content=text.text, headers={"content-type": "application/yaml"})
    assert resaved.status_code == 200, resaved.text
    assert resaved.json()["rules"][0]["state"]["id"] == rules[0]["state"]["id"]  # same key, same rule


def test_yaml_with_settings_and_an_own_signal_type(admin_api):
    text = """
settings:
  frequency_cap: {max_contacts: 1, days: 14}
  quiet_hours: null
signal_types:
  shop.return_requested:
    attributes: {order_id: string, amount: number}
rules:
  - key: big-return
    name: Big return
    when: {signal: shop.return_requested}
    if:
      - {field: signal.amount, op: gt, value: 100}
    then:
      - {do: open_case, subject: Grote retour}
"""
    saved = admin_api.put("/api/v1/rules", content=text, headers={"content-type": "application/yaml"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["settings"] == {"frequency_cap": {"max_contacts": 1, "days": 14}, "quiet_hours": None}
    types = admin_api.get("/api/v1/signal-types").json()
    assert types["shop.return_requested"] == {"order_id": "string", "amount": "number"}


def _errors(response):
    assert response.status_code == 422, response.text
    return {tuple(e["path"]): e["message"] for e in response.json()["errors"]}


def test_every_problem_is_named_with_its_path_and_nothing_is_saved(admin_api):
    bad = document(
        {**FAILED_DELIVERY, "then": [{"do": "teleport"}, *FAILED_DELIVERY["then"][1:]]},
        {
            **LATE_ARRIVAL,
            "when": {"signal": "booking.arriving", "after": "3 days"},
            "if": [
                {"field": "signal.flight_number", "op": "eq", "value": "KL1"},
                {"field": "signal.guests", "op": "local_time_after", "value": "21:00"},
                {"field": "signal.arrives_at", "op": "local_time_after", "value": "9pm"},
            ],
        },
        {**LATE_ARRIVAL, "then": [{"do": "open_case"}, {"do": "send_message", "template": "nope"}]},
    )
    errors = _errors(admin_api.put("/api/v1/rules", json=bad))
    assert "Onbekende actie “teleport”" in errors[("rules", 0, "then", 0, "do")]
    assert "zet er een actie “open_case” vóór" in errors[("rules", 0, "then", 1, "do")]
    assert "getal met eenheid" in errors[("rules", 1, "when", "after")]
    assert "Hier is geen veld “signal.flight_number”" in errors[("rules", 1, "if", 0, "field")]
    assert "“signal.guests” is een geheel getal" in errors[("rules", 1, "if", 1, "op")]
    assert errors[("rules", 1, "if", 2, "value")] == "Een lokale tijd zoals 21:00."
    assert errors[("rules", 2, "key")] == "Een andere regel heeft al de sleutel “late-arrival”."
    assert errors[("rules", 2, "then", 0, "subject")] == "Vul dit in."
    assert "Geen sjabloon “nope”" in errors[("rules", 2, "then", 1, "template")]
    assert admin_api.get("/api/v1/rules").json()["rules"] == []


def test_more_mistakes_point_at_their_field(admin_api):
    errors = _errors(
        admin_api.put(
            "/api/v1/rules",
            json={
                "settings": {"quiet_hours": {"start": "25:00"}},
                "signal_types": {"order.shipped": {}, "Bad Name": {}},
                "rules": [
                    {**LATE_ARRIVAL, "when": {"signal": "booking.teleported"}, "colour": "red"},
                    {
                        **FAILED_DELIVERY,
                        "then": [{"do": "call_webhook", "url": "https://shop.example/x", "source": "shop"}],
                    },
                ],
                "extra": 1,
            },
        )
    )
    assert ("extra",) in errors
    assert ("settings", "quiet_hours", "start") in errors
    assert "ingebouwd type" in errors[("signal_types", "order.shipped")]
    assert ("signal_types", "Bad Name") in errors
    assert errors[("rules", 0, "colour")] == "Onbekend veld; het hoort niet bij dit verzoek."
    assert "Geen signaalbron “shop”" in errors[("rules", 1, "then", 0, "source")]


def test_broken_yaml_and_other_media_are_refused(admin_api):
    broken = admin_api.put("/api/v1/rules", content="rules: [", headers={"content-type": "application/yaml"})
    assert broken.status_code == 422 and broken.json()["code"] == "invalid_yaml"
    assert "op regel 1, kolom" in broken.json()["detail"]
    unsafe = admin_api.put(
        "/api/v1/rules",
        content="!!python/object/apply:os.system ['true']",
        headers={"content-type": "application/yaml"},
    )
    assert unsafe.status_code == 422 and unsafe.json()["code"] == "invalid_yaml"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefg", "bcdefgh", strict=True)
    )
    exploded = admin_api.put("/api/v1/rules", content=bomb, headers={"content-type": "application/yaml"})
    assert exploded.status_code == 422 and "te groot" in exploded.json()["errors"][0]["message"]
    text = admin_api.put("/api/v1/rules", content="rules: []", headers={"content-type": "text/plain"})
    assert text.status_code == 415


def test_leads_read_agents_and_leads_may_not_change(admin_api, app_client, tenant):
    admin_api.put("/api/v1/rules", json=document(LATE_ARRIVAL))
    lead = Api(app_client, tenant.tokens["lead"])
    assert lead.get("/api/v1/rules").json()["rules"][0]["key"] == "late-arrival"
    assert lead.put("/api/v1/rules", json=document()).status_code == 403
    assert Api(app_client, tenant.tokens["agent"]).get("/api/v1/rules").status_code == 403


def test_a_dropped_rule_is_retired_and_its_key_can_come_back(admin_api):
    first = admin_api.put("/api/v1/rules", json=document(LATE_ARRIVAL)).json()["rules"][0]["state"]["id"]
    assert admin_api.put("/api/v1/rules", json=document()).json()["rules"] == []
    assert admin_api.get(f"/api/v1/rules/{first}").status_code == 404
    back = admin_api.put("/api/v1/rules", json=document(LATE_ARRIVAL)).json()["rules"][0]["state"]["id"]
    assert back == first
