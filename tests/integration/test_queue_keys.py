"""The queue's sort keys on the case row (`waiting_since`, `next_promise_due`) never go stale: after many
operations of every kind that can change them, each case's stored value equals its definition."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from attent.cases import Case
from attent.contacts import Channel, record_customer_message
from attent.contacts.service import reply_by_email, waiting_since
from attent.promises.jobs import advance_due_promises
from attent.promises.next_due import next_due


def _case(api, tenant, subject):
    body = {"customer_id": str(tenant.customer.id), "subject": subject, "team_id": str(tenant.team_id)}
    response = api.post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _say(api, case_id, speaker, channel="chat", direction="inbound"):
    body = {"channel": channel, "direction": direction, "messages": [{"speaker": speaker, "text": "Hallo"}]}
    response = api.post(f"/api/v1/cases/{case_id}/contacts", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _promise(api, case_id, due):
    body = {"kind": "callback", "due_at": due.isoformat()}
    response = api.post(f"/api/v1/cases/{case_id}/promises", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _stored_and_defined(db, organisation_id):
    db.expire_all()
    query = select(
        Case.id,
        Case.waiting_since,
        waiting_since(organisation_id),
        Case.next_promise_due,
        next_due(organisation_id),
    ).where(Case.organisation_id == organisation_id)
    return {row[0]: tuple(row[1:]) for row in db.execute(query)}


def test_the_stored_keys_equal_their_definition_after_many_operations(api, tenant, clock, db, database):
    t0 = clock.now()
    cases = [str(tenant.case.id)] + [_case(api, tenant, f"Zaak {i}") for i in range(5)]
    a, b, c, d, e, f = cases
    _say(api, a, "customer")  # a waits
    clock.advance(timedelta(minutes=5))
    _say(api, b, "customer")
    clock.advance(timedelta(minutes=5))
    _say(api, b, "agent")  # b was answered
    contact = _say(api, c, "customer")
    clock.advance(timedelta(minutes=1))
    added = api.post(
        f"/api/v1/contacts/{contact['id']}/messages", json={"speaker": "agent", "text": "Ik kijk even"}
    )
    assert added.status_code == 201, added.text
    clock.advance(timedelta(minutes=1))
    _say(api, c, "customer")  # c waits again, since this message
    _say(api, d, "customer")
    clock.advance(timedelta(minutes=1))
    called = api.post(f"/api/v1/cases/{d}/contacts", json={"channel": "phone", "direction": "outbound"})
    assert called.status_code == 201, called.text  # a call back answers d, without a word written
    record_customer_message(
        db=db, case=db.get(Case, (tenant.organisation_id, uuid.UUID(e))),
        channel=Channel.WEB_FORM, text="Via het formulier", at=clock.now(),
    )  # fmt: skip
    clock.advance(timedelta(minutes=1))
    reply_by_email(db=db, actor=tenant.agent, case_id=uuid.UUID(e), text="Antwoord", at=clock.now())
    kept = _promise(api, a, t0 + timedelta(hours=2))
    _promise(api, a, t0 + timedelta(hours=5))
    cancelled = _promise(api, b, t0 + timedelta(hours=1))
    _promise(api, c, t0 + timedelta(minutes=40))  # this one breaks when the worker runs
    _promise(api, f, t0 + timedelta(days=2))
    assert api.post(f"/api/v1/promises/{kept}/keep", json={}).status_code == 200
    assert (
        api.post(f"/api/v1/promises/{cancelled}/cancel", json={"reason": "niet meer nodig"}).status_code
        == 200
    )
    _say(api, f, "customer")
    assert api.post(f"/api/v1/cases/{f}/merge", json={"into": a}).status_code == 200
    clock.advance(timedelta(hours=2))
    advance_due_promises(database=database, now=clock.now())
    advance_due_promises(database=database, now=clock.now())

    found = _stored_and_defined(db, tenant.organisation_id)
    assert found and all(w == w_def and n == n_def for w, w_def, n, n_def in found.values()), found
    ids = {str(k): v for k, v in found.items()}
    assert ids[b][0] is None and ids[d][0] is None and ids[e][0] is None  # answered
    assert ids[a][0] is not None and ids[c][0] is not None  # still waiting (f's message came along to a)
    assert ids[a][2] == t0 + timedelta(hours=5)  # the kept one no longer counts, f's moved to a: 2 days
    assert ids[c][2] is None and ids[f][2] is None  # broken by the worker; merged away


def test_the_nulls_last_sorts_page_through_every_case_once(api, tenant, clock):
    t0 = clock.now()
    made = [_case(api, tenant, f"Zaak {i}") for i in range(7)]
    for i, case_id in enumerate(made[:4]):
        _promise(api, case_id, t0 + timedelta(hours=4 - i))
    seen, cursor = [], None
    while True:
        params = {"sort": "promise_due", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/cases", params=params).json()
        seen += [c["id"] for c in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen[:4] == made[:4][::-1]  # the soonest promise first
    assert sorted(seen) == sorted([*made, str(tenant.case.id)]) and len(seen) == 8
    assert seen[4:] == sorted(seen[4:])  # then the cases without one, by id
