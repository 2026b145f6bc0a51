"""The promise rules as a page: each a field, saved through the same rules as the API, refused in place."""

from html import unescape

from tests.conftest import Api


def test_an_admin_sets_the_promise_rules_in_the_form(app_client, tenant, admin_api):
    admin = Api(app_client, tenant.tokens["admin"])
    page = admin.get("/admin/promises")
    assert page.status_code == 200 and 'name="grace_minutes"' in page.text
    csrf = app_client.cookies.get("attent_csrf")
    form = {"csrf": csrf, "grace_minutes": "15", "dropped_callback_minutes": "20", "tell_customer": "true",
            "at_risk-callback": "30"}  # fmt: skip
    saved = admin.post("/admin/promises", data=form, follow_redirects=False)
    assert saved.status_code == 303
    rules = admin_api.get("/api/v1/promise-settings").json()
    assert rules["grace_minutes"] == 15 and rules["dropped_callback_minutes"] == 20 and rules["tell_customer"]
    assert rules["at_risk_minutes"]["callback"] == 30
    bad = admin.post("/admin/promises", data={**form, "grace_minutes": "9999"})
    assert bad.status_code == 422 and "Er is niets opgeslagen." in unescape(bad.text)
    assert admin_api.get("/api/v1/promise-settings").json()["grace_minutes"] == 15
    agent = Api(app_client, tenant.tokens["agent"])
    assert "disabled" in agent.get("/admin/promises").text
    assert agent.post("/admin/promises", data=form).status_code == 403
