"""Rules as a form: when / if / then with a control per field, editable without JavaScript, saving the
same stored rules as the YAML view, each problem beside its field in the reader's language."""

import re
from html import unescape

from tests.conftest import Api
from tests.integration.rulebooks import FAILED_DELIVERY, LATE_ARRIVAL, document


def _browser(app_client, token):
    client = Api(app_client, token)
    assert client.get("/rules").status_code == 200
    client.csrf = app_client.cookies.get("attent_csrf")
    return client


def _rule(admin_api, key):
    return next(r for r in admin_api.get("/api/v1/rules").json()["rules"] if r["key"] == key)


def _section(html: str, key: str) -> str:
    found = re.search(rf'<section class="card" id="rule-{key}".*?</section>', html, re.S)
    assert found, f"no section for {key}"
    return found[0]


def _failed_delivery_form(page, **changes):
    """The failed-delivery rule's form as the page fills it in, with `changes` typed over it."""
    fields = {
        "csrf": page.csrf, "name": FAILED_DELIVERY["name"], "active": "1", "signal": "delivery.failed",
        "if-0-field": "signal.attempt", "if-0-op": "gte", "if-0-value": "1",
        "then-0-do": "open_case", "then-0-subject": "Bezorging mislukt", "then-0-priority": "high",
        "then-0-type": "proactive",
        "then-1-do": "make_promise", "then-1-kind": "follow_up", "then-1-due_in-n": "4",
        "then-1-due_in-unit": "h", "then-1-words": "We laten u vandaag weten wanneer",
        "then-2-do": "send_message", "then-2-template": "delivery_failed",
    }  # fmt: skip
    return {**fields, **changes}


def test_each_part_of_a_rule_is_a_control(app_client, admin_api, tenant):
    admin_api.put("/api/v1/rules", json=document(FAILED_DELIVERY, LATE_ARRIVAL))
    html = _browser(app_client, tenant.tokens["admin"]).get("/rules").text
    failed = _section(html, "failed-delivery")
    assert '<option value="delivery.failed" selected>' in failed  # the trigger, a select
    assert '<option value="signal.attempt" selected>signaal: “attempt”</option>' in failed
    assert '<option value="gte" selected>is minstens</option>' in failed  # the operator, in Dutch
    assert '<input type="number" step="any" name="if-0-value" value="1"' in failed  # a number field's value
    assert (
        '<option value="high" selected>' in failed
        and 'name="then-1-due_in-n" min="1" max="99999" value="4"' in failed
    )
    assert '<option value="make_promise" selected>Iets beloven</option>' in failed
    late = _section(html, "late-arrival")
    assert '<input type="time" name="if-0-value" value="21:00"' in late  # a time, entered as a time
    new = _section(html, "new")
    assert (
        'name="key"' in new and '<option value="normal" selected>' in new
    )  # a new action starts at the defaults


def test_conditions_and_actions_are_added_and_removed_by_a_round_trip(app_client, admin_api, tenant):
    admin_api.put("/api/v1/rules", json=document(FAILED_DELIVERY))
    page = _browser(app_client, tenant.tokens["admin"])
    rule_id = _rule(admin_api, "failed-delivery")["state"]["id"]
    added = page.post(f"/rules/{rule_id}", data=_failed_delivery_form(page, edit="add-if"))
    assert added.status_code == 200
    section = _section(added.text, "failed-delivery")
    assert 'name="if-1-field"' in section and "Kies een veld" in section
    assert 'name="if-0-value" value="1"' in section  # what was typed stays
    assert len(_rule(admin_api, "failed-delivery")["if"]) == 1  # an edit saves nothing
    removed = page.post(f"/rules/{rule_id}", data=_failed_delivery_form(page, edit="remove-then-1"))
    section = _section(removed.text, "failed-delivery")
    assert 'name="then-2-do"' not in section and '<option value="send_message" selected>' in section
    # a changed operator gets its own control: a local time is entered with a time picker
    refreshed = page.post(
        f"/rules/{rule_id}",
        data=_failed_delivery_form(page, **{"if-0-field": "signal.occurred_at", "if-0-op": "local_time_after",
                                            "edit": "refresh"}),
    )  # fmt: skip
    assert '<input type="time" name="if-0-value"' in _section(refreshed.text, "failed-delivery")
    # htmx posts the same edit and swaps the rule's section in place
    assert (
        f'hx-post="/rules/{rule_id}"' in refreshed.text
        and "hx-select=\"[id='rule-failed-delivery']\"" in refreshed.text
    )


def test_the_form_saves_typed_values_that_the_yaml_view_then_shows(app_client, admin_api, tenant):
    admin_api.put("/api/v1/rules", json=document(FAILED_DELIVERY, LATE_ARRIVAL))
    page = _browser(app_client, tenant.tokens["admin"])
    rule_id = _rule(admin_api, "failed-delivery")["state"]["id"]
    form = _failed_delivery_form(
        page, **{"if-0-value": "2", "if-1-field": "signal.reason", "if-1-op": "in",
                 "if-1-value": "not_home, closed", "then-1-due_in-n": "2", "then-1-due_in-unit": "d",
                 "after-n": "30", "after-unit": "m"},
    )  # fmt: skip
    saved = page.post(f"/rules/{rule_id}", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    rule = _rule(admin_api, "failed-delivery")
    assert rule["if"] == [
        {"field": "signal.attempt", "op": "gte", "value": 2},  # a number, not the text "2"
        {"field": "signal.reason", "op": "in", "value": ["not_home", "closed"]},
    ]
    assert rule["when"]["after"] == "30m" and rule["then"][1]["due_in"] == "2d"
    assert [a["do"] for a in rule["then"]] == ["open_case", "make_promise", "send_message"]
    assert [r["key"] for r in admin_api.get("/api/v1/rules").json()["rules"]] == [
        "failed-delivery",
        "late-arrival",
    ]
    yaml_view = unescape(
        re.search(r'<textarea name="document"[^>]*>(.*?)</textarea>', page.get("/rules").text, re.S)[1]
    )
    assert "due_in: 2d" in yaml_view and "- not_home" in yaml_view
    late_id = _rule(admin_api, "late-arrival")["state"]["id"]
    timed = page.post(
        f"/rules/{late_id}",
        data={"csrf": page.csrf, "name": "Diner", "signal": "booking.arriving",
              "if-0-field": "signal.arrives_at", "if-0-op": "local_time_after", "if-0-value": "22:00:00",
              "then-0-do": "open_case", "then-0-subject": "Diner klaarzetten"},
        follow_redirects=False,
    )  # fmt: skip
    assert timed.status_code == 303
    assert _rule(admin_api, "late-arrival")["if"][0]["value"] == "22:00"  # a time, never the number 1320


def test_problems_show_beside_their_field_and_nothing_is_saved(app_client, admin_api, tenant):
    admin_api.put("/api/v1/rules", json=document(FAILED_DELIVERY))
    page = _browser(app_client, tenant.tokens["admin"])
    rule_id = _rule(admin_api, "failed-delivery")["state"]["id"]
    form = _failed_delivery_form(page, **{"if-0-value": "vaak", "then-1-due_in-n": "", "then-0-subject": ""})
    refused = page.post(f"/rules/{rule_id}", data=form)
    assert refused.status_code == 422
    section = unescape(_section(refused.text, "failed-delivery"))
    assert "Problemen in de regels: 4; er is niets opgeslagen." in section
    assert re.search(r'data-path="if/0/value">Geef een waarde van de soort geheel getal', section)
    assert 'data-path="then/1/due_in">' in section and 'data-path="then/0/subject">' in section
    assert 'name="if-0-value" value="vaak"' in section  # the form as typed
    assert _rule(admin_api, "failed-delivery")["if"][0]["value"] == 1
    admin_api.patch(f"/api/v1/agents/{tenant.admin.id}", json={"language": "en"})
    english = unescape(_section(page.post(f"/rules/{rule_id}", data=form).text, "failed-delivery"))
    assert "Give a value of the kind whole number" in english or "Give a value of the kind integer" in english


def test_a_new_rule_is_added_from_the_form(app_client, admin_api, tenant):
    admin_api.put("/api/v1/rules", json=document(FAILED_DELIVERY))
    page = _browser(app_client, tenant.tokens["admin"])
    new = {
        "csrf": page.csrf, "key": "shipped", "name": "Verzonden", "active": "1", "signal": "order.shipped",
        "then-0-do": "schedule_check_in", "then-0-after-n": "3", "then-0-after-unit": "d",
        "then-0-mode": "task", "then-0-note": "Goed aangekomen?",
    }  # fmt: skip
    assert page.post("/rules/new", data=new, follow_redirects=False).status_code == 303
    rule = _rule(admin_api, "shipped")
    assert rule["then"] == [
        {"do": "schedule_check_in", "after": "3d", "mode": "task", "note": "Goed aangekomen?"}
    ]
    again = page.post("/rules/new", data={**new, "key": "failed-delivery"})
    assert again.status_code == 422
    assert "Een andere regel heeft al de sleutel “failed-delivery”." in unescape(_section(again.text, "new"))
    assert [r["key"] for r in admin_api.get("/api/v1/rules").json()["rules"]] == [
        "failed-delivery",
        "shipped",
    ]


def test_quiet_hours_are_entered_as_times(app_client, admin_api, tenant):
    admin_api.put("/api/v1/rules", json=document(FAILED_DELIVERY))
    page = _browser(app_client, tenant.tokens["admin"])
    form = {"csrf": page.csrf, "max_contacts": "3", "days": "14", "quiet": "1", "quiet_start": "22:30",
            "quiet_end": "07:15"}  # fmt: skip
    assert page.post("/rules/settings", data=form, follow_redirects=False).status_code == 303
    settings = admin_api.get("/api/v1/rules").json()["settings"]
    assert settings == {"frequency_cap": {"max_contacts": 3, "days": 14},
                        "quiet_hours": {"start": "22:30", "end": "07:15"}}  # fmt: skip
    assert '<input type="time" name="quiet_start" value="22:30">' in page.get("/rules").text
    refused = page.post("/rules/settings", data={**form, "days": "0"})
    assert refused.status_code == 422 and 'data-path="settings/frequency_cap/days"' in refused.text
    lead = _browser(app_client, tenant.tokens["lead"])
    assert lead.post("/rules/settings", data={**form, "csrf": lead.csrf}).status_code == 403
