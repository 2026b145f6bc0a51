"""The access log: who opened which customer, case or transcript, written in batches, read by admins per
customer ("who has seen this person's data"), as a page, CSV and through the API."""

from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from attent.core.access import AccessEntry
from attent.core.settings import Settings
from tests.conftest import Api


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Attachments go to the test's own folder."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        embedded_worker=False,
        files_dir=tmp_path / "files",
    )


def _flush(app_client):
    return app_client.app.state.access.flush()


def test_views_are_buffered_then_shown_per_customer(app_client, tenant, api, admin_api, db):
    customer, case = tenant.customer, tenant.case
    assert api.get(f"/api/v1/cases/{case.id}").status_code == 200
    assert api.get(f"/cases/{case.id}").status_code == 200
    assert api.get(f"/customers/{customer.id}").status_code == 200
    assert db.scalar(select(func.count()).select_from(AccessEntry)) == 0  # nothing written yet: batched
    assert _flush(app_client) == 3
    log = admin_api.get(f"/api/v1/access-log?customer_id={customer.id}").json()["items"]
    seen = [(e["agent_id"], e["subject"], e["channel"]) for e in log]
    assert sorted(seen) == sorted(
        [
            (str(tenant.agent.id), "case", "api"),
            (str(tenant.agent.id), "case", "page"),
            (str(tenant.agent.id), "customer", "page"),
        ]
    )
    assert all(e["customer_id"] == str(customer.id) for e in log)
    page = Api(app_client, tenant.tokens["admin"]).get(f"/admin/access?customer_id={customer.id}")
    text = unescape(page.text)
    assert page.status_code == 200 and "Wie de gegevens van Marieke Visser heeft gezien" in text
    assert "Agent kopje-koffie" in text and "geopend: klantgegevens" in text
    exports = admin_api.get("/api/v1/access-log?action=export").json()["items"]
    assert {e["subject"] for e in exports} == {"access_log"}  # looking up who looked is logged too
    assert {e["agent_id"] for e in exports} == {str(tenant.admin.id)}


def test_only_admins_read_it_and_only_their_own_organisation(
    app_client, tenant, other_tenant, api, admin_api
):
    assert api.get("/api/v1/access-log").status_code == 403
    assert Api(app_client, tenant.tokens["agent"]).get("/admin/access").status_code == 403
    assert admin_api.get(f"/api/v1/access-log?customer_id={other_tenant.customer.id}").status_code == 404
    Api(app_client, other_tenant.tokens["agent"]).get(f"/api/v1/cases/{other_tenant.case.id}")
    _flush(app_client)
    mine = admin_api.get("/api/v1/access-log?action=view").json()["items"]
    assert all(e["customer_id"] != str(other_tenant.customer.id) for e in mine)


def test_the_log_downloads_as_csv(app_client, tenant, api):
    api.get(f"/api/v1/customers/{tenant.customer.id}")
    admin = Api(app_client, tenant.tokens["admin"])
    csv = admin.get(f"/admin/access?customer_id={tenant.customer.id}&format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("at,agent_id,agent,action") and len(lines) == 2
    assert f"{tenant.agent.id},Agent kopje-koffie,view,customer" in lines[1]


def test_a_downloaded_attachment_is_logged(app_client, tenant, api, admin_api):
    sent = api.post(
        f"/api/v1/cases/{tenant.case.id}/attachments",
        files=[("files", ("bon.txt", b"bon 12 euro", "text/plain"))],
    )
    assert sent.status_code == 201, sent.text
    attachment = sent.json()[0]["id"]
    assert api.get(f"/api/v1/cases/{tenant.case.id}/attachments/{attachment}").status_code == 200
    app_client.app.state.access.flush()
    log = admin_api.get(f"/api/v1/access-log?customer_id={tenant.customer.id}").json()["items"]
    assert [(e["subject"], e["subject_id"]) for e in log if e["action"] == "view"] == [
        ("attachment", attachment)
    ]
