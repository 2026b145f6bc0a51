"""The organisation's single sign-on provider over the API (admins): read, set, remove."""

from fastapi import APIRouter, Request, Response

from attent.agents.deps import CurrentAgent, link_base
from attent.agents.models import Role
from attent.agents.service import require_role
from attent.agents.sso import service
from attent.agents.sso.schemas import ProviderIn, ProviderRead
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.core.errors import NotFound
from attent.core.onethread import OneThreadRoute

router = APIRouter(tags=["agents"], route_class=OneThreadRoute)


@router.get("/sso")
def get_sso(request: Request, db: DbSession, actor: CurrentAgent) -> ProviderRead:
    """The OpenID Connect provider (admins); whether a client secret is set, never the secret."""
    require_role(actor, Role.ADMIN)
    provider = service.get_provider(db=db, organisation_id=actor.organisation_id)
    if provider is None:
        raise NotFound("sso_not_set", "This organisation has no single sign-on provider.")
    return service.read(provider, base_url=link_base(request))


@router.put("/sso")
def put_sso(
    request: Request,
    body: ProviderIn,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    settings: SettingsDep,
) -> ProviderRead:
    """Set or change the provider (admins); a client secret left out stays as it was."""
    provider = service.save_provider(
        db=db, actor=actor, data=body, secret_key=settings.secret_key, at=clock.now()
    )
    return service.read(provider, base_url=link_base(request))


@router.delete("/sso", status_code=204)
def delete_sso(db: DbSession, actor: CurrentAgent) -> Response:
    """Remove the provider (admins): passwords work again for every agent who has one."""
    service.remove_provider(db=db, actor=actor)
    return Response(status_code=204)
