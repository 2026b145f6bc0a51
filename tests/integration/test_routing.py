"""What an agent's pages and API ask of the database names the organisation: every query routes.

On Citus every organisation table is distributed by `organisation_id`. A query that names the
organisation as a constant for each table it reads (directly, or through an `organisation_id` join to a
table that does) goes to one shard; one that joins by another column alone, or correlates a subquery
without it, is refused ("complex joins are only supported when all distributed tables are co-located").
This reads the SQL a walk through the workspace sends and checks each statement, on both databases.
"""

import re
from datetime import timedelta

from attent.core.db import Base
from tests import factories as make
from tests.conftest import Api

ORGANISATION_TABLES = {t.name for t in Base.metadata.tables.values() if "organisation_id" in t.c}
# Looked up before the organisation is known, by something unique across organisations (a token's
# hash, a session's id, a sign-in's e-mail): on Citus these are reference-table or single-key reads.
BEFORE_THE_ORGANISATION = {"api_tokens", "web_sessions", "agents"}
REFERENCE = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+AS\s+(\w+))?", re.IGNORECASE)
CONSTANT = r"(?:%\(\w+\)s|\?|'[0-9a-f-]{36}')"


def scopes(statement: str) -> list[str]:
    """The statement's query levels, each without the subqueries inside it: Citus plans a correlated
    subquery on its own, so what routes it must be said inside it."""
    done: list[str] = []
    stack: list[tuple[list[str], int]] = [([], 0)]
    i = 0
    while i < len(statement):
        if statement.startswith("(SELECT", i) or statement.startswith("(\nSELECT", i):
            stack.append(([], 0))
            i += 1
            continue
        text, depth = stack[-1]
        char = statement[i]
        if char == ")" and depth == 0 and len(stack) > 1:
            done.append("".join(stack.pop()[0]))
            stack[-1][0].append(" (…) ")
        else:
            depth += {"(": 1, ")": -1}.get(char, 0)
            stack[-1] = (text, depth)
            text.append(char)
        i += 1
    return [*done, "".join(stack[0][0])]


def unrouted(statement: str) -> list[str]:
    """The organisation tables (as aliased) in `statement` that no organisation constant reaches."""
    return sorted({alias for scope in scopes(statement) for alias in _unrouted_in(scope)})


def _unrouted_in(scope: str) -> set[str]:
    aliases = {
        (alias or table)
        for table, alias in REFERENCE.findall(scope)
        if table in ORGANISATION_TABLES and table not in BEFORE_THE_ORGANISATION
    }
    routed = {a for a in aliases if re.search(rf"\b{a}\.organisation_id (?:=|IN \() ?{CONSTANT}", scope)}
    joined = re.findall(r"\b(\w+)\.organisation_id = (\w+)\.organisation_id\b", scope)
    grew = True
    while grew:  # an organisation_id join to a routed table of the same level routes the other side too
        before = len(routed)
        routed |= {b for a, b in joined if a in routed} | {a for a, b in joined if b in routed}
        grew = len(routed) > before
    return aliases - routed


def test_the_rule_itself_sees_a_correlated_subquery_without_the_organisation():
    good = (
        "SELECT cases.id FROM cases JOIN customers ON customers.organisation_id = cases.organisation_id"
        " WHERE cases.organisation_id = %(organisation_id_1)s::UUID"
    )
    bad = (
        "SELECT cases.id, (SELECT min(messages_1.at) FROM messages AS messages_1 WHERE"
        " messages_1.organisation_id = cases.organisation_id AND messages_1.case_id = cases.id)"
        " FROM cases WHERE cases.organisation_id = %(organisation_id_1)s"
    )
    assert unrouted(good) == [] and unrouted(bad) == ["messages_1"]


def test_every_query_of_the_workspace_names_the_organisation(
    app_client, tenant, other_tenant, clock, queries_captured
):
    api = Api(app_client, tenant.tokens["agent"])
    lead = Api(app_client, tenant.tokens["lead"])
    case_id = tenant.case.id
    make.call(api, case_id, clock, [("customer", "Waar is mijn pakket?"), ("agent", "Ik kijk het na.")])
    make.promise(api, case_id, kind="callback", due=clock.now() + timedelta(hours=1))
    api.post(f"/api/v1/cases/{case_id}/notes", json={"text": "Pakket zoek bij PostNL"})
    with queries_captured() as statements:
        for client, path in [
            (api, "/"),
            (lead, "/team"),
            (api, "/cases"),
            (api, f"/cases/{case_id}"),
            (api, f"/customers/{tenant.customer.id}"),
            (api, f"/api/v1/cases/{case_id}/brief"),
            (api, f"/api/v1/cases/{case_id}/timeline"),
            (api, "/api/v1/promises"),
            (api, "/api/v1/cases"),
            (api, "/api/v1/customers"),
            (lead, "/api/v1/promise-metrics"),
        ]:
            assert client.get(path).status_code == 200, path
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) > 40  # the walk did read
    offending = {s: unrouted(s) for s in reads if unrouted(s)}
    assert offending == {}, "\n\n".join(f"{tables}: {s}" for s, tables in offending.items())
