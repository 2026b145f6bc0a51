"""Retention covers attachments: N months after a case is closed its files go, bytes and row, and the
timeline says so; content another case still uses stays, and another organisation is never touched."""

from datetime import timedelta
from html import unescape
from pathlib import Path

from sqlalchemy import func, select

from attent.files.models import Attachment
from attent.files.storage import blob_key, digest
from attent.privacy.retention import apply_due_retention
from tests.conftest import Api


def _attach(api: Api, case_id: str, name: str, content: bytes) -> None:
    sent = api.post(f"/api/v1/cases/{case_id}/attachments", files=[("files", (name, content, "text/plain"))])
    assert sent.status_code == 201, sent.text


def _close(api: Api, case_id: str) -> None:
    for status in ("resolved", "closed"):
        assert api.patch(f"/api/v1/cases/{case_id}", json={"status": status}).status_code == 200


def _stored(settings, organisation_id, content: bytes) -> bool:
    return (Path(settings.files_dir) / blob_key(organisation_id, digest(content))).exists()


def test_attachments_of_long_closed_cases_go_with_their_bytes(
    app_client, api, admin_api, tenant, other_tenant, db, database, clock, settings, queries_captured
):
    own, shared = b"bon van mevrouw Visser", b"algemene voorwaarden"
    case = str(tenant.case.id)
    _attach(api, case, "bon-visser.txt", own)
    _attach(api, case, "voorwaarden.txt", shared)
    open_case = api.post(
        "/api/v1/cases",
        json={"customer_id": str(tenant.customer.id), "subject": "Nog open", "type": "question"},
    ).json()["id"]
    _attach(api, open_case, "voorwaarden.txt", shared)  # the same bytes on a case that stays open
    _close(api, case)
    other = Api(app_client, other_tenant.tokens["agent"])
    other_case = str(other_tenant.case.id)
    _attach(other, other_case, "bon-visser.txt", own)  # the same bytes in another organisation
    _close(other, other_case)

    admin = Api(app_client, tenant.tokens["admin"])
    admin.get("/admin/access")
    form = {"csrf": app_client.cookies.get("attent_csrf"), "retention_attachment_months": "6"}
    assert admin.post("/admin/privacy", data=form, follow_redirects=False).status_code == 303
    assert (
        'id="retention_attachment_months" name="retention_attachment_months" type="number" min="0" value="6"'
        in (admin.get("/admin/access").text)
    )

    soon = clock.now() + timedelta(days=30)
    assert apply_due_retention(database=database, now=soon, limit=100, settings=settings) == 0
    assert len(api.get(f"/api/v1/cases/{case}/attachments").json()) == 2

    later = clock.advance(timedelta(days=200))
    assert "En verwijdert 2 bijlagen." in unescape(admin.get("/admin/access").text)  # the dry run first
    with queries_captured() as queries:
        assert apply_due_retention(database=database, now=later, limit=100, settings=settings) == 2
    # set-based: the events are inserted at once and the file names wiped by one UPDATE, however many files
    assert len([q for q in queries if "timeline_events" in q and not q.lstrip().startswith("SELECT")]) <= 2
    assert api.get(f"/api/v1/cases/{case}/attachments").json() == []
    assert not _stored(settings, tenant.organisation_id, own)  # its bytes are gone
    assert _stored(settings, tenant.organisation_id, shared)  # still on the open case
    assert [a["filename"] for a in api.get(f"/api/v1/cases/{open_case}/attachments").json()] == [
        "voorwaarden.txt"
    ]
    assert len(other.get(f"/api/v1/cases/{other_case}/attachments").json()) == 1  # not this organisation's
    assert _stored(settings, other_tenant.organisation_id, own)

    timeline = api.get(f"/api/v1/cases/{case}/timeline?limit=200").json()["items"]
    assert [e["kind"] for e in timeline].count("attachment.expired") == 2
    assert "bon-visser" not in str(timeline)  # the file's name went from the event that added it
    page = unescape(api.get(f"/cases/{case}").text)
    assert "Bijlage verwijderd (bewaartermijn)" in page
    assert (
        apply_due_retention(database=database, now=later + timedelta(days=1), limit=100, settings=settings)
        == 0
    )
    assert db.scalar(select(func.count()).select_from(Attachment)) == 2  # the open case's and the other's
