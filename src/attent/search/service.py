"""Search: customers, cases, messages and notes an agent may see, best first, one query per kind.

PostgreSQL matches the generated `search_vector` columns (migration 0030) with `attent_dutch` and
`attent_english` (unaccent + stemmer) and fragments through trigram indexes; SQLite matches its FTS5
tables of stemmed words. Cases, messages and notes are restricted the way the case list restricts
them (`cases.service.visible_to`); customers belong to the whole organisation, and the details that
answer a verification question are found only by their whole value and shown masked, as the
customer list does.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    true,
    union_all,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause

from attent.agents import Agent
from attent.cases import Case, Note
from attent.cases.service import visible_to
from attent.contacts import Message
from attent.customers import Customer, CustomerRef
from attent.customers.service import hidden_details, read_customers
from attent.files import Attachment
from attent.search.highlight import Needle, snippet, spans
from attent.search.query import Query, decode_cursor, encode_cursor, read_query
from attent.search.schemas import MAX_LIMIT, Hit, HitGroup, SearchKind, SearchResults

# The digits of a stored phone number; the same expression as the trigram index of migration 0030.
PHONE_DIGITS: ColumnElement[str] = literal_column(
    "replace(replace(replace(replace(replace(replace(replace(coalesce(customers.phone, ''),"
    " ' ', ''), '-', ''), '+', ''), '(', ''), ')', ''), '.', ''), '/', '')"
)
# The matches ranked per kind and query. A common word is in tens of thousands of messages and a common
# surname in thousands of names; ranking them all costs more than the agent gains from the 201st best.
CANDIDATES = 200


def _postgres(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def _vector(name: str) -> ColumnElement[Any]:
    return literal_column(f"{name}.search_vector")


def _tsquery(q: Query) -> ColumnElement[Any]:
    """Dutch or English stems of every word, accents ignored (the text is words only, never syntax)."""
    return func.plainto_tsquery(literal_column("'attent_dutch'::regconfig"), q.plain).op("||")(
        func.plainto_tsquery(literal_column("'attent_english'::regconfig"), q.plain)
    )


def _fts(name: str, *columns: str) -> TableClause:
    return table(name, column("organisation_id"), column("id"), *(column(c) for c in columns))


def _match(fts: TableClause, q: Query, *, prefix: bool) -> ColumnElement[bool]:
    return literal_column(fts.name).op("MATCH")(q.fts5(prefix=prefix))


def _fts_score(fts: TableClause, *weights: float) -> ColumnElement[Any]:
    """bm25 (lower is better, below zero) turned into a score between 0 and 1, higher is better."""
    bm25 = -func.bm25(literal_column(fts.name), *weights)
    return bm25 / (1.0 + bm25)


# ---------------------------------------------------------------------------------------------- customers

# SQLite: a trigram FTS5 table of each customer's name, e-mail address and phone digits (migration
# 0073), so a part of one is an index lookup, not a LIKE over every customer of the organisation.
PARTS = "search_customer_parts"


def _in_column(parts: TableClause, name: str, text: str) -> ColumnElement[bool]:
    """The text, as typed, anywhere in one column: an FTS5 phrase (quotes doubled, so never syntax),
    which the trigram tokenizer matches as a part of the value, case-blind; three characters or more."""
    phrase = '"' + text.replace('"', '""') + '"'
    return literal_column(parts.name).op("MATCH")(f"{{{name}}} : {phrase}")


def _part_of(parts: TableClause, org: Any, score: Any, found: ColumnElement[bool]) -> Select[Any]:
    on = and_(parts.c.organisation_id == Customer.organisation_id, parts.c.id == Customer.id)
    return (
        select(Customer.id.label("id"), score)
        .join_from(parts, Customer, on)
        .where(Customer.organisation_id == org, found)
    )


def _customer_ids(db: Session, actor: Agent, q: Query, offset: int, limit: int) -> list[Any]:
    org = actor.organisation_id
    hidden = hidden_details(db=db, organisation_id=org)
    branches: list[Select[*tuple[Any, ...]]] = []
    if q.words:
        if _postgres(db):
            tsq = func.to_tsquery(literal_column("'attent_simple'::regconfig"), q.prefix_tsquery)
            rank = 1.0 + func.ts_rank(_vector("customers"), tsq)
            branches.append(
                select(Customer.id.label("id"), rank.label("score")).where(
                    Customer.organisation_id == org, _vector("customers").op("@@")(tsq)
                )
            )
        else:
            fts = _fts("search_customers", "name")
            on = and_(fts.c.organisation_id == Customer.organisation_id, fts.c.id == Customer.id)
            branches.append(
                select(Customer.id.label("id"), (1.0 + _fts_score(fts)).label("score"))
                .join_from(fts, Customer, on)
                .where(Customer.organisation_id == org, _match(fts, q, prefix=True))
            )
    parts = None if _postgres(db) else _fts(PARTS, "name", "email", "phone")
    if q.fragment:
        # ILIKE without wildcards is a case-blind equality the trigram indexes serve, as lower() = would not.
        whole_email = Customer.email.ilike(q.exact, escape="\\")
        exact_email = func.lower(Customer.email) == q.lowered
        email_score = case((exact_email, 3.0), else_=1.5).label("score")
        if hidden.hides_email and "@" in q.text:  # a whole address has an @
            branches.append(
                select(Customer.id.label("id"), email_score).where(
                    Customer.organisation_id == org, whole_email
                )
            )
        elif not hidden.hides_email and parts is not None:
            branches.append(_part_of(parts, org, email_score, _in_column(parts, "email", q.lowered)))
        elif not hidden.hides_email:
            email = Customer.email.ilike(q.fragment, escape="\\")
            branches.append(
                select(Customer.id.label("id"), email_score).where(Customer.organisation_id == org, email)
            )
        name_score = literal(1.0).label("score")
        if parts is not None:
            branches.append(_part_of(parts, org, name_score, _in_column(parts, "name", q.lowered)))
        else:
            branches.append(
                select(Customer.id.label("id"), name_score).where(
                    Customer.organisation_id == org, Customer.name.ilike(q.fragment, escape="\\")
                )
            )
        hidden_systems = [
            s.removeprefix("customer.refs.") for s in hidden.sources if s.startswith("customer.refs.")
        ]
        fragment: ColumnElement[bool] = CustomerRef.value.ilike(q.fragment, escape="\\")
        if hidden_systems:
            fragment = and_(fragment, CustomerRef.system.not_in(hidden_systems))
        whole_ref = CustomerRef.value.ilike(q.exact, escape="\\")
        exact_ref = func.lower(CustomerRef.value) == q.lowered
        branches.append(
            select(
                CustomerRef.customer_id.label("id"), case((exact_ref, 3.0), else_=2.0).label("score")
            ).where(CustomerRef.organisation_id == org, or_(fragment, whole_ref))
        )
    if q.phone and (q.whole_phone or not hidden.hides_phone):
        pattern = f"%{q.phone}" if hidden.hides_phone else f"%{q.phone}%"  # digits only: no escaping
        phone_score = literal(2.5).label("score")
        if parts is not None:  # the trigram index answers LIKE on its columns
            branches.append(_part_of(parts, org, phone_score, parts.c.phone.like(pattern)))
        else:
            branches.append(
                select(Customer.id.label("id"), phone_score).where(
                    Customer.organisation_id == org, PHONE_DIGITS.like(pattern)
                )
            )
    if q.id:
        branches.append(
            select(Customer.id.label("id"), literal(4.0).label("score")).where(
                Customer.organisation_id == org, Customer.id == q.id
            )
        )
    if not branches:
        return []
    bounded = [select(*b.limit(CANDIDATES).subquery().c) for b in branches]
    found = union_all(*bounded).subquery()
    best = func.max(found.c.score)
    # A customer merged into another is found by what it was known by, and lands on the one kept.
    kept = func.coalesce(Customer.merged_into_id, found.c.id)
    on = and_(Customer.organisation_id == org, Customer.id == found.c.id)
    query = (
        select(kept).join_from(found, Customer, on).group_by(kept).order_by(best.desc(), kept)
        .offset(offset).limit(limit)
    )  # fmt: skip
    return list(db.scalars(query))


def _customers(db: Session, actor: Agent, q: Query, needle: Needle, offset: int, limit: int) -> list[Hit]:
    ids = _customer_ids(db, actor, q, offset, limit)
    if not ids:
        return []
    rows = db.scalars(
        select(Customer).where(Customer.organisation_id == actor.organisation_id, Customer.id.in_(ids))
    )
    views = {view.id: view for view in read_customers(db=db, customers=list(rows))}
    hits = []
    for customer_id in ids:
        view = views[customer_id]
        details = [
            view.email,
            view.phone,
            *(f"{system} {value}" for system, value in view.external_refs.items()),
        ]
        text = " · ".join(d for d in details if d)
        hits.append(
            Hit(
                kind=SearchKind.CUSTOMERS,
                id=view.id,
                customer_id=view.id,
                title=view.name,
                title_matches=spans(view.name, needle),
                snippet=text,
                snippet_matches=spans(text, needle),
            )
        )
    return hits


# -------------------------------------------------------------------------------------------------- cases


def _cases(db: Session, actor: Agent, q: Query, needle: Needle, offset: int, limit: int) -> list[Hit]:
    columns = (Case.id, Case.customer_id, Case.subject, Case.description, Case.updated_at)
    query: Select[*tuple[Any, ...]]
    if q.id:  # a case's id: its reference until cases have a reference number of their own
        query = select(*columns, literal(2.0).label("score")).where(Case.id == q.id)
    elif q.words and _postgres(db):
        tsq = _tsquery(q)
        score = func.ts_rank(_vector("cases"), tsq)
        query = select(*columns, score.label("score")).where(_vector("cases").op("@@")(tsq))
    elif q.words:
        fts = _fts("search_cases", "subject", "description")
        on = and_(fts.c.organisation_id == Case.organisation_id, fts.c.id == Case.id)
        query = (
            select(*columns, _fts_score(fts, 10.0, 1.0).label("score"))
            .join_from(fts, Case, on)
            .where(_match(fts, q, prefix=False))
        )
    else:
        return []
    query = visible_to(query.where(Case.organisation_id == actor.organisation_id), actor)
    found = query.limit(CANDIDATES).subquery()  # "bestelling" is in every other subject: rank a bounded set
    ranked = select(found).order_by(found.c.score.desc(), found.c.updated_at.desc(), found.c.id)
    hits = []
    for row in db.execute(ranked.offset(offset).limit(limit)):
        text, matches = snippet(row.description or "", spans(row.description or "", needle))
        hits.append(
            Hit(
                kind=SearchKind.CASES,
                id=row.id,
                case_id=row.id,
                customer_id=row.customer_id,
                title=row.subject,
                title_matches=spans(row.subject, needle),
                snippet=text,
                snippet_matches=matches,
                at=row.updated_at,
            )
        )
    return hits


# -------------------------------------------------------------------------------------- messages and notes


def _texts(kind: SearchKind) -> Callable[[Session, Agent, Query, Needle, int, int], list[Hit]]:
    """The searcher of messages or of notes: the same query on another table."""
    model: Any = Message if kind is SearchKind.MESSAGES else Note
    name = model.__tablename__
    at = Message.at if kind is SearchKind.MESSAGES else Note.created_at

    def search_texts(
        db: Session, actor: Agent, q: Query, needle: Needle, offset: int, limit: int
    ) -> list[Hit]:
        if not q.words:
            return []
        on_case = and_(Case.organisation_id == model.organisation_id, Case.id == model.case_id)
        columns = (model.id, model.case_id, model.text, at.label("at"), Case.subject, Case.customer_id)
        if _postgres(db):
            # Each match looks its case up by primary key (a lateral subquery, fenced by OFFSET 0 so the
            # planner keeps it a nested loop): PostgreSQL misjudges how many texts a word matches and
            # would otherwise hash all the organisation's visible cases for every search.
            visible_case = (
                visible_to(select(Case.subject, Case.customer_id).where(on_case), actor).offset(0).lateral()
            )
            tsq = _tsquery(q)
            inner = (
                select(
                    model.id,
                    model.case_id,
                    model.text,
                    at.label("at"),
                    visible_case.c.subject,
                    visible_case.c.customer_id,
                    func.ts_rank(_vector(name), tsq).label("score"),
                )
                .select_from(model)
                .join(visible_case, true())
                .where(model.organisation_id == actor.organisation_id, _vector(name).op("@@")(tsq))
            )
        else:
            fts = _fts(f"search_{name}", "text")
            on = and_(fts.c.organisation_id == model.organisation_id, fts.c.id == model.id)
            inner = (
                select(*columns, _fts_score(fts).label("score"))
                .select_from(fts)
                .join(model, on)
                .join(Case, on_case)
                .where(_match(fts, q, prefix=False))
            )
            inner = visible_to(inner.where(model.organisation_id == actor.organisation_id), actor)
        # Rank a bounded set: "pakket" may be in a hundred thousand messages, and ranking them all
        # costs more than the agent gains from the 1,001st best being considered.
        found = inner.limit(CANDIDATES).subquery()
        query = select(found).order_by(found.c.score.desc(), found.c.at.desc(), found.c.id)
        hits = []
        for row in _by_index(db, query.offset(offset).limit(limit)):
            text, matches = snippet(row.text, spans(row.text, needle))
            hits.append(
                Hit(
                    kind=kind,
                    id=row.id,
                    case_id=row.case_id,
                    customer_id=row.customer_id,
                    title=row.subject,
                    title_matches=spans(row.subject, needle),
                    snippet=text,
                    snippet_matches=matches,
                    at=row.at,
                    internal=kind is SearchKind.NOTES,
                )
            )
        return hits

    return search_texts


# ------------------------------------------------------------------------------------------- attachments


def _attachments(db: Session, actor: Agent, q: Query, needle: Needle, offset: int, limit: int) -> list[Hit]:
    """Attachments by file name: the query as a part of the name, or every word of it somewhere in it."""
    if not q.fragment and not q.words:
        return []
    name = Attachment.filename
    found: list[ColumnElement[bool]] = [name.ilike(q.fragment, escape="\\")] if q.fragment else []
    if q.words:  # "factuur pdf" finds "Factuur-2026.pdf"; words are letters and digits, safe in LIKE
        found.append(and_(*(name.ilike(f"%{word}%") for word in q.words)))
    on_case = and_(Case.organisation_id == Attachment.organisation_id, Case.id == Attachment.case_id)
    query = (
        select(
            Attachment.id,
            Attachment.case_id,
            name,
            Attachment.note_id,
            Attachment.created_at,
            Case.subject,
            Case.customer_id,
        )
        .join(Case, on_case)
        .where(Attachment.organisation_id == actor.organisation_id, Attachment.inline.is_(False), or_(*found))
    )
    bounded = visible_to(query, actor).limit(CANDIDATES).subquery()
    exact = case((func.lower(bounded.c.filename) == q.lowered, 1), else_=0)
    ranked = select(bounded).order_by(exact.desc(), bounded.c.created_at.desc(), bounded.c.id)
    hits = []
    for row in db.execute(ranked.offset(offset).limit(limit)):
        hits.append(
            Hit(
                kind=SearchKind.ATTACHMENTS,
                id=row.id,
                case_id=row.case_id,
                customer_id=row.customer_id,
                title=row.filename,
                title_matches=spans(row.filename, needle),
                snippet=row.subject,
                snippet_matches=spans(row.subject, needle),
                at=row.created_at,
                internal=row.note_id is not None,
            )
        )
    return hits


def _by_index(db: Session, query: Select[*tuple[Any, ...]]) -> list[Any]:
    """Rows of a query that must find its texts through the GIN index.

    Under a LIMIT, PostgreSQL bets that reading the table from the start finds enough matches soon, and
    with a word rarer than its statistics say it reads a million messages (a second, not 10 ms). No
    hint syntax exists; switching sequential scans off for this one statement is the plain way.
    """
    if not _postgres(db):
        return list(db.execute(query))
    db.execute(sql_text("SET LOCAL enable_seqscan = off"))
    try:
        return list(db.execute(query))
    finally:
        db.execute(sql_text("RESET enable_seqscan"))


Searcher = Callable[[Session, Agent, Query, Needle, int, int], list[Hit]]
# One searcher per kind, in the order the page shows them.
SEARCHERS: dict[SearchKind, Searcher] = {
    SearchKind.CUSTOMERS: _customers,
    SearchKind.CASES: _cases,
    SearchKind.MESSAGES: _texts(SearchKind.MESSAGES),
    SearchKind.NOTES: _texts(SearchKind.NOTES),
    SearchKind.ATTACHMENTS: _attachments,
}


def search(
    *,
    db: Session,
    actor: Agent,
    q: str,
    kind: SearchKind | None = None,
    limit: int = 5,
    cursor: str | None = None,
) -> SearchResults:
    """What the agent may see that matches `q`, grouped by kind, best first; a cursor continues one kind."""
    query = read_query(q)
    offset = 0
    if cursor:
        kind, offset = decode_cursor(cursor)
    limit = max(1, min(limit, MAX_LIMIT))
    groups = []
    if not query.empty:
        needle = Needle.of(query.text)
        for each in [kind] if kind else list(SEARCHERS):
            found = SEARCHERS[each](db, actor, query, needle, offset, limit + 1)
            more = encode_cursor(each, offset + limit) if len(found) > limit else None
            groups.append(HitGroup(kind=each, items=found[:limit], next_cursor=more))
    return SearchResults(query=query.text, groups=groups)
