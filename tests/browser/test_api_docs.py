"""The API docs work in a real browser under our Content-Security-Policy, from our own files only;
an unknown URL is a page with a way home (issue 13, 22 and 27)."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect


@pytest.mark.browser
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
    document = page.request.get("/api/v1/openapi.json").json()
    expected = {
        f"operations-{tag.replace(' ', '_')}-{operation['operationId']}"  # Swagger UI's id for a tag
        for methods in document["paths"].values()
        for operation in methods.values()
        for tag in operation["tags"]
    }
    # Swagger UI 5 draws only the operations near the window (a virtual list), so the whole document is
    # seen by scrolling through it.
    assert _operations_seen_scrolling_down(page) == expected
    here = urlparse(server.url).netloc
    assert {urlparse(r.url).netloc for r in requests if r.url.startswith("http")} == {here}
    assert problems == []  # no CSP violation, no script error


def _operations_seen_scrolling_down(page: Page) -> set[str]:
    seen: set[str] = set()
    previous = -1.0
    for _ in range(1_000):
        drawn = page.locator(".opblock[id^='operations-']")
        seen.update(drawn.evaluate_all("blocks => blocks.map(b => b.id)"))
        position = page.evaluate("window.scrollY")
        if position == previous:
            return seen
        previous = position
        page.evaluate("window.scrollBy(0, window.innerHeight / 2)")
        page.wait_for_timeout(50)
    raise AssertionError("the docs page never reached its end")


def _is_problem(message: ConsoleMessage) -> bool:
    return message.type == "error" and "favicon" not in message.text


@pytest.mark.browser
def test_an_unknown_url_is_a_dutch_page_with_a_way_home(page: Page):
    response = page.goto("/geen/pagina")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Pagina niet gevonden")).to_be_visible()
    page.get_by_role("link", name="Terug naar de werkplek").click()
    expect(page).to_have_url(re.compile(r"/signin"))  # home, which asks a stranger to sign in first
