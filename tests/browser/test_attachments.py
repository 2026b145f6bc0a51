"""Attachments in a real browser: an agent sends a reply with files from the case page with JavaScript
off (a plain multipart form), sees the image as a thumbnail, and a click saves the file."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORT, Server
from tests.browser.test_workspace import SUBJECT, sign_in
from tests.integration.test_files import PDF, PNG, SVG


def _case(page: Page) -> None:
    sign_in(page)
    page.get_by_role("link", name=SUBJECT).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(SUBJECT)


@pytest.mark.browser
def test_a_reply_with_files_works_without_javascript_and_shows_a_thumbnail(browser: Browser, server: Server):
    plain = browser.new_context(base_url=server.url, viewport=VIEWPORT, java_script_enabled=False)
    plain.set_default_timeout(10_000)
    page = plain.new_page()
    _case(page)
    reply = page.locator("section#reply")
    reply.get_by_label("Bericht (gaat per e-mail)").fill("Hierbij de pakbon en een foto van het label.")
    reply.get_by_label("Bestanden toevoegen").set_input_files(
        [
            {"name": "pakbon.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "label.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "logo.svg", "mimeType": "image/svg+xml", "buffer": SVG},
        ]
    )
    reply.get_by_role("button", name="Versturen").click()
    files = page.locator("section#attachments")
    expect(files.get_by_role("link", name="pakbon.pdf")).to_be_visible()
    expect(files.locator("img.thumb")).to_have_count(1)  # the PNG; an SVG is never shown
    plain.close()

    context = browser.new_context(base_url=server.url, viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    _case(page)
    thumb = page.locator("section#attachments img.thumb")
    thumb.scroll_into_view_if_needed()  # loaded lazily, when it comes into view
    expect(thumb).to_be_visible()
    thumb.evaluate("(img) => img.decode()")  # fails unless the image itself arrived and is an image
    assert thumb.evaluate("(img) => img.naturalWidth") == 1
    box = thumb.bounding_box()
    assert box is not None and box["width"] <= 96  # sized by CSS
    with page.expect_download() as saving:
        page.locator("section#attachments").get_by_role("link", name="pakbon.pdf").click()
    download = saving.value
    assert download.suggested_filename == "pakbon.pdf"
    assert Path(download.path()).read_bytes() == PDF
    context.close()
