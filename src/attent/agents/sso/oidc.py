"""The OpenID Connect protocol, spoken through Authlib: discovery, the authorization code flow with PKCE
(S256), state and nonce, and the checks on the id_token (signature against the provider's JWKS, issuer,
audience, expiry, nonce) that decide whether the provider's word about an e-mail address is believed.

Nothing here knows agents or organisations; `sso.service` decides what a checked identity may do.
Discovery documents and key sets are kept in memory for an hour per issuer; an unknown key id makes
one fresh fetch of the key set, so a provider's key rotation needs no restart.
"""

import secrets
import threading
import time
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from attent.core.errors import Unauthenticated
from attent.core.i18n import Label

TIMEOUT = 10  # seconds for each call to the provider
CACHE_SECONDS = 3600
LEEWAY = 60  # seconds of clock difference allowed on exp/iat
SCOPE = "openid email profile"
# Asymmetric only: a provider's public key must never be usable as an HMAC secret, and "none" never.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


class SsoRefused(Unauthenticated):
    """The provider's answer was missing, refused or untrustworthy, or says who may not sign in here."""


@dataclass(frozen=True)
class Identity:
    """What a checked id_token says about the person."""

    subject: str
    email: str | None
    email_verified: bool
    name: str | None


def issuer_problem(issuer: str) -> str | None:
    """Why an issuer URL cannot be used (HTTPS is required, except on this machine), or None."""
    parts = urlsplit(issuer)
    if not parts.hostname or parts.query or parts.fragment:
        return "Give the provider's issuer URL, such as https://login.microsoftonline.com/<tenant>/v2.0."
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and _loopback(parts.hostname):
        return None
    return "The issuer URL must start with https://."


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def _get_json(url: str) -> dict[str, Any]:
    try:
        answer = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
        answer.raise_for_status()
        data = answer.json()
    except (requests.RequestException, ValueError) as exc:
        raise SsoRefused(
            "sso_unreachable", "The identity provider could not be reached ({url}); try again later.", url=url
        ) from exc
    if not isinstance(data, dict):
        raise SsoRefused(
            "sso_unreachable", "The identity provider could not be reached ({url}); try again later.", url=url
        )
    return data


def _cached(key: str, url: str, force: bool = False) -> dict[str, Any]:
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit and not force and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    data = _get_json(url)
    with _lock:
        _cache[key] = (now, data)
    return data


def metadata(issuer: str) -> dict[str, Any]:
    """The provider's discovery document; its `issuer` must be exactly the one configured."""
    data = _cached(f"meta:{issuer}", issuer.rstrip("/") + "/.well-known/openid-configuration")
    if data.get("issuer") != issuer:
        raise SsoRefused(
            "sso_issuer_mismatch",
            "The identity provider names itself {found}, not {issuer}; check the issuer URL.",
            found=str(data.get("issuer")),
            issuer=issuer,
        )
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(data.get(field), str):
            raise SsoRefused(
                "sso_discovery_incomplete",
                "The identity provider's discovery document lacks {field}.",
                field=field,
            )
    return data


@dataclass(frozen=True)
class Flow:
    """What the browser carries between leaving for the provider and coming back (sealed in a cookie)."""

    state: str
    nonce: str
    verifier: str


def start(
    *, issuer: str, client_id: str, redirect_uri: str, login_hint: str | None = None
) -> tuple[str, Flow]:
    """The provider's authorization URL for a new sign-in, and the secrets to check its answer with."""
    meta = metadata(issuer)
    flow = Flow(state=generate_token(32), nonce=generate_token(32), verifier=generate_token(64))
    client = OAuth2Session(client_id, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256")
    extra = {"login_hint": login_hint} if login_hint else {}
    url, _ = client.create_authorization_url(
        meta["authorization_endpoint"],
        state=flow.state,
        nonce=flow.nonce,
        code_verifier=flow.verifier,
        **extra,
    )
    return str(url), flow


def finish(
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    flow: Flow,
    params: dict[str, str],
    now: float,
) -> Identity:
    """Check the provider's answer (state, then the code for tokens, then the id_token) and say who it is."""
    if not secrets.compare_digest(params.get("state", ""), flow.state):
        raise SsoRefused("sso_state_mismatch", "This sign-in was not started in this browser; start again.")
    if error := params.get("error"):
        raise SsoRefused(
            "sso_provider_refused", "The identity provider refused the sign-in: {reason}.",
            reason=params.get("error_description") or error,
        )  # fmt: skip
    if not params.get("code"):
        raise SsoRefused("sso_no_code", "The identity provider sent no authorization code; start again.")
    meta = metadata(issuer)
    methods = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    with OAuth2Session(
        client_id, client_secret, redirect_uri=redirect_uri, token_endpoint_auth_method=method
    ) as client:
        try:
            token = client.fetch_token(
                meta["token_endpoint"], code=params["code"], code_verifier=flow.verifier, timeout=TIMEOUT
            )
        except OAuthError as exc:
            raise SsoRefused(
                "sso_provider_refused", "The identity provider refused the sign-in: {reason}.",
                reason=exc.description or exc.error,
            ) from exc  # fmt: skip
        except (requests.RequestException, ValueError) as exc:
            raise SsoRefused(
                "sso_unreachable", "The identity provider could not be reached ({url}); try again later.",
                url=meta["token_endpoint"],
            ) from exc  # fmt: skip
    if not isinstance(token.get("id_token"), str):
        raise SsoRefused(
            "sso_no_id_token", "The identity provider sent no id_token; is the scope openid allowed?"
        )
    return check_id_token(
        issuer=issuer, client_id=client_id, id_token=token["id_token"], nonce=flow.nonce, now=now,
        access_token=token.get("access_token"),
    )  # fmt: skip


def _bad(reason: str) -> SsoRefused:
    return SsoRefused(
        f"sso_token_{reason}",
        "The identity provider's id_token is not valid ({reason}); nobody was signed in.",
        reason=Label(reason, "id_token"),
    )


def check_id_token(
    *, issuer: str, client_id: str, id_token: str, nonce: str, now: float, access_token: str | None = None
) -> Identity:
    """Signature (JWKS, asymmetric algorithms only), issuer, audience, expiry and nonce, or `SsoRefused`."""
    meta = metadata(issuer)
    offered = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
    registry = JWSRegistry(algorithms=[a for a in ALGORITHMS if a in offered] or ["RS256"])
    try:
        try:
            keys = KeySet.import_key_set(_cached(f"jwks:{issuer}", meta["jwks_uri"]))  # type: ignore[arg-type]
            decoded = jwt.decode(id_token, keys, registry=registry)
        except InvalidKeyIdError:  # a rotated key: fetch the set once more
            keys = KeySet.import_key_set(_cached(f"jwks:{issuer}", meta["jwks_uri"], force=True))  # type: ignore[arg-type]
            decoded = jwt.decode(id_token, keys, registry=registry)
    except JoseError as exc:
        raise _bad("signature") from exc
    params: dict[str, Any] = {"nonce": nonce, "client_id": client_id}
    if access_token:
        params["access_token"] = access_token
    options = {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id}}
    claims = CodeIDToken(decoded.claims, decoded.header, options, params)
    try:
        claims.validate(now=int(now), leeway=LEEWAY)
    except ExpiredTokenError as exc:
        raise _bad("expired") from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        claim = getattr(exc, "claim", "") or str(exc)
        reason = {"iss": "issuer", "aud": "audience", "nonce": "nonce", "azp": "audience"}.get(
            claim, "claims"
        )
        raise _bad(reason) from exc
    except JoseError as exc:
        raise _bad("claims") from exc
    email = claims.get("email")
    verified = claims.get("email_verified")
    # Entra ID sends no email_verified; it marks an address whose domain the tenant owns with xms_edov.
    return Identity(
        subject=str(claims["sub"]),
        email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
        email_verified=verified is True
        or verified == "true"
        or claims.get("xms_edov") in (True, "true", "1", 1),
        name=claims.get("name") if isinstance(claims.get("name"), str) else None,
    )
