"""Attachments on the case page: files with a reply or a note (a plain form, no script needed), the list
with thumbnails, the limits said beside the form, and the reply's e-mail carrying the files."""

from pathlib import Path

import pytest
from sqlalchemy import select

from attent.channels.jobs import deliver_due_messages
from attent.channels.models import OutboundMessage
from attent.core.settings import Settings
from attent.files import Attachment
from tests.conftest import Api, page_csrf
from tests.integration.test_files import EXE, PDF, PNG, SVG


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Small limits, so a test can pass them without moving megabytes."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        embedded_worker=False,
        max_body_bytes=64 * 1024,
        files_dir=tmp_path / "files",
        max_file_bytes=64 * 1024,
        max_message_bytes=100 * 1024,
    )


@pytest.fixture
def page(app_client, tenant):
    """A browser-like client signed in as the tenant's agent, with its CSRF token."""
    app_client.get("/signin")
    csrf = app_client.cookies.get("attent_csrf")
    signed_in = app_client.post(
        "/signin",
        data={"email": tenant.agent.email, "password": "correct horse battery", "csrf": csrf},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    app_client.csrf = page_csrf(app_client)
    return app_client


def _post(page, case_id, action, files, **form):
    return page.post(
        f"/cases/{case_id}/{action}",
        data={"csrf": page.csrf, **form},
        files=[("files", f) for f in files],
        follow_redirects=False,
    )


def _attachments(db, tenant) -> list[Attachment]:
    return list(
        db.scalars(
            select(Attachment)
            .where(Attachment.organisation_id == tenant.organisation_id)
            .order_by(Attachment.created_at, Attachment.id)
        )
    )


def test_a_reply_with_files_is_queued_with_them_and_the_page_lists_them(page, tenant, db):
    files = [("foto.png", PNG, "image/png"), ("bon.pdf", PDF, "application/pdf")]
    sent = _post(page, tenant.case.id, "reply", files, text="Hierbij de bon en een foto.")
    assert sent.status_code == 303, sent.text
    photo, receipt = _attachments(db, tenant)
    [mail] = db.scalars(select(OutboundMessage)).all()
    assert mail.data["attachment_ids"] == [str(photo.id), str(receipt.id)]
    assert photo.contact_id is not None and photo.contact_id == receipt.contact_id
    assert photo.message_id is not None and str(photo.contact_id) == mail.data["contact_id"]
    html = page.get(f"/cases/{tenant.case.id}").text
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    assert f'src="/cases/{tenant.case.id}/attachments/{photo.id}/thumbnail"' in html
    assert f'href="/cases/{tenant.case.id}/attachments/{receipt.id}"' in html
    assert f"/attachments/{receipt.id}/thumbnail" not in html  # a PDF has no thumbnail
    assert "Bijlage toegevoegd" in html  # on the timeline too


def test_a_reply_without_files_still_works_with_the_empty_file_input(page, tenant, db):
    sent = _post(
        page, tenant.case.id, "reply", [("", b"", "application/octet-stream")], text="Zonder bijlage."
    )
    assert sent.status_code == 303, sent.text
    assert _attachments(db, tenant) == []


def test_a_note_keeps_its_files_internal_and_warns_of_a_program_and_never_thumbnails_svg(page, tenant, db):
    files = [("invoice.pdf.exe", EXE, "application/pdf"), ("logo.svg", SVG, "image/svg+xml")]
    assert _post(page, tenant.case.id, "note", files, text="Klant stuurde dit mee.").status_code == 303
    exe, svg = _attachments(db, tenant)
    assert exe.note_id is not None and exe.note_id == svg.note_id and exe.contact_id is None
    html = page.get(f"/cases/{tenant.case.id}").text
    assert "Dit bestand kan een programma zijn" in html
    assert "/thumbnail" not in html and "<svg" not in html


def test_a_file_over_the_limit_is_refused_beside_the_form_in_dutch_and_nothing_is_written(page, tenant, db):
    big = [("groot.pdf", PDF + b"x" * 70 * 1024, "application/pdf")]
    refused = _post(page, tenant.case.id, "reply", big, text="Met een te groot bestand.")
    assert refused.status_code == 413
    assert "Het bestand groot.pdf is 70 kB; een bestand mag hooguit 64 kB zijn." in refused.text
    assert "Met een te groot bestand." in refused.text  # the form comes back as typed
    assert _attachments(db, tenant) == [] and db.scalars(select(OutboundMessage)).all() == []


def test_the_replys_email_carries_its_files_as_parts(page, tenant, db, database, clock, mailbox, settings):
    files = [("bon.pdf", PDF, "application/pdf"), ("foto.png", PNG, "image/png"), ("x.pdf.exe", EXE, "")]
    assert _post(page, tenant.case.id, "reply", files, text="Zie de bijlagen.").status_code == 303
    smtp = mailbox.settings(files_dir=settings.files_dir)
    assert deliver_due_messages(database=database, now=clock.now(), limit=20, settings=smtp) == 1
    [received] = mailbox.messages
    assert received.get_content_type() == "multipart/mixed"
    body = received.get_body(preferencelist=("plain",))
    assert body is not None and "Zie de bijlagen." in body.get_content()
    parts = [(p.get_filename(), p.get_content_type(), p.get_content()) for p in received.iter_attachments()]
    assert parts == [
        ("bon.pdf", "application/pdf", PDF),
        ("foto.png", "image/png", PNG),
        ("x.pdf.exe", "application/octet-stream", EXE),  # a program never goes out as what it claims
    ]


def test_another_organisation_cannot_download_from_the_page(page, app_client, tenant, other_tenant, db):
    assert (
        _post(page, tenant.case.id, "note", [("bon.pdf", PDF, "application/pdf")], text="Bon").status_code
        == 303
    )
    [receipt] = _attachments(db, tenant)
    theirs = Api(app_client, other_tenant.tokens["admin"])
    assert theirs.get(f"/cases/{tenant.case.id}/attachments/{receipt.id}").status_code == 404
    assert theirs.get(f"/api/v1/cases/{tenant.case.id}/attachments/{receipt.id}").status_code == 404


def test_a_reply_whose_file_went_missing_fails_at_once_saying_which(
    page, tenant, db, database, clock, mailbox, settings
):
    assert (
        _post(
            page, tenant.case.id, "reply", [("bon.pdf", PDF, "application/pdf")], text="Zie bijlage."
        ).status_code
        == 303
    )
    for kept in settings.files_dir.rglob("*"):
        if kept.is_file():
            kept.unlink()
    smtp = mailbox.settings(files_dir=settings.files_dir)
    assert deliver_due_messages(database=database, now=clock.now(), limit=20, settings=smtp) == 0
    [mail] = db.scalars(select(OutboundMessage)).all()
    db.refresh(mail)
    assert mail.state.value == "failed" and mail.attempts == 1 and mailbox.messages == []
    assert "bon.pdf" in (mail.last_error or "")
    html = page.get(f"/cases/{tenant.case.id}").text
    assert "ontbreekt in de bestandsopslag: bon.pdf" in html


def test_the_customer_sees_the_files_of_replies_and_their_own_never_a_notes(
    page, tenant, db, clock, settings
):
    from attent.files import UploadedBy
    from attent.files.service import attachments_for_customer, store_attachment

    assert (
        _post(page, tenant.case.id, "reply", [("bon.pdf", PDF, "application/pdf")], text="Bon").status_code
        == 303
    )
    assert (
        _post(
            page, tenant.case.id, "note", [("intern.pdf", PDF + b"1", "application/pdf")], text="Intern"
        ).status_code
        == 303
    )
    store_attachment(
        db, org_id=tenant.organisation_id, case_id=tenant.case.id, filename="eigen foto.png", data=PNG,
        clock=clock, settings=settings, uploaded_by=UploadedBy.CUSTOMER,
    )  # fmt: skip
    store_attachment(  # added by an agent through the API, not sent to anyone
        db, org_id=tenant.organisation_id, case_id=tenant.case.id, filename="concept.pdf", data=PDF + b"2",
        clock=clock, settings=settings, agent=tenant.agent,
    )  # fmt: skip
    seen = attachments_for_customer(db, org_id=tenant.organisation_id, case_id=tenant.case.id)
    assert [a.filename for a in seen] == ["bon.pdf", "eigen foto.png"]
