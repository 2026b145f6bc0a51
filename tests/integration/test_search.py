"""Search from the header: stems and accents on both databases, tenancy, team visibility, notes kept
apart, escaped highlighting, bad input as text, and a page whose query count does not grow."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from attent.cases.schemas import CaseCreate
from attent.cases.service import add_note, create_case
from attent.contacts import Channel, ContactCreate, Direction, MessageIn, Speaker
from attent.contacts.service import log_contact
from attent.core.settings import Settings
from attent.customers.schemas import CustomerCreate
from attent.customers.service import create_customer
from attent.files.service import store_attachment
from attent.search import SearchKind
from attent.search.service import search
from tests.conftest import Api


def _say(db, actor, case, text, at):
    contact = ContactCreate(
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        started_at=at,
        messages=[MessageIn(speaker=Speaker.CUSTOMER, text=text, at=at)],
    )
    log_contact(db=db, actor=actor, case_id=case.id, data=contact, at=at)


def _case(db, tenant, clock, subject, *, description=None, team=None, customer=None):
    data = CaseCreate(
        customer_id=customer or tenant.customer.id,
        subject=subject,
        description=description,
        team_id=team or tenant.team_id,
    )
    return create_case(db=db, actor=tenant.agent, data=data, at=clock.now())


def _found(db, actor, q, kind=None):
    """{kind: [titles]} of what `actor` finds for `q`."""
    results = search(db=db, actor=actor, q=q, kind=kind, limit=20)
    return {g.kind: [hit.title for hit in g.items] for g in results.groups if g.items}


def _customer(db, tenant, clock, name, **details):
    return create_customer(
        db=db, actor=tenant.agent, at=clock.now(), data=CustomerCreate(name=name, **details)
    )


def test_dutch_and_english_word_forms_and_accents_find_each_other(db, tenant, clock):
    _case(db, tenant, clock, "Bestelling niet geleverd", description="De bezorger kwam niet.")
    _case(db, tenant, clock, "Orders arrive damaged")
    case = _case(db, tenant, clock, "Vraag over koffiebonen")
    _say(db, tenant.agent, case, "We zaten in het café op de hoek te wachten.", clock.now())
    db.commit()

    assert _found(db, tenant.agent, "bestellingen")[SearchKind.CASES] == ["Bestelling niet geleverd"]
    assert _found(db, tenant.agent, "order")[SearchKind.CASES] == ["Orders arrive damaged"]
    assert _found(db, tenant.agent, "cafe")[SearchKind.MESSAGES] == ["Vraag over koffiebonen"]
    assert _found(db, tenant.agent, "CAFÉ hoek")[SearchKind.MESSAGES] == ["Vraag over koffiebonen"]
    assert SearchKind.MESSAGES not in _found(db, tenant.agent, "cafe tram")  # every word must match


def test_customers_by_name_email_phone_in_any_notation_and_order_number_fragment(db, tenant, clock):
    _customer(db, tenant, clock, "José Pérez", email="jose.perez@example.nl", phone="+31 6 12345678")
    _customer(db, tenant, clock, "Anna de Wit", external_refs={"shop": "ORD-2026-88213"})
    db.commit()

    assert _found(db, tenant.agent, "jose")[SearchKind.CUSTOMERS] == ["José Pérez"]
    assert _found(db, tenant.agent, "Jose.Perez@Example.nl")[SearchKind.CUSTOMERS] == ["José Pérez"]
    for notation in ("06-12345678", "0612345678", "+31612345678", "0031 6 1234 5678"):
        assert _found(db, tenant.agent, notation)[SearchKind.CUSTOMERS] == ["José Pérez"], notation
    assert _found(db, tenant.agent, "88213")[SearchKind.CUSTOMERS] == ["Anna de Wit"]
    assert _found(db, tenant.agent, "2026-882")[SearchKind.CUSTOMERS] == ["Anna de Wit"]


def test_a_masked_email_address_is_found_only_whole_and_shown_masked(db, tenant, clock):
    # Kopje Koffie's verification asks for the e-mail address on file: finding it by its parts
    # ("jo", "jos", "jose.p"...) would spell out the answer that the mask hides.
    _customer(db, tenant, clock, "Meneer Jansen", email="kees.bakker@example.nl")
    db.commit()
    for part in ("kees.bak", "bakker@example", "kees", "example.nl"):
        assert "Meneer Jansen" not in _found(db, tenant.agent, part).get(SearchKind.CUSTOMERS, []), part
    [hit] = (
        search(db=db, actor=tenant.agent, q="kees.bakker@example.nl", kind=SearchKind.CUSTOMERS)
        .groups[0]
        .items
    )
    assert "kees.bakker@" not in hit.snippet and "@example.nl" in hit.snippet


def test_another_organisation_is_never_found(db, tenant, other_tenant, clock):
    _customer(
        db,
        other_tenant,
        clock,
        "Villa Gast",
        email="gast@villa.example",
        external_refs={"booking": "BK-7781"},
    )
    _case(
        db, other_tenant, clock, "Zwembad koud", team=other_tenant.team_id, customer=other_tenant.customer.id
    )
    db.commit()

    for q in ("Villa Gast", "gast@villa", "BK-7781", "7781", "zwembad", "Marieke"):
        for actor in (tenant.agent, tenant.admin):
            found = _found(db, actor, q)
            assert "Villa Gast" not in found.get(SearchKind.CUSTOMERS, []), q
            assert SearchKind.CASES not in found, q
    # The other organisation's own Marieke Visser is found only by them.
    [marieke] = search(db=db, actor=tenant.agent, q="Marieke", kind=SearchKind.CUSTOMERS).groups[0].items
    assert marieke.id == tenant.customer.id


def test_cases_of_another_team_stay_hidden_as_in_the_case_list(db, tenant, clock):
    case = _case(db, tenant, clock, "Retour van de stofzuiger", team=tenant.other_team_id)
    _say(db, tenant.admin, case, "De stofzuiger zuigt niet meer.", clock.now())
    add_note(db=db, actor=tenant.admin, case_id=case.id, text="Stofzuiger al eens vervangen.", at=clock.now())
    db.commit()

    assert _found(db, tenant.agent, "stofzuiger") == {}
    seen = _found(db, tenant.outsider, "stofzuiger")
    assert set(seen) == {SearchKind.CASES, SearchKind.MESSAGES, SearchKind.NOTES}


def test_notes_are_their_own_kind_and_never_among_the_messages(db, tenant, clock):
    _say(db, tenant.agent, tenant.case, "Waar blijft mijn pakket?", clock.now())
    add_note(
        db=db,
        actor=tenant.agent,
        case_id=tenant.case.id,
        text="Klant is boos, pakket ligt bij buren",
        at=clock.now(),
    )
    db.commit()

    results = search(db=db, actor=tenant.agent, q="buren", limit=10)
    kinds = {g.kind: g.items for g in results.groups if g.items}
    assert list(kinds) == [SearchKind.NOTES]
    assert kinds[SearchKind.NOTES][0].internal is True
    messages = search(db=db, actor=tenant.agent, q="pakket", kind=SearchKind.MESSAGES).groups[0].items
    assert [(m.snippet, m.internal) for m in messages] == [("Waar blijft mijn pakket?", False)]


def test_the_page_marks_matches_in_escaped_text(app_client, db, tenant, clock):
    case = _case(db, tenant, clock, "<b>Bestelling</b> & co")
    _say(db, tenant.agent, case, "<script>alert('bestelling')</script> graag snel", clock.now())
    db.commit()

    html = Api(app_client, tenant.tokens["agent"]).get("/search", params={"q": "bestellingen"}).text
    assert "<script>alert" not in html and "<b>Bestelling" not in html
    assert "&lt;b&gt;<mark>Bestelling</mark>&lt;/b&gt; &amp; co" in html
    assert "&lt;script&gt;alert(&#39;<mark>bestelling</mark>&#39;)&lt;/script&gt;" in html
    assert "Zoekresultaten voor" in html  # Dutch by default


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "'",
        "AND OR NOT",
        "bestelling NEAR(",
        "name:*",
        "%",
        "_",
        "50%_korting\\",
        "\\\\",
        "' OR 1=1 --",
        "(((",
        "-bestelling",
        "😀🎉 café ☕",
        "ß İ ﬁ",
        "a" * 2000,
        "woord " * 333,
    ],
)
def test_any_text_is_searched_as_text(app_client, tenant, q):
    api = Api(app_client, tenant.tokens["agent"])
    response = api.get("/api/v1/search", params={"q": q})
    assert response.status_code == 200, response.text
    assert api.get("/search", params={"q": q}).status_code == 200


def test_percent_and_underscore_are_literal_characters(db, tenant, clock):
    _customer(db, tenant, clock, "Procent Klant", external_refs={"shop": "50%_OFF"})
    _customer(db, tenant, clock, "Andere Klant", external_refs={"shop": "50XXOFF"})
    db.commit()
    assert _found(db, tenant.agent, "50%_off")[SearchKind.CUSTOMERS] == ["Procent Klant"]


def test_a_query_over_the_limit_is_refused_naming_the_limit_in_the_readers_language(app_client, tenant):
    api = Api(app_client, tenant.tokens["agent"])
    response = api.get("/api/v1/search", params={"q": "x" * 2001})
    assert response.status_code == 422
    assert "2000" in response.text and "zoekopdracht" in response.text.lower()
    page = api.get("/search", params={"q": "x" * 2001})
    assert page.status_code == 422 and "2000" in page.text


def test_the_api_groups_by_kind_and_a_cursor_continues_one_kind(app_client, db, tenant, clock):
    for i in range(7):
        _case(db, tenant, clock, f"Levering {i} te laat")
    db.commit()
    api = Api(app_client, tenant.tokens["agent"])

    first = api.get("/api/v1/search", params={"q": "levering", "limit": 4}).json()
    [cases] = [g for g in first["groups"] if g["kind"] == "cases"]
    assert len(cases["items"]) == 4 and cases["next_cursor"]
    assert cases["items"][0]["title_matches"] == [[0, 8]]
    rest = api.get(
        "/api/v1/search", params={"q": "levering", "limit": 4, "cursor": cases["next_cursor"]}
    ).json()
    assert [g["kind"] for g in rest["groups"]] == ["cases"]
    ids = {i["id"] for i in cases["items"]} | {i["id"] for i in rest["groups"][0]["items"]}
    assert len(ids) == 7 and rest["groups"][0]["next_cursor"] is None
    assert api.get("/api/v1/search", params={"q": "levering", "cursor": "nonsense"}).status_code == 422
    only = api.get("/api/v1/search", params={"q": "levering", "kind": "customers"}).json()
    assert [g["kind"] for g in only["groups"]] == ["customers"]


def test_the_search_page_costs_the_same_queries_however_much_it_finds(
    app_client, db, database, tenant, clock
):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    api = Api(app_client, tenant.tokens["agent"])

    def cost() -> int:
        seen.clear()
        assert api.get("/search", params={"q": "koffie"}).status_code == 200
        return len(seen)

    def add(start: int, n: int) -> None:
        for i in range(start, start + n):
            customer = _customer(
                db, tenant, clock, f"Koffie Liefhebber {i}", external_refs={"shop": f"K-{i}"}
            )
            case = _case(db, tenant, clock, f"Koffie {i}", customer=customer.id)
            _say(db, tenant.agent, case, f"Mijn koffie {i} is koud", clock.now() + timedelta(seconds=i))
            add_note(db=db, actor=tenant.agent, case_id=case.id, text=f"koffie {i}", at=clock.now())
        db.commit()

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        add(0, 1)
        cost()  # the token notes its first use
        before = cost()
        add(1, 6)
        assert cost() == before
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def test_every_agent_page_has_the_search_box(app_client, tenant):
    html = Api(app_client, tenant.tokens["agent"]).get("/").text
    assert 'role="search"' in html and 'action="/search"' in html and 'name="q"' in html


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_attachments_by_file_name_only_on_cases_the_agent_may_work(db, tenant, clock, tmp_path):
    settings = Settings(files_dir=tmp_path / "files", max_file_bytes=64 * 1024, max_message_bytes=100 * 1024)
    hidden = _case(db, tenant, clock, "Retour", team=tenant.other_team_id)
    for case_id, name in [(tenant.case.id, "Factuur-2026-0042.pdf"), (hidden.id, "Factuur-geheim.pdf")]:
        store_attachment(
            db, org_id=tenant.organisation_id, case_id=case_id, filename=name, data=PDF,
            clock=clock, settings=settings, agent=tenant.admin,
        )  # fmt: skip
    db.commit()

    assert _found(db, tenant.agent, "factuur pdf") == {SearchKind.ATTACHMENTS: ["Factuur-2026-0042.pdf"]}
    assert _found(db, tenant.agent, "2026-004")[SearchKind.ATTACHMENTS] == ["Factuur-2026-0042.pdf"]
    assert sorted(_found(db, tenant.outsider, "factuur")[SearchKind.ATTACHMENTS]) == ["Factuur-geheim.pdf"]
    [hit] = search(db=db, actor=tenant.agent, q="factuur", kind=SearchKind.ATTACHMENTS).groups[0].items
    assert hit.case_id == tenant.case.id and hit.title_matches == [(0, 7)]
