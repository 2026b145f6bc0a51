"""NUL characters and deep nesting are refused at the edge, once, whatever carries them (issue 13, 9 and 11).

On PostgreSQL a NUL in any text was a 500 (psycopg cannot send U+0000 in text); on SQLite it was
stored. 100,000 nested brackets were a RecursionError 500. Each kind of input is tried here on
both databases: a JSON body (raw, and as the escape), a query parameter, a path segment, an
urlencoded and a multipart form field; a file's contents are not text and pass.
"""

import json
from pathlib import Path

import pytest

from attent.core.settings import Settings
from tests.conftest import Api, page_csrf

PROBLEM = "application/problem+json"


def _refused(response, code, path):
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == code and body["detail"]
    assert [e["path"] for e in body["errors"]] == [path]
    return body


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The default body limit (1 MiB): the deep documents here are 200 KB, as in the issue."""
    return Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", embedded_worker=False)


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


def _customers(api: Api) -> list[str]:
    return [c["name"] for c in api.get("/api/v1/customers").json()["items"]]


def test_a_nul_in_a_json_body_is_refused_naming_the_field_and_nothing_is_stored(api, tenant):
    escaped = b'{"name": "Jan", "external_refs": {"shop": "C-1\\u0000"}}'
    body = _refused(
        api.post("/api/v1/customers", content=escaped, headers={"content-type": "application/json"}),
        "nul_character",
        ["body", "external_refs", "shop"],
    )
    assert body["errors"][0]["pointer"] == "/external_refs/shop"
    raw = b'{"name": "Jan\x00"}'  # not even valid JSON, but a NUL all the same
    _refused(
        api.post("/api/v1/customers", content=raw, headers={"content-type": "application/json"}),
        "nul_character",
        ["body"],
    )
    case = api.post(
        f"/api/v1/cases/{tenant.case.id}/notes", content=json.dumps({"text": "a\x00b"}).encode(),
        headers={"content-type": "application/json"},
    )  # fmt: skip
    _refused(case, "nul_character", ["body", "text"])
    assert "Jan" not in _customers(api)


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(api):
    created = api.post("/api/v1/customers", json={"name": "C:\\u0000 map"})  # the text \u0000, not NUL
    assert created.status_code == 201, created.text
    assert api.get(f"/api/v1/customers/{created.json()['id']}").json()["name"] == "C:\\u0000 map"
    three = b'{"name": "C:\\\\\\u0000"}'  # an escaped backslash and then a real escape: a NUL
    _refused(
        api.post("/api/v1/customers", content=three, headers={"content-type": "application/json"}),
        "nul_character",
        ["body", "name"],
    )


def test_a_nul_in_a_query_parameter_or_path_segment_is_refused(api, tenant):
    _refused(api.get("/api/v1/signals?type=order%00failed"), "nul_character", ["query", "type"])
    _refused(api.get("/api/v1/customers", params={"external_ref": "shop:C\x001"}), "nul_character",
             ["query", "external_ref"])  # fmt: skip
    _refused(api.get("/api/v1/cases/abc%00def"), "nul_character", ["path"])
    assert api.get("/api/v1/signals?type=order%2500failed").status_code == 200  # the text "%00"


def test_a_nul_in_a_page_form_field_gets_the_error_page_and_writes_nothing(page, tenant, api):
    response = page.post(
        f"/cases/{tenant.case.id}/note",
        data={"csrf": page.csrf, "text": "Bel\x00 terug"},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "NUL" in response.text
    kinds = [e["kind"] for e in api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]]
    assert "note.added" not in kinds


def test_multipart_form_fields_are_checked_but_file_contents_are_not(page, tenant, api):
    url = f"/cases/{tenant.case.id}/note"
    field = page.post(url, data={"csrf": page.csrf}, files={"text": (None, b"Bel\x00 terug")},
                      follow_redirects=False)  # fmt: skip
    assert field.status_code == 422 and "NUL" in field.text
    binary = page.post(
        url,
        data={"csrf": page.csrf, "text": "Foto van de schade bijgevoegd"},
        files={"photo": ("schade.jpg", b"\xff\xd8\x00\x00JFIF\x00", "image/jpeg")},
        follow_redirects=False,
    )
    assert binary.status_code == 303, binary.text  # the file's bytes are not text: not the edge's to refuse
    kinds = [e["kind"] for e in api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]]
    assert kinds.count("note.added") == 1


def test_the_api_refuses_a_nul_in_a_form_body_as_problem_json(api):
    response = api.post(
        "/api/v1/customers",
        content=b"name=Jan%00",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    _refused(response, "nul_character", ["body", "name"])


def test_100000_levels_of_json_are_a_clear_4xx_on_every_body(api, admin_api):
    deep = b"[" * 100_000 + b"]" * 100_000  # 200 KB
    for response in (
        admin_api.put("/api/v1/rules", content=deep, headers={"content-type": "application/json"}),
        api.post("/api/v1/customers", content=deep, headers={"content-type": "application/json"}),
        api.post("/api/v1/coach/score", content=b'{"messages": ' + deep + b"}"),
    ):
        _refused(response, "too_deep", ["body"])
    # Brackets inside strings are text: a long bracketed string is not deep.
    assert api.post("/api/v1/customers", json={"name": "[{" * 90}).status_code == 201


@pytest.mark.parametrize(
    "document",
    [
        "rules: " + "[" * 100_000 + "]" * 100_000,  # flow collections
        "rules:\n" + "- " * 100_000 + "x\n",  # block sequences on one line: indentation, no brackets
        "".join(" " * i + "k:\n" for i in range(300)) + " " * 300 + "v\n",  # nested mappings
    ],
    ids=["flow", "block", "indented"],
)
def test_deep_yaml_rules_are_a_clear_4xx(admin_api, document):
    response = admin_api.put(
        "/api/v1/rules", content=document.encode(), headers={"content-type": "application/yaml"}
    )
    body = _refused(response, "too_deep", ["body"])
    assert "64" in body["detail"]


def test_yaml_aliases_cannot_stack_into_a_deep_document(admin_api):
    piece = "[" * 40 + "1" + "]" * 40
    document = f"settings: {{}}\nx: &a {piece}\nrules: {'[' * 30}*a{']' * 30}\n"
    response = admin_api.put(
        "/api/v1/rules", content=document.encode(), headers={"content-type": "application/yaml"}
    )
    _refused(response, "too_deep", ["body"])


def test_a_nul_written_as_a_yaml_escape_is_refused(admin_api):
    document = 'rules:\n  - key: "late\\0"\n'
    response = admin_api.put(
        "/api/v1/rules", content=document.encode(), headers={"content-type": "application/yaml"}
    )
    _refused(response, "nul_character", ["body"])


def test_a_sane_rules_document_still_goes_through_as_yaml(admin_api):
    document = admin_api.get("/api/v1/rules", headers={"accept": "application/yaml"}).text
    response = admin_api.put(
        "/api/v1/rules", content=document.encode(), headers={"content-type": "application/yaml"}
    )
    assert response.status_code == 200, response.text
