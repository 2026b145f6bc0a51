"""Signal sources as a page: the mapping as fields, the secret shown once, a bad field named, as typed."""

import re
from html import unescape

from tests.conftest import Api

FORM = {
    "name": "shop", "type": "$.event", "customer_ref": "$.customer.number", "customer_ref_system": "shop",
    "occurred_at": "$.at", "external_id": "$.id", "type_map": "delivery_failed = delivery.failed\n",
    "attributes": "carrier = $.carrier",
}  # fmt: skip


def test_an_admin_adds_a_source_and_sees_its_secret_once(app_client, tenant, admin_api):
    admin = Api(app_client, tenant.tokens["admin"])
    assert admin.get("/admin/signal-sources").status_code == 200
    csrf = app_client.cookies.get("attent_csrf")
    made = admin.post("/admin/signal-sources", data={"csrf": csrf, **FORM})
    assert made.status_code == 200, made.text
    secret = re.search(r"<code data-secret>([^<]+)</code>", made.text)
    assert secret and "Bron “shop” opgeslagen." in unescape(made.text)
    [source] = admin_api.get("/api/v1/signal-sources").json()
    assert source["mapping"]["type_map"] == {"delivery_failed": "delivery.failed"}
    assert source["mapping"]["attributes"] == {"carrier": "$.carrier"}
    again = admin.get("/admin/signal-sources").text
    assert secret.group(1) not in again and "/hooks/" in again
    bad = admin.post(
        "/admin/signal-sources", data={"csrf": csrf, **FORM, "name": "Shop Two", "customer_ref_system": "x y"}
    )
    assert (
        bad.status_code == 422
        and "Er is niets opgeslagen." in unescape(bad.text)
        and 'value="Shop Two"' in bad.text
    )
    assert Api(app_client, tenant.tokens["agent"]).get("/admin/signal-sources").status_code == 403
