"""The API docs work in a real browser under our Content-Security-Policy, from our own files only;
an unknown URL is a page with a way home (issue 13, 22 and 27)."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect


@pytest.mark.browser
@pytest.mark.xfail(
    strict=True,
    reason="known regression, open: since the channels and inbox merged, Swagger UI draws only the first "
    "tag's 11 operations (it knows all 23 tags; no console error); the document itself is valid "
    "(tests/integration/test_openapi.py). Remove this mark when fixed.",
)
def test_swagger_ui_renders_every_operation_without_leaving_the_site(page: Page, server):
    requests: list[Request] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request))
    page.on("console", lambda m: problems.append(m.text) if _is_problem(m) else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/api/v1/docs")
    # Swagger UI parses 1.8 MB of script and the whole document: slow on a busy machine.
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)  # it read the document
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()  # the bearer scheme
    expect(page.locator(".opblock").nth(50)).to_be_attached(timeout=30_000)  # drawn in chunks: wait for them
    here = urlparse(server.url).netloc
    assert {urlparse(r.url).netloc for r in requests if r.url.startswith("http")} == {here}
    assert problems == []  # no CSP violation, no script error


def _is_problem(message: ConsoleMessage) -> bool:
    return message.type == "error" and "favicon" not in message.text


@pytest.mark.browser
def test_an_unknown_url_is_a_dutch_page_with_a_way_home(page: Page):
    response = page.goto("/geen/pagina")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Pagina niet gevonden")).to_be_visible()
    page.get_by_role("link", name="Terug naar de werkplek").click()
    expect(page).to_have_url(re.compile(r"/signin"))  # home, which asks a stranger to sign in first
