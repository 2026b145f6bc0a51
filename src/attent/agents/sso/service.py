"""Single sign-on: an admin sets the organisation's provider; a person who comes back from it with a
verified address of an allowed domain signs in as the agent with that address (or becomes one, when
the organisation lets the provider create agents); and an organisation that requires single sign-on
refuses its agents' passwords, except the break-glass admin's.

Between leaving for the provider and coming back, the browser holds a sealed cookie (AES-GCM under
ATTENT_SECRET_KEY, ten minutes) with the state, nonce and PKCE verifier: nothing is stored server-side,
any web process can finish the sign-in, and a callback in another browser has no cookie to match.
"""

import json
import re
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attent.agents.models import Agent, Role, Team
from attent.agents.schemas import AgentCreate
from attent.agents.service import create_agent, require_role
from attent.agents.sso import oidc
from attent.agents.sso.models import OidcProvider
from attent.agents.sso.schemas import ProviderIn, ProviderRead
from attent.core.errors import AttentError, FieldError, Invalid, NotFound
from attent.mail import decrypt_password, encrypt_password
from attent.organisations import Organisation

CALLBACK_PATH = "/signin/sso/callback"
FLOW_COOKIE = "attent_sso"
FLOW_TTL = timedelta(minutes=10)
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _secret_context(organisation_id: uuid.UUID) -> str:
    return f"{organisation_id}:oidc"


def get_provider(*, db: Session, organisation_id: uuid.UUID) -> OidcProvider | None:
    """The organisation's provider, if it has one."""
    return db.scalar(select(OidcProvider).where(OidcProvider.organisation_id == organisation_id))


def read(provider: OidcProvider, *, base_url: str) -> ProviderRead:
    """The API's view: whether a client secret is set, not what it is; and the address to register."""
    return ProviderRead(
        label=provider.label, issuer=provider.issuer, client_id=provider.client_id,
        client_secret_set=bool(provider.client_secret), allowed_domains=list(provider.allowed_domains),
        enabled=provider.enabled, create_agents=provider.create_agents, default_role=provider.default_role,
        default_team_id=provider.default_team_id, required=provider.required,
        break_glass_agent_id=provider.break_glass_agent_id, redirect_uri=redirect_uri(base_url),
        created_at=provider.created_at, updated_at=provider.updated_at,
    )  # fmt: skip


def redirect_uri(base_url: str) -> str:
    """The one address every provider sends people back to (register it at the provider)."""
    return base_url.rstrip("/") + CALLBACK_PATH


def _problems(db: Session, actor: Agent, data: ProviderIn, creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if problem := oidc.issuer_problem(data.issuer):
        errors.append(FieldError(("issuer",), problem))
    for i, domain in enumerate(data.allowed_domains):
        if not DOMAIN.match(domain.strip().lower()):
            errors.append(
                FieldError(("allowed_domains", i), "“{domain}” is not a domain name.", {"domain": domain})
            )
    if creating and not data.client_secret:
        errors.append(FieldError(("client_secret",), "Fill this in."))
    if data.default_team_id and db.get(Team, (actor.organisation_id, data.default_team_id)) is None:
        errors.append(FieldError(("default_team_id",), "No team with id {id}.", {"id": data.default_team_id}))
    if data.break_glass_agent_id:
        glass = db.get(Agent, (actor.organisation_id, data.break_glass_agent_id))
        if glass is None or glass.role is not Role.ADMIN or not glass.active:
            errors.append(
                FieldError(("break_glass_agent_id",), "The break-glass account is an active admin.")
            )
    elif data.required:
        errors.append(
            FieldError(
                ("break_glass_agent_id",),
                "Choose an admin who may still sign in with a password when the provider is down.",
            )
        )
    return errors


def save_provider(
    *, db: Session, actor: Agent, data: ProviderIn, secret_key: str, at: datetime
) -> OidcProvider:
    """Set or change the organisation's provider (admins); a client secret given is sealed anew."""
    require_role(actor, Role.ADMIN)
    provider = get_provider(db=db, organisation_id=actor.organisation_id)
    if errors := _problems(db, actor, data, creating=provider is None):
        raise Invalid("invalid_sso_provider", "The single sign-on settings cannot be saved as given.", errors)
    if provider is None:
        provider = OidcProvider(organisation_id=actor.organisation_id, created_at=at)
        db.add(provider)
    # The issuer is kept exactly as given: the provider's id_tokens must name it to the character.
    provider.label, provider.issuer, provider.client_id = data.label, data.issuer, data.client_id
    if data.client_secret:
        provider.client_secret = encrypt_password(
            data.client_secret, secret_key=secret_key, context=_secret_context(actor.organisation_id)
        )
    provider.allowed_domains = sorted({d.strip().lower() for d in data.allowed_domains})
    provider.enabled, provider.create_agents = data.enabled, data.create_agents
    provider.default_role, provider.default_team_id = data.default_role, data.default_team_id
    provider.required, provider.break_glass_agent_id = data.required, data.break_glass_agent_id
    provider.updated_at = at
    db.flush()
    return provider


def remove_provider(*, db: Session, actor: Agent) -> None:
    """Switch single sign-on off for good (admins): passwords work again for everyone who has one."""
    require_role(actor, Role.ADMIN)
    provider = get_provider(db=db, organisation_id=actor.organisation_id)
    if provider is None:
        raise NotFound("sso_not_set", "This organisation has no single sign-on provider.")
    db.delete(provider)
    db.flush()


def sign_in_buttons(*, db: Session) -> list[tuple[str, str]] | None:
    """(organisation slug, label) for "Sign in with …" when the deployment serves one organisation; on a
    shared one None, and the page asks for the e-mail address instead, so it names no organisation's
    provider to a stranger. An empty list: nobody signs in with single sign-on here."""
    rows = list(
        db.execute(
            select(Organisation.slug, OidcProvider.label)
            .join(Organisation, Organisation.id == OidcProvider.organisation_id)
            .where(OidcProvider.enabled.is_(True))
            .order_by(OidcProvider.label, Organisation.slug)
            .limit(2)
        )
    )
    if not rows:
        return []
    shared = (db.scalar(select(func.count()).select_from(Organisation)) or 0) > 1
    return None if shared else [(slug, label) for slug, label in rows]


def organisation_for_email(*, db: Session, email: str) -> tuple[str, str]:
    """The slug and button label of the one organisation whose enabled provider signs in this domain."""
    domain = email.strip().lower().rpartition("@")[2]
    rows = db.execute(
        select(Organisation.slug, OidcProvider.label, OidcProvider.allowed_domains)
        .join(Organisation, Organisation.id == OidcProvider.organisation_id)
        .where(OidcProvider.enabled.is_(True))
    )
    matches = [(slug, label) for slug, label, domains in rows if domain in domains]
    if len(matches) != 1:
        raise oidc.SsoRefused(
            "sso_unknown_domain", "Nobody signs in here with single sign-on for {domain}.", domain=domain
        )
    return matches[0]


def password_refused(*, db: Session, agent: Agent) -> OidcProvider | None:
    """The provider an agent must sign in through instead of a password (None: the password may do)."""
    provider = get_provider(db=db, organisation_id=agent.organisation_id)
    if provider is None or not (provider.enabled and provider.required):
        return None
    return None if provider.break_glass_agent_id == agent.id else provider


# --- the sign-in itself ------------------------------------------------------------------------------


def _enabled_provider(db: Session, slug: str) -> tuple[Organisation, OidcProvider]:
    org = db.scalar(select(Organisation).where(Organisation.slug == slug))
    provider = get_provider(db=db, organisation_id=org.id) if org else None
    if org is None or provider is None or not provider.enabled:
        raise oidc.SsoRefused("sso_not_set", "This organisation has no single sign-on provider.")
    return org, provider


def begin(
    *,
    db: Session,
    slug: str,
    base_url: str,
    target: str,
    secret_key: str,
    at: datetime,
    email: str | None = None,
) -> tuple[str, str]:
    """The provider's address to send the browser to, and the sealed cookie to give it for the way back."""
    org, provider = _enabled_provider(db, slug)
    url, flow = oidc.start(
        issuer=provider.issuer, client_id=provider.client_id, redirect_uri=redirect_uri(base_url),
        login_hint=email,
    )  # fmt: skip
    carried = {
        "o": str(org.id), "s": flow.state, "n": flow.nonce, "v": flow.verifier, "t": target,
        "e": (at + FLOW_TTL).timestamp(),
    }  # fmt: skip
    return url, encrypt_password(json.dumps(carried), secret_key=secret_key, context="oidc flow")


def _carried(cookie: str | None, secret_key: str, at: datetime) -> dict[str, str]:
    try:
        carried = json.loads(decrypt_password(cookie or "", secret_key=secret_key, context="oidc flow"))
    except (AttentError, ValueError):
        carried = None
    if not isinstance(carried, dict) or float(carried.get("e", 0)) < at.timestamp():
        raise oidc.SsoRefused(
            "sso_state_mismatch", "This sign-in was not started in this browser; start again."
        )
    return carried


def complete(
    *, db: Session, cookie: str | None, params: dict[str, str], base_url: str, secret_key: str, at: datetime
) -> tuple[Agent, str]:
    """Check the provider's answer and return the agent it signs in, and where they were going."""
    carried = _carried(cookie, secret_key, at)
    organisation_id = uuid.UUID(carried["o"])
    provider = get_provider(db=db, organisation_id=organisation_id)
    if provider is None or not provider.enabled:
        raise oidc.SsoRefused("sso_not_set", "This organisation has no single sign-on provider.")
    try:
        client_secret = decrypt_password(
            provider.client_secret, secret_key=secret_key, context=_secret_context(organisation_id)
        )
    except AttentError as exc:  # another ATTENT_SECRET_KEY: a refusal to act on, not a server error
        raise oidc.SsoRefused(
            "sso_secret_unreadable",
            "The stored client secret cannot be read (another ATTENT_SECRET_KEY?); an admin enters it again.",
        ) from exc
    identity = oidc.finish(
        issuer=provider.issuer, client_id=provider.client_id, client_secret=client_secret,
        redirect_uri=redirect_uri(base_url), params=params, now=at.timestamp(),
        flow=oidc.Flow(state=carried["s"], nonce=carried["n"], verifier=carried["v"]),
    )  # fmt: skip
    return _agent_for(db, provider, identity, at), carried["t"]


def _agent_for(db: Session, provider: OidcProvider, identity: oidc.Identity, at: datetime) -> Agent:
    email = identity.email
    if not email:
        raise oidc.SsoRefused(
            "sso_no_email", "The identity provider sent no e-mail address; allow the scope email."
        )
    if not identity.email_verified:
        raise oidc.SsoRefused(
            "sso_email_unverified",
            "The identity provider has not verified the e-mail address {email}.",
            email=email,
        )
    if email.rpartition("@")[2] not in provider.allowed_domains:
        raise oidc.SsoRefused(
            "sso_domain_not_allowed",
            "{email} is not in a domain this organisation signs in with.",
            email=email,
        )
    agent = db.scalar(
        select(Agent).where(Agent.organisation_id == provider.organisation_id, Agent.email == email)
    )
    if agent is not None:
        if not agent.active:
            raise oidc.SsoRefused(
                "sso_agent_inactive", "The account for {email} is deactivated.", email=email
            )
        return agent
    if not provider.create_agents:
        raise oidc.SsoRefused(
            "sso_no_agent",
            "There is no agent with e-mail {email} here; ask an admin to invite you.",
            email=email,
        )
    org = db.get(Organisation, provider.organisation_id)
    team = provider.default_team_id or (org.default_team_id if org else None)
    return create_agent(
        db=db, actor=None, organisation_id=provider.organisation_id, at=at,
        data=AgentCreate(
            email=email, name=(identity.name or email.partition("@")[0])[:200], role=provider.default_role,
            language=org.language if org else "nl", team_ids=[team] if team else [],
        ),
    )  # fmt: skip
