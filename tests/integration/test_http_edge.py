"""The HTTP edge behaves: Allow on 405, no-store on what holds personal data, pages for browsers and
problem+json for machines on unknown URLs, a favicon, the API docs from our own static files, and a
connection that survives a 500 (issue 13: 13, 19, 21, 22, 27)."""

import pytest

PROBLEM = "application/problem+json"
BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


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
    app_client.csrf = csrf
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
    for asset in ("/static/attent.css", "/static/vendor/htmx-2.0.11.min.js"):
        response = app_client.get(asset)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("cache-control", ""), asset
