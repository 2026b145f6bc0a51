"""The search page: one box in the header of every agent page leads here, and suggests while typing."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from attent.agents import CurrentAgent
from attent.core.deps import DbSession
from attent.core.templating import render
from attent.organisations.service import get_organisation
from attent.search import service
from attent.search.highlight import marked
from attent.search.schemas import MAX_QUERY, SearchKind

router = APIRouter(include_in_schema=False)


@router.get("/search")
def search_page(
    request: Request, db: DbSession, actor: CurrentAgent, q: str = "", kind: str = "", cursor: str = ""
) -> HTMLResponse:
    """Results grouped by kind, best first, the matching words marked; a group's 'more' continues it."""
    chosen = SearchKind(kind) if kind in set(SearchKind) else None
    results = service.search(db=db, actor=actor, q=q, kind=chosen, limit=10, cursor=cursor or None)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    # `marked` builds the highlighted text from escaped pieces: the template needs no `|safe`.
    return render(
        request,
        "search.html",
        agent=actor,
        results=results,
        search_q=q,
        kind=chosen,
        marked=marked,
        tz=org.timezone,
    )


SUGGEST_MIN, SUGGEST_PER_KIND = 2, 3  # characters before suggesting; results per kind in the drop-down


@router.get("/search/suggest")
def search_suggest(
    request: Request, db: DbSession, actor: CurrentAgent, q: Annotated[str, Query(max_length=MAX_QUERY)] = ""
) -> HTMLResponse:
    """The header box's drop-down while typing (htmx): the best few of each kind, each a link, the
    matching words marked; Enter without a chosen one submits the box to /search as before."""
    results = None
    if len(q.strip()) >= SUGGEST_MIN:
        results = service.search(db=db, actor=actor, q=q, limit=SUGGEST_PER_KIND)
    return render(request, "search_suggest.html", agent=actor, results=results, marked=marked)
