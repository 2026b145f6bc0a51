"""CSRF: a form's token is bound to the web session and signed; the API takes the cookie only with it."""

from fastapi.testclient import TestClient

from tests.conftest import Api, page_csrf

PASSWORD = "correct horse battery"


def _signed_in(client, email):
    csrf = page_csrf(client)
    response = client.post(
        "/signin", data={"email": email, "password": PASSWORD, "csrf": csrf}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return client


def _second_browser(app_client):
    return TestClient(app_client.app, raise_server_exceptions=False)


def test_a_forged_cookie_with_a_matching_field_is_refused_before_sign_in(app_client, tenant):
    app_client.cookies.set("attent_csrf", "forged-by-a-neighbour")
    refused = app_client.post(
        "/signin",
        data={"email": tenant.agent.email, "password": PASSWORD, "csrf": "forged-by-a-neighbour"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert "attent_session" not in refused.cookies


def test_a_forged_cookie_with_a_matching_field_is_refused_when_signed_in(app_client, tenant):
    browser = _signed_in(app_client, tenant.agent.email)
    browser.cookies.set("attent_csrf", "forged-by-a-neighbour")
    refused = browser.post(
        "/me/presence", data={"presence": "away", "csrf": "forged-by-a-neighbour"}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert (
        browser.post(
            "/me/presence", data={"presence": "away", "csrf": page_csrf(browser)}, follow_redirects=False
        ).status_code
        == 303
    )


def test_a_pre_session_token_does_not_work_once_signed_in(app_client, tenant):
    signed_out = page_csrf(app_client)
    browser = _signed_in(app_client, tenant.agent.email)
    assert browser.cookies.get("attent_csrf") == signed_out  # still there, and signed by us
    refused = browser.post(
        "/me/presence", data={"presence": "away", "csrf": signed_out}, follow_redirects=False
    )
    assert refused.status_code == 403


def test_the_token_of_session_a_is_refused_in_session_b(app_client, tenant):
    a = _signed_in(app_client, tenant.agent.email)
    token_a = page_csrf(a)
    with _second_browser(app_client) as b:
        _signed_in(b, tenant.agent.email)
        assert page_csrf(b) != token_a
        b.cookies.set("attent_csrf", token_a)
        refused = b.post("/me/presence", data={"presence": "away", "csrf": token_a}, follow_redirects=False)
        assert refused.status_code == 403
        own = b.post("/me/presence", data={"presence": "away", "csrf": page_csrf(b)}, follow_redirects=False)
        assert own.status_code == 303


def test_the_api_takes_the_session_cookie_only_with_the_csrf_header(app_client, tenant):
    browser = _signed_in(app_client, tenant.agent.email)
    body = {"name": "Via de pagina"}
    without = browser.post("/api/v1/customers", json=body)
    assert without.status_code == 403 and without.json()["code"] == "csrf_failed"
    wrong = browser.post("/api/v1/customers", json=body, headers={"X-CSRF-Token": "s.forged"})
    assert wrong.status_code == 403
    assert browser.get("/api/v1/customers").status_code == 403
    made = browser.post("/api/v1/customers", json=body, headers={"X-CSRF-Token": page_csrf(browser)})
    assert made.status_code == 201, made.text


def test_bearer_tokens_need_no_csrf_header(api):
    assert api.post("/api/v1/customers", json={"name": "Script"}).status_code == 201


def test_a_session_and_a_token_of_one_agent_keep_their_own_idempotency_keys(app_client, tenant):
    browser = _signed_in(app_client, tenant.agent.email)
    key = {"Idempotency-Key": "same-agent", "X-CSRF-Token": page_csrf(browser)}
    by_page = browser.post("/api/v1/customers", json={"name": "K"}, headers=key)
    with _second_browser(app_client) as script:
        by_token = Api(script, tenant.tokens["agent"]).post(
            "/api/v1/customers", json={"name": "K"}, headers={"Idempotency-Key": "same-agent"}
        )
    assert by_page.status_code == by_token.status_code == 201
    assert "idempotent-replayed" not in by_token.headers
    assert by_page.json()["id"] != by_token.json()["id"]
