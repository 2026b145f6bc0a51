"""Merging two cases of one customer: everything moves to the one kept, the other points to it."""

from datetime import timedelta

from tests.conftest import Api


def _case(api, tenant, subject, **extra):
    body = {
        "customer_id": str(tenant.customer.id),
        "subject": subject,
        "team_id": str(tenant.team_id),
        **extra,
    }
    response = api.post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_merge_moves_contacts_promises_notes_tags_and_timeline(api, tenant, clock):
    kept, merged = str(tenant.case.id), _case(api, tenant, "Nogmaals: zending kwijt")
    api.post(
        f"/api/v1/cases/{merged}/contacts",
        json={"channel": "email", "messages": [{"speaker": "customer", "text": "Waar blijft het?"}]},
    )
    due = (clock.now() + timedelta(hours=3)).isoformat()
    promise = api.post(f"/api/v1/cases/{merged}/promises", json={"kind": "callback", "due_at": due}).json()
    api.post(f"/api/v1/cases/{merged}/notes", json={"text": "Tweede melding"})
    api.post(f"/api/v1/cases/{merged}/tags", json={"name": "dubbel"})
    response = api.post(f"/api/v1/cases/{merged}/merge", json={"into": kept})
    assert response.status_code == 200, response.text
    assert response.json()["id"] == kept
    pointer = api.get(f"/api/v1/cases/{merged}").json()
    assert pointer["merged_into_id"] == kept and pointer["status"] == "closed"
    assert api.get(f"/api/v1/promises/{promise['id']}").json()["case_id"] == kept
    assert [t["name"] for t in api.get(f"/api/v1/cases/{kept}/tags").json()] == ["dubbel"]
    kinds = [
        e["kind"] for e in api.get(f"/api/v1/cases/{kept}/timeline", params={"limit": 200}).json()["items"]
    ]
    assert {"message.added", "note.added", "promise.made", "case.merged"} <= set(kinds)
    [record] = [
        e
        for e in api.get(f"/api/v1/cases/{kept}/timeline", params={"limit": 200}).json()["items"]
        if e["kind"] == "case.merged"
    ]
    assert record["data"]["from"] == merged and record["data"]["subject"] == "Nogmaals: zending kwijt"
    left = [e["kind"] for e in api.get(f"/api/v1/cases/{merged}/timeline").json()["items"]]
    assert left == ["case.merged_into", "case.status_changed"]  # the pointer keeps only its own record


def test_a_link_to_the_merged_case_lands_on_the_kept_one(api, tenant):
    merged = _case(api, tenant, "Dubbel")
    api.post(f"/api/v1/cases/{merged}/merge", json={"into": str(tenant.case.id)})
    landed = api.get(f"/cases/{merged}", follow_redirects=False)
    assert landed.status_code == 303 and landed.headers["location"] == f"/cases/{tenant.case.id}"


def test_merging_on_the_case_page(app_client, api, tenant):
    merged = _case(api, tenant, "Dubbele melding")
    page = api.get(f"/cases/{merged}").text
    assert 'id="merge"' in page and f'value="{tenant.case.id}"' in page
    form = {"into": str(tenant.case.id), "csrf": app_client.cookies.get("attent_csrf")}
    done = api.post(f"/cases/{merged}/merge", data=form, follow_redirects=True)
    assert done.status_code == 200 and "Samengevoegd" in done.text
    assert done.url.path == f"/cases/{tenant.case.id}"


def test_refusals(app_client, api, tenant, other_tenant):
    other = _case(api, tenant, "Ander")
    assert api.post(f"/api/v1/cases/{other}/merge", json={"into": other}).status_code == 422
    api.patch(f"/api/v1/cases/{other}", json={"status": "resolved"})
    api.patch(f"/api/v1/cases/{other}", json={"status": "closed"})
    closed = api.post(f"/api/v1/cases/{tenant.case.id}/merge", json={"into": other})
    assert closed.status_code == 409 and closed.json()["code"] == "merge_into_closed"
    theirs = Api(app_client, other_tenant.tokens["admin"])
    assert (
        theirs.post(
            f"/api/v1/cases/{other_tenant.case.id}/merge", json={"into": str(tenant.case.id)}
        ).status_code
        == 404
    )
    customer = api.post("/api/v1/customers", json={"name": "Iemand anders"}).json()
    foreign = api.post(
        "/api/v1/cases", json={"customer_id": customer["id"], "subject": "x", "team_id": str(tenant.team_id)}
    ).json()["id"]
    refused = api.post(f"/api/v1/cases/{foreign}/merge", json={"into": str(tenant.case.id)})
    assert refused.status_code == 409 and refused.json()["code"] == "merge_other_customer"
    assert api.get(f"/api/v1/cases/{foreign}").json()["merged_into_id"] is None


def test_a_merged_cases_attachments_move_to_the_kept_one(api, tenant):
    kept, merged = str(tenant.case.id), _case(api, tenant, "Foto van de schade")
    upload = api.post(
        f"/api/v1/cases/{merged}/attachments", files=[("files", ("bon.txt", b"bon", "text/plain"))]
    )
    assert upload.status_code == 201, upload.text
    assert api.post(f"/api/v1/cases/{merged}/merge", json={"into": kept}).status_code == 200
    names = [a["filename"] for a in api.get(f"/api/v1/cases/{kept}/attachments").json()]
    assert names == ["bon.txt"]
    assert api.get(f"/api/v1/cases/{merged}/attachments").json() == []
