"""Attachments as the service keeps them: once per content hash, typed from the bytes, within the limits,
never across organisations."""

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from attent.core.errors import Invalid, NotFound, TooLarge
from attent.core.settings import Settings
from attent.files import Attachment, AttachmentAdded, UploadedBy
from attent.files.service import (
    Upload,
    attachments_of,
    get_attachment,
    open_content,
    served_type,
    store_attachment,
    store_attachments,
    thumbnail_ok,
)
from attent.files.storage import FileSystemStorage, blob_key
from attent.timeline import TimelineEvent

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"PE\x00\x00"
    + b"\x00" * 200
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def zip_bomb(expanded: int = 20 * 1024 * 1024) -> bytes:
    """A small zip that would expand to `expanded` bytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\x00" * expanded)
    return buffer.getvalue()


@pytest.fixture
def files_settings(tmp_path: Path) -> Settings:
    return Settings(files_dir=tmp_path / "files", max_file_bytes=64 * 1024, max_message_bytes=100 * 1024)


def store(db, tenant, clock, settings, name, data, **kw) -> Attachment:
    return store_attachment(
        db, org_id=tenant.organisation_id, case_id=tenant.case.id, filename=name, data=data,
        clock=clock, settings=settings, agent=tenant.agent, **kw,
    )  # fmt: skip


def test_the_same_content_is_stored_once_and_listed_twice(db, tenant, clock, files_settings):
    first = store(db, tenant, clock, files_settings, "foto.png", PNG)
    second = store(db, tenant, clock, files_settings, "dezelfde foto.png", PNG)
    root = files_settings.files_dir
    kept = [p for p in root.rglob("*") if p.is_file()]
    assert first.sha256 == second.sha256 and len(kept) == 1
    assert kept[0] == root / blob_key(tenant.organisation_id, first.sha256)
    assert [
        a.filename for a in attachments_of(db, org_id=tenant.organisation_id, case_id=tenant.case.id)
    ] == [
        "foto.png",
        "dezelfde foto.png",
    ]
    with open_content(second, settings=files_settings) as content:
        assert content.read() == PNG


def test_the_type_comes_from_the_bytes_not_the_name(db, tenant, clock, files_settings):
    pdf_called_png = store(db, tenant, clock, files_settings, "scan.png", PDF, declared_type="image/png")
    assert pdf_called_png.content_type == "application/pdf"
    assert "type_mismatch" in pdf_called_png.flags and pdf_called_png.dangerous
    photo = store(
        db, tenant, clock, files_settings, "IMG_0001", PNG, declared_type="application/octet-stream"
    )
    assert photo.content_type == "image/png" and not photo.dangerous and thumbnail_ok(photo)
    assert served_type(photo) == "image/png"


def test_a_program_under_a_document_name_is_kept_flagged_and_only_ever_bytes(
    db, tenant, clock, files_settings
):
    exe = store(db, tenant, clock, files_settings, "invoice.pdf.exe", EXE)
    assert exe.filename == "invoice.pdf.exe"  # kept as sent: the agent sees what the customer sent
    assert {"executable", "double_extension"} <= set(exe.flags)
    assert served_type(exe) == "application/octet-stream" and not thumbnail_ok(exe)
    svg = store(db, tenant, clock, files_settings, "logo.svg", SVG)
    assert svg.content_type == "image/svg+xml"
    assert served_type(svg) == "application/octet-stream" and not thumbnail_ok(svg)


def test_a_zip_bomb_is_kept_as_its_compressed_bytes_never_expanded(db, tenant, clock, files_settings):
    bomb = zip_bomb()
    kept = store(db, tenant, clock, files_settings, "bijlagen.zip", bomb)
    assert kept.content_type == "application/zip" and kept.size == len(bomb) < 64 * 1024
    stored = files_settings.files_dir / blob_key(tenant.organisation_id, kept.sha256)
    assert stored.stat().st_size == len(bomb)


def test_names_are_made_safe_to_show_and_missing_ones_get_a_name(db, tenant, clock, files_settings):
    odd = store(db, tenant, clock, files_settings, "../../etc/passwd\u202egnp.exe", PDF)
    assert "/" not in odd.filename and "\u202e" not in odd.filename
    nameless = store(db, tenant, clock, files_settings, None, PDF)
    assert nameless.filename == "attachment-1.pdf"


def test_a_file_over_the_limit_is_refused_naming_the_limit_and_nothing_is_kept(
    db, tenant, clock, files_settings
):
    with pytest.raises(TooLarge) as refused:
        store(db, tenant, clock, files_settings, "groot.pdf", PDF + b"x" * 70 * 1024)
    assert refused.value.status == 413
    assert refused.value.say("nl") == "Het bestand groot.pdf is 70 kB; een bestand mag hooguit 64 kB zijn."
    assert refused.value.say("en") == "The file groot.pdf is 70 kB; a file may be at most 64 kB."
    assert not files_settings.files_dir.exists()


def test_files_of_one_message_together_stay_under_the_message_limit(db, tenant, clock, files_settings):
    uploads = [Upload(f"deel-{i}.pdf", PDF + bytes([i]) * 40 * 1024) for i in range(3)]
    with pytest.raises(TooLarge) as refused:
        store_attachments(
            db, org_id=tenant.organisation_id, case_id=tenant.case.id, uploads=uploads, clock=clock,
            settings=files_settings,
        )  # fmt: skip
    assert "100 kB" in refused.value.say("en") and "samen" in refused.value.say("nl")
    assert attachments_of(db, org_id=tenant.organisation_id, case_id=tenant.case.id) == []


def test_an_empty_file_is_refused_naming_it(db, tenant, clock, files_settings):
    with pytest.raises(Invalid) as refused:
        store(db, tenant, clock, files_settings, "leeg.txt", b"")
    assert refused.value.status == 422 and "leeg.txt" in refused.value.say("nl")


def test_another_organisations_attachment_is_not_found(db, tenant, other_tenant, clock, files_settings):
    theirs = store(db, other_tenant, clock, files_settings, "hun.pdf", PDF)
    with pytest.raises(NotFound):
        get_attachment(
            db, org_id=tenant.organisation_id, case_id=other_tenant.case.id, attachment_id=theirs.id
        )
    with pytest.raises(NotFound):  # nor can it be stored on their case through our organisation
        store_attachment(
            db, org_id=tenant.organisation_id, case_id=other_tenant.case.id, filename="x.pdf", data=PDF,
            clock=clock, settings=files_settings,
        )  # fmt: skip
    ours = store(db, tenant, clock, files_settings, "hun.pdf", PDF)  # same bytes, kept apart per organisation
    assert ours.sha256 == theirs.sha256
    assert (files_settings.files_dir / str(tenant.organisation_id)).is_dir()
    assert (files_settings.files_dir / str(other_tenant.organisation_id)).is_dir()


def test_storing_is_on_the_case_timeline_and_says_who(db, tenant, clock, files_settings):
    kept = store(db, tenant, clock, files_settings, "bon.pdf", PDF, uploaded_by=UploadedBy.AGENT)
    event = db.scalar(
        select(TimelineEvent).where(
            TimelineEvent.organisation_id == tenant.organisation_id,
            TimelineEvent.kind == AttachmentAdded.name,
        )
    )
    assert event is not None and event.actor_id == tenant.agent.id and not event.customer_visible
    assert AttachmentAdded.of(event).attachment_id == str(kept.id) and event.case_id == tenant.case.id


def test_the_file_system_storage_refuses_keys_that_leave_its_folder(tmp_path):
    storage = FileSystemStorage(tmp_path / "files")
    with pytest.raises(ValueError, match="not a storage key"):
        storage.put("../outside", b"x")
    storage.put("a/b", b"first")
    storage.put("a/b", b"second")  # a key is its content: the first copy stays
    with storage.open("a/b") as kept:
        assert kept.read() == b"first"
    assert storage.exists("a/b")
    assert not storage.exists("a/c")


def test_merging_cases_moves_their_attachments_within_the_organisation(
    db, tenant, other_tenant, clock, files_settings
):
    from attent.cases.schemas import CaseCreate
    from attent.cases.service import create_case
    from attent.files.service import move_attachments

    kept = store(db, tenant, clock, files_settings, "bon.pdf", PDF)
    other_case = create_case(
        db=db, actor=tenant.agent, at=clock.now(),
        data=CaseCreate(customer_id=tenant.customer.id, subject="Tweede vraag", team_id=tenant.team_id),
    )  # fmt: skip
    theirs = store(db, other_tenant, clock, files_settings, "hun.pdf", PDF)
    assert (
        move_attachments(
            db, org_id=tenant.organisation_id, from_case_id=tenant.case.id, to_case_id=other_case.id
        )
        == 1
    )
    assert [a.id for a in attachments_of(db, org_id=tenant.organisation_id, case_id=other_case.id)] == [
        kept.id
    ]
    assert attachments_of(db, org_id=tenant.organisation_id, case_id=tenant.case.id) == []
    assert (
        get_attachment(
            db, org_id=other_tenant.organisation_id, case_id=other_tenant.case.id, attachment_id=theirs.id
        ).case_id
        == other_tenant.case.id
    )


def test_what_the_sender_claims_is_kept_only_when_it_is_a_type_and_never_breaks_storing(
    db, tenant, clock, files_settings
):
    odd = store(
        db, tenant, clock, files_settings, "bon.pdf", PDF,
        declared_type="application/pdf\x00<script>", content_id="<part1\x00@mail>",
    )  # fmt: skip
    assert odd.declared_type == "" and odd.content_type == "application/pdf"
    assert odd.content_id == "<part1@mail>"
    plain = store(db, tenant, clock, files_settings, "bon2.pdf", PDF, declared_type="Application/PDF; name=x")
    assert plain.declared_type == "application/pdf"
    db.flush()


def test_the_sweep_removes_only_old_content_no_attachment_refers_to(
    db, database, tenant, clock, files_settings
):
    import os
    from datetime import timedelta

    from attent.files.jobs import sweep_unreferenced

    storage = FileSystemStorage(files_settings.files_dir)
    kept = store(db, tenant, clock, files_settings, "bon.pdf", PDF)
    db.commit()
    orphan = blob_key(tenant.organisation_id, "ab" * 32)
    storage.put(orphan, b"an upload whose transaction rolled back")
    fresh = blob_key(tenant.organisation_id, "cd" * 32)
    storage.put(fresh, b"an upload whose transaction is still open")
    day_ago = (clock.now() - timedelta(days=1)).timestamp()
    for key in (orphan, blob_key(tenant.organisation_id, kept.sha256)):
        os.utime(files_settings.files_dir / key, (day_ago, day_ago))
    before = clock.now() - timedelta(hours=1)
    assert sweep_unreferenced(database=database, storage=storage, before=before) == 1
    assert not storage.exists(orphan)
    assert storage.exists(blob_key(tenant.organisation_id, kept.sha256)) and storage.exists(fresh)
