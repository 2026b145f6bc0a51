"""Merging two customers (the same person under two addresses): every row of the one points at the other.

The merge is table-driven (`customers.merging`): the test looks in every table with a `customer_id`
column for rows of the merged customer, and finds only the pointer's own record.
"""

import uuid

from sqlalchemy import select

from attent.customers.merging import tables_with_customer_rows
from attent.models import Base
from tests.conftest import Api


def _customer(api, name, email, **extra):
    response = api.post("/api/v1/customers", json={"name": name, "email": email, **extra})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _case(api, tenant, customer_id, subject):
    body = {"customer_id": customer_id, "subject": subject, "team_id": str(tenant.team_id)}
    response = api.post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _two_of_one_person(api, tenant):
    kept = _customer(
        api, "Marieke Visser", "marieke@example.org", phone="+31612345678",
        external_refs={"shop": "K-1001"}, facts={"drink": {"value": "thee", "consent": "webform"}},
    )  # fmt: skip
    merged = _customer(
        api, "M. Visser", "m.visser@werk.example.nl",
        external_refs={"shop": "K-2002", "booking": "B-77"},
        facts={"drink": {"value": "koffie", "consent": "telefoon"},
               "pet": {"value": "kat", "consent": "chat"}},
    )  # fmt: skip
    return kept, merged


def test_merge_moves_cases_refs_facts_and_keeps_both_addresses(api, tenant, db):
    kept, merged = _two_of_one_person(api, tenant)
    case = _case(api, tenant, merged, "Bestelling kwijt")
    contact = api.post(
        f"/api/v1/cases/{case}/contacts",
        json={"channel": "email", "messages": [{"speaker": "customer", "text": "Waar blijft het?"}]},
    )
    assert contact.status_code == 201, contact.text
    promise = api.post(
        f"/api/v1/cases/{case}/promises", json={"kind": "callback", "due_at": "2026-11-23T15:00:00Z"}
    )
    assert promise.status_code == 201, promise.text
    response = api.post(f"/api/v1/customers/{merged}/merge", json={"into": kept})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (
        body["id"] == kept and body["email"] == "m••••@example.org"
    )  # kept's own (masked: a verification answer)
    assert body["external_refs"] == {"shop": "K-1001", "booking": "B-77"}  # the kept one's shop ref stays
    assert body["facts"]["drink"]["value"] == "thee" and body["facts"]["pet"]["value"] == "kat"
    assert api.get(f"/api/v1/cases/{case}").json()["customer_id"] == kept
    assert api.get(f"/api/v1/promises/{promise.json()['id']}").json()["customer_id"] == kept
    pointer = api.get(f"/api/v1/customers/{merged}").json()
    assert pointer["merged_into_id"] == kept and pointer["email"].endswith("@werk.example.nl")
    # Both addresses and the reference left on the pointer find the kept customer.
    for query in (
        {"q": "m.visser@werk.example.nl"},
        {"q": "marieke@example.org"},
        {"external_ref": "shop:K-2002"},
    ):
        found = api.get("/api/v1/customers", params=query).json()["items"]
        assert [c["id"] for c in found] == [kept], query
    hits = api.get("/api/v1/search", params={"q": "m.visser@werk.example.nl", "kind": "customers"}).json()
    assert [h["id"] for g in hits["groups"] for h in g["items"]] == [kept]
    # Nothing anywhere still belongs to the merged customer but its own pointer record.
    for name in tables_with_customer_rows():
        table = Base.metadata.tables[name]
        rows = db.execute(select(table).where(table.c.customer_id == uuid.UUID(merged))).mappings().all()
        kinds = [row.get("kind") for row in rows]
        assert kinds == (["customer.merged_into"] if name == "timeline_events" else []), name


def test_the_merge_is_on_the_record_and_the_page_lands_on_the_kept_one(api, tenant, db):
    kept, merged = _two_of_one_person(api, tenant)
    merging = api.post(f"/api/v1/customers/{merged}/merge", json={"into": kept})
    assert merging.status_code == 200, merging.text
    table = Base.metadata.tables["timeline_events"]
    [record] = db.execute(
        select(table).where(table.c.customer_id == uuid.UUID(kept), table.c.kind == "customer.merged")
    ).mappings()
    assert record["data"]["from"] == merged and record["data"]["email"] == "m.visser@werk.example.nl"
    assert record["data"]["refs_left"] == ["shop"]
    landed = api.get(f"/customers/{merged}", follow_redirects=False)
    assert landed.status_code == 303 and landed.headers["location"] == f"/customers/{kept}"
    page = api.get(f"/customers/{kept}").text
    assert "M. Visser · m••••@werk.example.nl" in page and "Samengevoegd met deze klant" in page


def test_case_merge_works_across_the_former_customers(api, tenant):
    kept, merged = _two_of_one_person(api, tenant)
    first, second = _case(api, tenant, kept, "Eerste"), _case(api, tenant, merged, "Tweede")
    refused = api.post(f"/api/v1/cases/{second}/merge", json={"into": first})
    assert refused.status_code == 409 and refused.json()["code"] == "merge_other_customer"
    assert api.post(f"/api/v1/customers/{merged}/merge", json={"into": kept}).status_code == 200
    assert api.post(f"/api/v1/cases/{second}/merge", json={"into": first}).status_code == 200


def test_mail_from_the_second_address_lands_on_the_kept_customer(api, tenant, db):
    from attent.customers.service import find_by_email, find_or_add_by_email

    kept, merged = _two_of_one_person(api, tenant)
    api.post(f"/api/v1/customers/{merged}/merge", json={"into": kept})
    org = tenant.organisation_id
    assert str(find_by_email(db=db, organisation_id=org, email="M.Visser@werk.example.nl").id) == kept
    found, new = find_or_add_by_email(
        db=db, organisation_id=org, email="m.visser@werk.example.nl", name="M", language="nl",
        at=tenant.case.created_at,
    )  # fmt: skip
    assert str(found.id) == kept and not new


def test_refusals(app_client, api, tenant, other_tenant):
    kept, merged = _two_of_one_person(api, tenant)
    itself = api.post(f"/api/v1/customers/{kept}/merge", json={"into": kept})
    assert itself.status_code == 422 and itself.json()["code"] == "merge_into_itself"
    theirs = api.post(f"/api/v1/customers/{merged}/merge", json={"into": str(other_tenant.customer.id)})
    assert theirs.status_code == 404
    other_api = Api(app_client, other_tenant.tokens["admin"])
    assert other_api.post(f"/api/v1/customers/{other_tenant.customer.id}/merge",
                          json={"into": kept}).status_code == 404  # fmt: skip
    assert api.post(f"/api/v1/customers/{merged}/merge", json={"into": kept}).status_code == 200
    again = api.post(f"/api/v1/customers/{merged}/merge", json={"into": kept})
    assert again.status_code == 409 and again.json()["code"] == "customer_already_merged"
    assert api.get("/api/v1/customers", params={"q": "Visser"}).json()["items"][0]["id"] == kept


def test_merging_on_the_customer_page(app_client, api, tenant):
    kept, merged = _two_of_one_person(api, tenant)
    page = api.get(f"/customers/{merged}").text
    assert 'id="merge"' in page and f'<option value="{kept}">Marieke Visser</option>' in page
    csrf = app_client.cookies.get("attent_csrf")
    refused = api.post(f"/customers/{merged}/merge", data={"into_id": f"/customers/{merged}", "csrf": csrf})
    assert refused.status_code == 422 and "niet met zichzelf" in refused.text
    done = api.post(f"/customers/{merged}/merge", data={"into": kept, "csrf": csrf}, follow_redirects=True)
    assert done.status_code == 200 and done.url.path == f"/customers/{kept}"
    assert "Samengevoegd met deze klant" in done.text and "M. Visser" in done.text


def test_erasing_the_kept_customer_erases_the_merged_one_too(api, admin_api, tenant, db):
    import json

    kept, merged = _two_of_one_person(api, tenant)
    assert api.post(f"/api/v1/customers/{merged}/merge", json={"into": kept}).status_code == 200
    erased = admin_api.post(f"/api/v1/customers/{kept}/erase", json={"confirmation": "Marieke Visser"})
    assert erased.status_code == 200, erased.text
    for table in Base.metadata.sorted_tables:
        for row in db.execute(select(table)).mappings():
            text = json.dumps(dict(row), default=str).lower()
            assert "werk.example.nl" not in text and "k-2002" not in text, table.name


def test_a_case_opened_for_the_merged_customer_goes_to_the_kept_one(api, tenant):
    kept, merged = _two_of_one_person(api, tenant)
    assert api.post(f"/api/v1/customers/{merged}/merge", json={"into": kept}).status_code == 200
    case = _case(api, tenant, merged, "Via een oude koppeling")
    assert api.get(f"/api/v1/cases/{case}").json()["customer_id"] == kept


def test_a_signal_by_a_reference_left_on_the_pointer_finds_the_kept_customer(api, admin_api, tenant):
    kept, merged = _two_of_one_person(api, tenant)
    assert api.post(f"/api/v1/customers/{merged}/merge", json={"into": kept}).status_code == 200
    signal = {
        "type": "delivery.failed", "customer_ref": {"system": "shop", "value": "K-2002"},
        "occurred_at": "2026-11-23T08:30:00+01:00", "attributes": {}, "external_id": "ev-merged",
    }  # fmt: skip
    response = admin_api.post("/api/v1/signals", json=signal)
    assert response.status_code == 202, response.text
    assert response.json()["items"][0]["customer_id"] == kept
