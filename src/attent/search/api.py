"""Search, for API clients: the same results as the page, as JSON."""

from typing import Annotated

from fastapi import APIRouter, Query

from attent.agents import CurrentAgent
from attent.core.deps import DbSession
from attent.core.onethread import OneThreadRoute
from attent.search import service
from attent.search.schemas import MAX_LIMIT, MAX_QUERY, SearchKind, SearchResults

router = APIRouter(prefix="/search", tags=["search"], route_class=OneThreadRoute)


@router.get("")
def search(
    db: DbSession,
    actor: CurrentAgent,
    q: Annotated[
        str,
        Query(
            description=(
                "Words, a name, an e-mail address or part of one, a phone number in any notation, an order "
                "or booking number or part of one, or a case's id. Searched as text: quotes, operators, "
                f"`%` and `_` have no special meaning. At most {MAX_QUERY} characters (longer is a 422)."
            )
        ),
    ] = "",
    kind: Annotated[SearchKind | None, Query(description="Only this kind of result.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Results per kind.")] = 5,
    cursor: Annotated[
        str | None, Query(description="A group's `next_cursor`: the next results of that kind.")
    ] = None,
) -> SearchResults:
    """Customers, cases, messages and internal notes you may see that match `q`, grouped by kind, best first.

    Dutch and English words match their other forms ("bestellingen" finds "bestelling") and accents
    are ignored ("cafe" finds "café"). `title_matches` and `snippet_matches` are the character ranges
    that matched, for highlighting. Notes are their own kind (`internal: true`), never among messages.
    """
    return service.search(db=db, actor=actor, q=q, kind=kind, limit=limit, cursor=cursor)
