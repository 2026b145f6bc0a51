"""Contacts and messages: logged on the case, with transcripts, reopening a resolved case."""

from datetime import timedelta

from attent.contacts.schemas import ContactCreate
from attent.contacts.service import log_contact


def test_log_a_call_with_its_transcript(api, tenant, clock):
    start = clock.now() - timedelta(minutes=10)
    body = {
        "channel": "phone",
        "direction": "inbound",
        "started_at": start.isoformat(),
        "ended_at": clock.now().isoformat(),
        "outcome": "resolved",
        "messages": [
            {"speaker": "customer", "text": "Mijn pakket is niet gekomen.", "at": start.isoformat()},
            {
                "speaker": "agent",
                "text": "Ik zoek het nu voor u op.",
                "at": (start + timedelta(seconds=30)).isoformat(),
            },
        ],
    }
    contact = api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json=body)
    assert contact.status_code == 201, contact.text
    assert contact.json()["agent_id"] == str(tenant.agent.id)
    [listed] = api.get(f"/api/v1/cases/{tenant.case.id}/contacts").json()["items"]
    assert [m["speaker"] for m in listed["messages"]] == ["customer", "agent"]
    assert (
        api.get(f"/api/v1/cases/{tenant.case.id}").json()["status"] == "open"
    )  # the first contact opens a new case


def test_outcome_and_end_go_together(api, tenant):
    response = api.post(
        f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "phone", "outcome": "dropped"}
    )
    assert response.status_code == 422
    assert "ended_at en outcome horen bij elkaar" in response.json()["errors"][0]["message"]


def test_end_a_running_contact(api, tenant, clock):
    contact = api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "chat"}).json()
    clock.advance(timedelta(minutes=4))
    ended = api.patch(f"/api/v1/contacts/{contact['id']}", json={"outcome": "dropped"}).json()
    assert ended["outcome"] == "dropped" and ended["ended_at"] == clock.now().isoformat().replace(
        "+00:00", "Z"
    )
    again = api.patch(f"/api/v1/contacts/{contact['id']}", json={"outcome": "resolved"})
    assert again.status_code == 409 and again.json()["code"] == "contact_ended"
    assert api.get(f"/api/v1/contacts/{contact['id']}").json()["outcome"] == "dropped"


def test_single_message_and_batch(api, tenant, clock):
    contact = api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "email"}).json()
    one = api.post(
        f"/api/v1/contacts/{contact['id']}/messages", json={"speaker": "customer", "text": "Hallo?"}
    )
    assert one.status_code == 201 and one.json()["items"][0]["at"] == clock.now().isoformat().replace(
        "+00:00", "Z"
    )
    batch = {"messages": [{"speaker": "agent", "text": f"regel {i}"} for i in range(3)]}
    assert len(api.post(f"/api/v1/contacts/{contact['id']}/messages", json=batch).json()["items"]) == 3
    empty = api.post(f"/api/v1/contacts/{contact['id']}/messages", json={"messages": []})
    assert empty.status_code == 422 and empty.json()["errors"][0]["path"] == ["body", "messages"]
    kinds = [e["kind"] for e in api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"]]
    assert kinds.count("message.added") == 4


def test_the_customer_coming_back_reopens_a_resolved_case(db, tenant, clock, api):
    api.patch(f"/api/v1/cases/{tenant.case.id}", json={"status": "resolved"})
    db.expire_all()
    log_contact(
        db=db, actor=tenant.agent, case_id=tenant.case.id, data=ContactCreate(channel="email"), at=clock.now()
    )
    db.commit()
    case = api.get(f"/api/v1/cases/{tenant.case.id}").json()
    assert case["status"] == "open"
    last = api.get(f"/api/v1/cases/{tenant.case.id}/timeline").json()["items"][-1]
    assert last["kind"] == "case.status_changed" and last["actor_kind"] == "system"
    assert last["data"]["reason"] == "customer contacted us again"


def test_closed_cases_take_no_more_contacts(api, tenant):
    api.patch(f"/api/v1/cases/{tenant.case.id}", json={"status": "resolved"})
    api.patch(f"/api/v1/cases/{tenant.case.id}", json={"status": "closed"})
    response = api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "phone"})
    assert response.status_code == 409 and response.json()["code"] == "case_closed"


def _paths(response):
    assert response.status_code == 422, response.text
    return {
        tuple(e["path"][1:] if e["path"][0] == "body" else e["path"]): e["message"]
        for e in response.json()["errors"]
    }


def test_a_contact_that_ends_before_it_starts_is_refused_naming_ended_at(api, tenant, clock):
    case = f"/api/v1/cases/{tenant.case.id}/contacts"
    backwards = {
        "channel": "phone",
        "started_at": clock.now().isoformat(),
        "ended_at": (clock.now() - timedelta(minutes=5)).isoformat(),
        "outcome": "resolved",
    }
    assert "kan niet eindigen voordat het begon" in _paths(api.post(case, json=backwards))[("ended_at",)]
    # without started_at the contact starts now, or earlier when its end or messages say so
    ended = {
        "channel": "phone",
        "ended_at": (clock.now() - timedelta(minutes=5)).isoformat(),
        "outcome": "resolved",
    }
    logged = api.post(case, json=ended)
    assert logged.status_code == 201 and logged.json()["started_at"] == logged.json()["ended_at"]
    running = api.post(case, json={"channel": "chat", "started_at": clock.now().isoformat()}).json()
    early = {"outcome": "resolved", "ended_at": (clock.now() - timedelta(seconds=1)).isoformat()}
    assert (
        "voordat het begon"
        in _paths(api.patch(f"/api/v1/contacts/{running['id']}", json=early))[("ended_at",)]
    )
    assert api.get(f"/api/v1/contacts/{running['id']}").json()["ended_at"] is None
    assert len(api.get(f"/api/v1/cases/{tenant.case.id}/contacts").json()["items"]) == 2


def test_messages_before_the_contact_started_or_a_day_ahead_are_refused(api, tenant, clock):
    start = clock.now() - timedelta(minutes=10)
    case = f"/api/v1/cases/{tenant.case.id}/contacts"
    body = {
        "channel": "phone",
        "started_at": start.isoformat(),
        "messages": [
            {"speaker": "customer", "text": "Hallo", "at": (start - timedelta(minutes=1)).isoformat()},
            {"speaker": "agent", "text": "Goedemorgen", "at": (clock.now() + timedelta(days=2)).isoformat()},
            {
                "speaker": "agent",
                "text": "Zo gezegd",
                "at": (clock.now() + timedelta(minutes=20)).isoformat(),
            },
        ],
    }
    errors = _paths(api.post(case, json=body))
    assert "Voordat het contact begon" in errors[("messages", 0, "at")]
    assert "In de toekomst" in errors[("messages", 1, "at")]
    assert ("messages", 2, "at") not in errors  # a clock a little ahead is not a mistake
    ahead = {"channel": "phone", "started_at": (clock.now() + timedelta(days=3)).isoformat()}
    assert "In de toekomst" in _paths(api.post(case, json=ahead))[("started_at",)]
    assert api.get(f"/api/v1/cases/{tenant.case.id}/contacts").json()["items"] == []

    contact = api.post(case, json={"channel": "email", "started_at": start.isoformat()}).json()
    url = f"/api/v1/contacts/{contact['id']}/messages"
    before = {"speaker": "customer", "text": "Hallo", "at": (start - timedelta(hours=1)).isoformat()}
    assert "Voordat het contact begon" in _paths(api.post(url, json=before))[("at",)]
    batch = {"messages": [{"speaker": "customer", "text": "Hoi"}, before]}
    assert ("messages", 1, "at") in _paths(api.post(url, json=batch))
    assert api.post(url, json={"speaker": "customer", "text": "Hallo"}).status_code == 201


def test_a_transcript_logged_afterwards_starts_with_its_first_message(api, tenant, clock):
    first = clock.now() - timedelta(minutes=12)
    body = {
        "channel": "phone",
        "messages": [{"speaker": "customer", "text": "Hallo", "at": first.isoformat()}],
    }
    contact = api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json=body)
    assert contact.status_code == 201, contact.text
    assert contact.json()["started_at"] == first.isoformat().replace("+00:00", "Z")


def test_a_contact_on_an_open_case_is_written_in_one_statement_on_postgresql(
    api, tenant, clock, database, queries_captured
):
    """The contact, its timeline event and the case's `updated_at` go in one statement (a CTE) on
    PostgreSQL, then the queue's key; SQLite takes the ORM's path. Either way the case, its timeline and the
    reply agree."""
    case_url = f"/api/v1/cases/{tenant.case.id}"
    first = {"channel": "phone", "direction": "inbound"}
    assert api.post(f"{case_url}/contacts", json=first).status_code == 201  # opens the new case
    clock.advance(timedelta(minutes=5))
    with queries_captured() as queries:
        reply = api.post(f"{case_url}/contacts", json={"channel": "chat", "direction": "outbound"})
    assert reply.status_code == 201, reply.text
    contact = reply.json()
    assert contact["channel"] == "chat" and contact["agent_id"] == str(tenant.agent.id)
    tables = ("contacts", "timeline_events", "UPDATE cases")  # not the token's last use, throttled apart
    writes = [q for q in queries if q.lstrip().upper().startswith(("INSERT", "UPDATE", "WITH"))]
    writes = [q for q in writes if any(t in q for t in tables)]
    # The queue's key `waiting_since` is rewritten from its definition after the write (a statement of
    # its own: inside the CTE its subquery would not see the new contact).
    keys = [q for q in writes if "waiting_since" in q]
    writes = [q for q in writes if "waiting_since" not in q]
    assert len(keys) == 1, keys
    if database.engine.dialect.name == "postgresql":
        assert len(writes) == 1 and writes[0].lstrip().upper().startswith("WITH"), writes
    events = api.get(f"{case_url}/timeline").json()["items"]
    logged = [e for e in events if e["kind"] == "contact.logged" and e["data"]["contact_id"] == contact["id"]]
    assert len(logged) == 1 and logged[0]["data"]["channel"] == "chat"
    case = api.get(case_url).json()
    assert case["updated_at"].startswith(clock.now().isoformat()[:19]) and case["status"] == "open"
    listed = api.get(f"{case_url}/contacts").json()["items"]
    assert [c["id"] for c in listed][-1] == contact["id"]
