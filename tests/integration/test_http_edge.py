"""The HTTP edge behaves: Allow on 405, no-store on what holds personal data, pages for browsers and
problem+json for machines on unknown URLs, a favicon, the API docs from our own static files, and a
connection that survives a 500 (issue 13: 13, 19, 21, 22, 27)."""

import http.client
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from attent.app import create_app
from attent.core.docs import SWAGGER_UI
from attent.core.settings import Settings
from tests.conftest import free_port, page_csrf

PROBLEM = "application/problem+json"
BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
STATIC = Path(__file__).resolve().parents[2] / "src" / "attent" / "static"


@pytest.fixture
def page(app_client, tenant):
    """A browser signed in as the tenant's agent, with its CSRF token."""
    app_client.get("/signin")
    csrf = app_client.cookies.get("attent_csrf")
    signed_in = app_client.post(
        "/signin",
        data={"email": tenant.agent.email, "password": "correct horse battery", "csrf": csrf},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    app_client.csrf = page_csrf(app_client, "/")  # signed in, the token is the session's
    return app_client


def test_a_405_names_every_method_of_the_path(api, tenant, page):
    response = api.delete("/api/v1/cases")
    assert response.status_code == 405 and response.headers["content-type"] == PROBLEM
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}  # two routes share the path
    one = api.put(f"/api/v1/cases/{tenant.case.id}")
    assert set(one.headers["allow"].split(", ")) == {"GET", "PATCH"}
    form = page.get(f"/cases/{tenant.case.id}/note", headers=BROWSER)  # a form's URL, opened
    assert form.status_code == 405 and form.headers["allow"] == "POST"
    assert form.headers["content-type"].startswith("text/html")


def test_api_answers_and_pages_are_never_stored_but_assets_are(api, page, app_client, tenant):
    for response in (
        api.get(f"/api/v1/cases/{tenant.case.id}"),
        api.get("/api/v1/nothing-here"),
        api.post("/api/v1/customers", json={"name": "Jan"}),
        page.get(f"/cases/{tenant.case.id}"),
        page.get("/"),
    ):
        assert response.headers["cache-control"] == "no-store", response.request.url
    signed_out = page.post("/signout", data={"csrf": page.csrf}, follow_redirects=True)
    assert signed_out.url.path == "/signin" and signed_out.headers["cache-control"] == "no-store"
    for asset in ("/static/attent.css", "/static/vendor/htmx-2.0.11.min.js", "/favicon.ico"):
        response = app_client.get(asset)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("cache-control", ""), asset


def test_an_unknown_url_is_a_page_for_a_browser_in_its_language(app_client):
    response = app_client.get("/no/such/page", headers=BROWSER)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "Pagina niet gevonden" in response.text and 'href="/"' in response.text
    app_client.cookies.set("attent_lang", "en")
    english = app_client.get("/no/such/page", headers=BROWSER)
    assert "Page not found" in english.text and "Back to the workspace" in english.text


def test_an_unknown_url_is_problem_json_for_the_api_hooks_and_json_readers(app_client):
    for url, headers in (
        ("/api/v1/no-such-thing", BROWSER),
        ("/hooks/nothing/here/at/all", {}),
        ("/no/such/page", {"accept": "application/json"}),
    ):
        response = app_client.get(url, headers=headers)
        assert response.status_code == 404 and response.headers["content-type"] == PROBLEM, url
        assert response.json()["code"] == "not_found"


def test_the_favicon_answers_and_every_page_links_it(app_client):
    icon = app_client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert '<link rel="icon" href="/favicon.ico">' in app_client.get("/signin").text


def test_the_api_docs_load_swagger_ui_from_our_static_files(app_client):
    docs = app_client.get("/api/v1/docs")
    assert docs.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing from another site
    assert "<script>" not in docs.text  # no inline script: the CSP (script-src 'self') would block it
    for source in sources:
        assert app_client.get(source).status_code == 200, source
    assert f"/static/vendor/swagger-ui-{SWAGGER_UI}-bundle.js" in sources
    csp = docs.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert (STATIC / "vendor" / "swagger-ui-LICENSE.txt").read_text().find("Apache License") >= 0


# Keep-alive after a 500 needs a real server: TestClient has no connections to keep.


@pytest.fixture
def served(tmp_path: Path) -> Iterator[int]:
    """The app with a route that fails, served by uvicorn on a free port (no database is touched)."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", embedded_worker=False)
    app: FastAPI = create_app(settings, worker=False)

    def boom() -> None:
        raise RuntimeError("a bug in a route")

    app.add_api_route("/api/v1/test-boom", boom)
    app.add_api_route("/test-boom", boom)
    port = free_port()
    # log_config=None: leave the logging set-up of the test run alone (uvicorn would reconfigure it).
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def test_the_connection_stays_usable_after_a_500(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=5)
    connection.request("GET", "/api/v1/test-boom")
    crashed = connection.getresponse()
    body = crashed.read()
    assert crashed.status == 500 and crashed.getheader("content-type") == PROBLEM, body
    assert not crashed.will_close
    socket_before = connection.sock
    connection.request("GET", "/favicon.ico")  # the same connection, not a new one
    after = connection.getresponse()
    after.read()
    assert after.status == 200
    assert connection.sock is socket_before
    connection.close()


def test_a_browser_gets_the_error_page_for_a_500_and_keeps_its_connection(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=5)
    connection.request("GET", "/test-boom", headers=BROWSER)
    response = connection.getresponse()
    page = response.read().decode()
    assert response.status == 500 and response.getheader("content-type").startswith("text/html")
    assert response.getheader("cache-control") == "no-store" and 'href="/"' in page
    connection.request("GET", "/test-boom", headers=BROWSER)
    assert connection.getresponse().status == 500  # again, on the same connection
    connection.close()
