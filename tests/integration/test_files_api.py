"""Attachments over the API and the download pages: who may see them, the limits, the headers."""

from pathlib import Path

import pytest

from attent.core.settings import Settings
from attent.files.serving import disposition
from tests.conftest import Api, page_csrf
from tests.integration.test_files import EXE, PDF, PNG, SVG, zip_bomb


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


def upload(api: Api, case_id, *files: tuple[str, bytes, str]):
    return api.post(f"/api/v1/cases/{case_id}/attachments", files=[("files", f) for f in files])


def test_an_agent_uploads_lists_and_downloads_a_file(api: Api, tenant):
    sent = upload(api, tenant.case.id, ("bon.pdf", PDF, "application/pdf"), ("foto.jpg", PNG, "image/jpeg"))
    assert sent.status_code == 201, sent.text
    pdf, photo = sent.json()
    assert (
        pdf["filename"] == "bon.pdf" and pdf["content_type"] == "application/pdf" and pdf["size"] == len(PDF)
    )
    assert photo["content_type"] == "image/png" and "type_mismatch" in photo["flags"]  # the bytes decide
    assert pdf["uploaded_by"] == "agent" and pdf["agent_id"] == str(tenant.agent.id)
    listed = api.get(f"/api/v1/cases/{tenant.case.id}/attachments").json()
    assert [a["id"] for a in listed] == [pdf["id"], photo["id"]]
    got = api.get(f"/api/v1/cases/{tenant.case.id}/attachments/{pdf['id']}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == "attachment; filename=\"bon.pdf\"; filename*=UTF-8''bon.pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-security-policy"].startswith("sandbox;")
    assert "default-src 'none'" in got.headers["content-security-policy"]


def test_html_svg_and_programs_download_as_bytes_never_as_what_they_could_run_as(api: Api, tenant):
    sent = upload(
        api, tenant.case.id,
        ("invoice.pdf.exe", EXE, "application/pdf"), ("logo.svg", SVG, "image/svg+xml"),
        ("page.html", b"<!doctype html><script>alert(1)</script>", "text/html"),
    ).json()  # fmt: skip
    exe, svg, html = sent
    assert {"executable", "double_extension"} <= set(exe["flags"]) and exe["filename"] == "invoice.pdf.exe"
    for attachment in (exe, svg, html):
        got = api.get(f"/api/v1/cases/{tenant.case.id}/attachments/{attachment['id']}")
        assert got.headers["content-type"] == "application/octet-stream", attachment["filename"]
        assert got.headers["content-disposition"].startswith("attachment;")
    assert api.get(f"/cases/{tenant.case.id}/attachments/{svg['id']}/thumbnail").status_code == 404


def test_a_name_with_quotes_and_accents_reaches_the_header_safely(api: Api, tenant):
    [sent] = upload(api, tenant.case.id, ("factuur é;.pdf", PDF, "application/pdf")).json()
    got = api.get(f"/api/v1/cases/{tenant.case.id}/attachments/{sent['id']}")
    how = got.headers["content-disposition"]
    assert how.startswith("attachment; filename=\"factuur e_.pdf\"; filename*=UTF-8''")
    assert how.endswith("factuur%20%C3%A9%3B.pdf")  # é and ; percent-encoded (RFC 6266)
    assert disposition("attachment", 'a"b\\c\r\n.pdf') == (
        "attachment; filename=\"a_b_c__.pdf\"; filename*=UTF-8''a%22b%5Cc%0D%0A.pdf"
    )


def test_limits_are_refused_naming_the_limit_in_the_readers_language(api: Api, tenant):
    big = upload(api, tenant.case.id, ("groot.pdf", PDF + b"x" * 70 * 1024, "application/pdf"))
    assert big.status_code == 413 and big.json()["code"] == "file_too_large"
    assert big.json()["detail"] == "Het bestand groot.pdf is 70 kB; een bestand mag hooguit 64 kB zijn."
    halves = [(f"deel-{i}.pdf", PDF + bytes([i]) * 40 * 1024, "application/pdf") for i in range(3)]
    together = upload(api, tenant.case.id, *halves)
    assert together.status_code == 413 and together.json()["code"] == "message_too_large"
    assert "100 kB" in together.json()["detail"]
    empty = upload(api, tenant.case.id, ("leeg.txt", b"", "text/plain"))
    assert empty.status_code == 422 and "leeg.txt" in empty.json()["detail"]
    assert api.patch(f"/api/v1/agents/{tenant.agent.id}", json={"language": "en"}).status_code == 200
    english = upload(api, tenant.case.id, ("groot.pdf", PDF + b"x" * 70 * 1024, "application/pdf"))
    assert english.json()["detail"] == "The file groot.pdf is 70 kB; a file may be at most 64 kB."
    assert api.get(f"/api/v1/cases/{tenant.case.id}/attachments").json() == []  # nothing half-stored


def test_a_zip_bomb_is_taken_as_the_small_file_it_is(api: Api, tenant):
    bomb = zip_bomb()
    [kept] = upload(api, tenant.case.id, ("bijlagen.zip", bomb, "application/zip")).json()
    assert kept["size"] == len(bomb) and kept["content_type"] == "application/zip"


def test_other_organisations_and_other_teams_get_not_found(app_client, api: Api, tenant, other_tenant):
    [ours] = upload(api, tenant.case.id, ("bon.pdf", PDF, "application/pdf")).json()
    theirs = Api(app_client, other_tenant.tokens["agent"])
    assert theirs.get(f"/api/v1/cases/{tenant.case.id}/attachments").status_code == 404
    assert theirs.get(f"/api/v1/cases/{tenant.case.id}/attachments/{ours['id']}").status_code == 404
    # their own case with our attachment's id: still not found
    assert theirs.get(f"/api/v1/cases/{other_tenant.case.id}/attachments/{ours['id']}").status_code == 404
    assert upload(theirs, tenant.case.id, ("x.pdf", PDF, "application/pdf")).status_code == 404
    outsider = Api(app_client, tenant.tokens["outsider"])  # same organisation, another team's agent
    assert outsider.get(f"/api/v1/cases/{tenant.case.id}/attachments/{ours['id']}").status_code == 404


def test_the_download_page_serves_the_signed_in_agent_and_thumbnails_only_raster_images(
    app_client, api: Api, tenant
):
    pdf, png = upload(api, tenant.case.id, ("bon.pdf", PDF, "application/pdf"), ("foto.png", PNG, "")).json()
    signed_out = app_client.get(f"/cases/{tenant.case.id}/attachments/{pdf['id']}")
    assert signed_out.content != PDF and "text/html" in signed_out.headers["content-type"]  # the sign-in page
    csrf = page_csrf(app_client)
    signed_in = app_client.post(
        "/signin", data={"email": tenant.agent.email, "password": "correct horse battery", "csrf": csrf}
    )
    assert signed_in.status_code in (200, 303)
    page = app_client.get(f"/cases/{tenant.case.id}/attachments/{pdf['id']}")
    assert page.status_code == 200 and page.content == PDF
    assert page.headers["content-disposition"].startswith("attachment;")
    thumb = app_client.get(f"/cases/{tenant.case.id}/attachments/{png['id']}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    assert thumb.headers["content-disposition"].startswith("inline;")
    assert thumb.headers["x-content-type-options"] == "nosniff"
    assert thumb.headers["content-security-policy"].startswith("sandbox;")
    assert app_client.get(f"/cases/{tenant.case.id}/attachments/{pdf['id']}/thumbnail").status_code == 404


def test_only_upload_paths_take_bodies_past_the_body_limit(api: Api, tenant):
    # 64 kB is ATTENT_MAX_BODY_BYTES here: a note as JSON that large is refused before it is read ...
    note = api.post(f"/api/v1/cases/{tenant.case.id}/notes", json={"text": "x" * 70 * 1024})
    assert note.status_code == 413 and note.json()["code"] == "body_too_large"
    # ... a file of that size on an upload path reaches the route (and passes: under 100 kB per message) ...
    [kept] = upload(api, tenant.case.id, ("scan.pdf", PDF + b"x" * 60 * 1024, "application/pdf")).json()
    assert kept["size"] == len(PDF) + 60 * 1024
    # ... and past the message limit plus room for the form, even an upload path stops reading.
    huge = upload(api, tenant.case.id, ("huge.pdf", PDF + b"x" * 1200 * 1024, "application/pdf"))
    assert huge.status_code == 413 and huge.json()["code"] == "body_too_large"
