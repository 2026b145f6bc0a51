"""A customer's rights: the export holds everything we have on them; erasure leaves it nowhere.

The erasure test writes a unique marker into every place a customer's words can land (their record
and references, a case's subject, description and next step, a note, a transcript, a promise's
words, the message we sent them, the events about all of it, the replay cache of the API answers),
erases them, and then reads every column of every table for the marker.
"""

import io
import json
import uuid
import zipfile
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from attent.core.queue import run_due_jobs
from attent.core.settings import Settings
from attent.models import Base
from tests.conftest import Api


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The app under test keeps attachments in the test's own folder, so the test can look there."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        embedded_worker=False,
        files_dir=tmp_path / "files",
    )


def _files_with(settings, marker):
    root = Path(settings.files_dir)
    return (
        [p for p in root.rglob("*") if p.is_file() and marker.encode() in p.read_bytes()]
        if root.exists()
        else []
    )


def _customer_everywhere(api, admin_api, marker):
    """A customer whose data carries `marker` wherever the product copies it."""
    assert admin_api.put("/api/v1/promise-settings", json={"tell_customer": True}).status_code == 200
    customer = api.post(
        "/api/v1/customers",
        json={"name": f"Mevrouw {marker}", "email": f"{marker}@example.org", "phone": "+31612345678",
              "external_refs": {"shop": f"K-{marker}"}},
        headers={"Idempotency-Key": f"c-{marker}"},
    )  # fmt: skip
    assert customer.status_code == 201, customer.text
    customer_id = customer.json()["id"]
    case = api.post(
        "/api/v1/cases",
        json={"customer_id": customer_id, "subject": f"Pakket van {marker}", "description": f"{marker} belde",
              "next_step": f"Bel {marker} terug", "type": "delivery_missing"},
        headers={"Idempotency-Key": f"k-{marker}"},
    )  # fmt: skip
    assert case.status_code == 201, case.text
    case_id = case.json()["id"]
    assert api.post(f"/api/v1/cases/{case_id}/notes", json={"text": f"notitie {marker}"}).status_code == 201
    contact = api.post(
        f"/api/v1/cases/{case_id}/contacts",
        json={"channel": "phone", "messages": [{"speaker": "customer", "text": f"Ik ben {marker}"}]},
    )
    assert contact.status_code == 201, contact.text
    promise = api.post(
        f"/api/v1/cases/{case_id}/promises",
        json={"kind": "callback", "due_at": "2026-11-23T15:00:00Z", "words": f"Ik bel {marker} om drie uur",
              "tell_customer": True},
    )  # fmt: skip
    assert promise.status_code == 201, promise.text
    content = f"Factuur voor {marker}".encode()
    sent = api.post(
        f"/api/v1/cases/{case_id}/attachments",
        files=[("files", (f"bon-{marker}.txt", content, "text/plain"))],
    )
    assert sent.status_code == 201, sent.text
    return customer_id, case_id


def _places_with(db, marker):
    found = []
    for table in Base.metadata.sorted_tables:
        for row in db.execute(select(table)).mappings():
            if marker.lower() in json.dumps(dict(row), default=str).lower():
                found.append(table.name)
    return sorted(set(found))


def test_the_export_holds_what_we_have_on_the_customer(api, admin_api, app_client, tenant):
    marker = f"mrk{uuid.uuid4().hex[:10]}"
    customer_id, case_id = _customer_everywhere(api, admin_api, marker)
    assert api.get(f"/api/v1/customers/{customer_id}/export").status_code == 403  # agents may not
    got = admin_api.get(f"/api/v1/customers/{customer_id}/export")
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(got.content))
    names = set(archive.namelist())
    assert {"customer.json", "cases.json", "messages.json", "promises.json", "events.json"} <= names
    assert json.loads(archive.read("customer.json"))["email"] == f"{marker}@example.org"
    assert json.loads(archive.read("customer.json"))["references"] == [
        {"system": "shop", "value": f"K-{marker}"}
    ]
    assert [c["id"] for c in json.loads(archive.read("cases.json"))] == [case_id]
    [sent_file] = [n for n in names if n.startswith("files/")]
    assert (
        sent_file.endswith(f"bon-{marker}.txt")
        and archive.read(sent_file) == f"Factuur voor {marker}".encode()
    )
    assert marker in json.loads(archive.read("messages.json"))[0]["text"]
    events = json.loads(archive.read("events.json"))
    assert events and all(e["customer_visible"] for e in events)  # only what the customer can see
    other = admin_api.get(f"/api/v1/customers/{tenant.customer.id}/export")
    assert marker not in other.content.decode("latin-1")
    log = admin_api.get(f"/api/v1/access-log?customer_id={customer_id}&action=export").json()["items"]
    assert [(e["agent_id"], e["subject"]) for e in log] == [(str(tenant.admin.id), "customer")]


def test_erasure_leaves_the_marker_nowhere_and_keeps_the_case(
    api, admin_api, app_client, tenant, db, database, clock, settings
):
    marker = f"mrk{uuid.uuid4().hex[:10]}"
    customer_id, case_id = _customer_everywhere(api, admin_api, marker)
    run_due_jobs(database=database, worker_id="test", now=clock.now())
    assert len(_places_with(db, marker)) >= 8  # the marker really is everywhere first
    assert len(_files_with(settings, marker)) == 1
    wrong = admin_api.post(f"/api/v1/customers/{customer_id}/erase", json={"confirmation": "iemand anders"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "confirmation_mismatch"
    assert (
        api.post(
            f"/api/v1/customers/{customer_id}/erase", json={"confirmation": f"Mevrouw {marker}"}
        ).status_code
        == 403
    )
    erased = admin_api.post(
        f"/api/v1/customers/{customer_id}/erase", json={"confirmation": f"Mevrouw {marker}"}
    )
    assert erased.status_code == 200, erased.text
    db.expire_all()
    assert _places_with(db, marker) == []
    assert _files_with(settings, marker) == []  # the file itself is gone too
    case = admin_api.get(f"/api/v1/cases/{case_id}").json()
    assert case["type"] == "delivery_missing" and case["customer_id"] == customer_id  # structure kept
    assert admin_api.get(f"/api/v1/customers/{customer_id}").json()["name"].startswith("Klant gewist op ")
    timeline = admin_api.get(f"/api/v1/cases/{case_id}/timeline?limit=200").json()["items"]
    assert timeline[-1]["kind"] == "customer.erased"
    assert len([e for e in timeline if e["kind"] == "promise.made"]) == 1  # counts stay true
    log = admin_api.get(f"/api/v1/access-log?customer_id={customer_id}&action=erase").json()["items"]
    assert [e["agent_id"] for e in log] == [str(tenant.admin.id)]
    assert (
        tenant.customer.name in admin_api.get(f"/api/v1/customers/{tenant.customer.id}").text
    )  # others untouched


def test_the_erasure_page_asks_for_the_name_typed(app_client, tenant):
    admin = Api(app_client, tenant.tokens["admin"])
    page = admin.get(f"/customers/{tenant.customer.id}")
    assert "Wie de gegevens van deze persoon heeft gezien" in unescape(page.text) and "/erase" in page.text
    form = admin.get(f"/customers/{tenant.customer.id}/erase")
    assert form.status_code == 200 and "Dit kan niet ongedaan worden gemaakt." in unescape(form.text)
    csrf = app_client.cookies.get("attent_csrf")
    refused = admin.post(
        f"/customers/{tenant.customer.id}/erase", data={"csrf": csrf, "confirmation": "Marieke"}
    )
    assert refused.status_code == 422 and "Typ de naam van de klant precies over" in unescape(refused.text)
    done = admin.post(
        f"/customers/{tenant.customer.id}/erase", data={"csrf": csrf, "confirmation": "Marieke Visser"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    after = unescape(admin.get(done.headers["location"]).text)
    assert "De persoonsgegevens van de klant zijn gewist." in after and "Marieke Visser" not in after
    assert (
        Api(app_client, tenant.tokens["agent"]).get(f"/customers/{tenant.customer.id}/erase").status_code
        == 403
    )


def test_card_numbers_and_passwords_are_masked_at_intake_unless_switched_off(api, app_client, tenant):
    said = "Mijn kaart is 4111 1111 1111 1111 en mijn wachtwoord is Zomer2024"
    case = str(tenant.case.id)
    made = api.post(
        f"/api/v1/cases/{case}/contacts",
        json={"channel": "chat", "messages": [{"speaker": "customer", "text": said}]},
    )
    assert made.status_code == 201, made.text
    [message] = api.get(f"/api/v1/cases/{case}/contacts").json()["items"][0]["messages"]
    assert message["text"] == "Mijn kaart is [•••• 1111] en mijn wachtwoord is [•••]"
    timeline = api.get(f"/api/v1/cases/{case}/timeline?limit=200").text
    assert "4111 1111" not in timeline and "Zomer2024" not in timeline
    admin = Api(app_client, tenant.tokens["admin"])
    assert "Maskeer kaartnummers" in unescape(admin.get("/admin/access").text)
    csrf = app_client.cookies.get("attent_csrf")
    assert admin.post("/admin/privacy", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert 'name="redact_intake" value="true" checked' not in admin.get("/admin/access").text
    api.post(
        f"/api/v1/cases/{case}/contacts",
        json={"channel": "chat", "messages": [{"speaker": "customer", "text": said}]},
    )
    texts = [
        m["text"] for c in api.get(f"/api/v1/cases/{case}/contacts").json()["items"] for m in c["messages"]
    ]
    assert said in texts  # switched off: stored as said


def test_retention_counts_first_then_wipes_once_a_day(
    app_client, api, admin_api, tenant, db, database, clock
):
    from datetime import timedelta

    from attent.privacy.retention import apply_due_retention

    case = str(tenant.case.id)
    api.post(
        f"/api/v1/cases/{case}/contacts",
        json={"channel": "chat", "messages": [{"speaker": "customer", "text": "oud gesprek"}]},
    )
    api.get(f"/api/v1/cases/{case}")
    app_client.app.state.access.flush()
    for status in ("resolved", "closed"):
        assert api.patch(f"/api/v1/cases/{case}", json={"status": status}).status_code == 200
    admin = Api(app_client, tenant.tokens["admin"])
    admin.get("/admin/access")
    csrf = app_client.cookies.get("attent_csrf")
    form = {
        "csrf": csrf,
        "redact_intake": "true",
        "retention_transcript_months": "6",
        "retention_access_log_days": "30",
    }
    assert admin.post("/admin/privacy", data=form, follow_redirects=False).status_code == 303
    assert 'value="6"' in admin.get("/admin/access").text
    assert (
        apply_due_retention(database=database, now=clock.now() + timedelta(days=1), limit=100, settings=None)
        == 0
    )
    later = clock.advance(timedelta(days=200))
    page = unescape(admin.get("/admin/access").text)
    assert "De volgende nachtelijke ronde wist: 1 transcriptregels" in page  # the dry run
    assert apply_due_retention(database=database, now=later, limit=100, settings=None) >= 2
    assert apply_due_retention(database=database, now=later, limit=100, settings=None) == 0  # once a day
    [contact] = api.get(f"/api/v1/cases/{case}/contacts").json()["items"]
    assert [m["text"] for m in contact["messages"]] == ["[gewist]"]
    assert "oud gesprek" not in api.get(f"/api/v1/cases/{case}/timeline?limit=200").text
    log = admin_api.get("/api/v1/access-log?action=view").json()["items"]
    assert all(e["at"] >= (later - timedelta(days=30)).isoformat()[:10] for e in log)
