"""OAuth2 for IMAP and SMTP (Microsoft 365 and Gmail turn basic authentication off): the SASL XOAUTH2
initial response, and a fresh access token from a refresh token (RFC 6749 section 6).

Not yet wired into mailboxes (README, "What is left"): a mailbox would keep its refresh token sealed
like its passwords, call `refresh` before each connection, and sign in with `IMAPClient.oauth2_login`
or `smtp_xoauth2`. The token endpoint is the provider's (Microsoft:
`https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`, Google: `https://oauth2.googleapis.com/token`).
"""

import base64
import ipaddress
import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# An access token this close to its end is refreshed before a connection rather than used.
MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class OAuth2Client:
    """The app registration a mailbox signs in through; `scope` as the provider wants it (Microsoft:
    `https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access`,
    Google: `https://mail.google.com/`)."""

    token_endpoint: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    scope: str | None = None


@dataclass(frozen=True)
class AccessToken:
    """A bearer token until `expires_at`; `refresh_token` is a new one when the provider rotated it."""

    value: str = field(repr=False)
    expires_at: datetime
    refresh_token: str | None = field(default=None, repr=False)

    def fresh(self, now: datetime) -> bool:
        """Whether it can still be used for a connection made now."""
        return now + MARGIN < self.expires_at


class TokenRefused(Exception):
    """The token endpoint said no (`code` is its OAuth2 error, e.g. `invalid_grant`: sign in again), or
    answered something that is not a bearer token."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)


def xoauth2(user: str, access_token: str) -> str:
    """The SASL XOAUTH2 initial client response (before base64): `user=…^Aauth=Bearer …^A^A`."""
    return f"user={user}\x01auth=Bearer {access_token}\x01\x01"


def smtp_xoauth2(smtp: smtplib.SMTP, user: str, access_token: str) -> None:
    """Sign in to an SMTP server with `AUTH XOAUTH2` (smtplib base64-encodes the response). EHLO first:
    smtplib's `auth` takes the 503 a server gives before EHLO for "already signed in"."""
    smtp.ehlo_or_helo_if_needed()
    smtp.auth("XOAUTH2", lambda challenge=None: xoauth2(user, access_token), initial_response_ok=True)


def _safe(endpoint: str) -> None:
    """Tokens travel over TLS only; plain http is allowed to a loopback address (tests, a local proxy)."""
    url = urllib.parse.urlsplit(endpoint)
    if url.scheme == "https":
        return
    try:
        loopback = url.scheme == "http" and ipaddress.ip_address(url.hostname or "").is_loopback
    except ValueError:
        loopback = url.scheme == "http" and url.hostname == "localhost"
    if not loopback:
        raise TokenRefused("insecure_endpoint", "The token endpoint must use https.")


def refresh(client: OAuth2Client, refresh_token: str, *, now: datetime, timeout: float = 30.0) -> AccessToken:
    """A new access token for `refresh_token` (the `refresh_token` grant); raises TokenRefused."""
    _safe(client.token_endpoint)
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client.client_id}
    if client.client_secret:
        form["client_secret"] = client.client_secret
    if client.scope:
        form["scope"] = client.scope
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        client.token_endpoint,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:  # 400/401: the endpoint says why in JSON (RFC 6749 5.2)
        try:
            said = json.loads(error.read() or b"{}")
        except ValueError:
            said = {}
        finally:
            error.close()
        raise TokenRefused(
            str(said.get("error") or f"http_{error.code}"), str(said.get("error_description") or "")
        ) from None
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        raise TokenRefused("unreachable", str(error)) from None
    if not isinstance(answer, dict) or str(answer.get("token_type", "")).lower() != "bearer":
        raise TokenRefused("not_bearer", "The token endpoint did not answer with a bearer token.")
    value = answer.get("access_token")
    if not isinstance(value, str) or not value:
        raise TokenRefused("no_access_token", "The token endpoint's answer has no access token.")
    seconds = answer.get("expires_in")
    lifetime = (
        timedelta(seconds=int(seconds))
        if isinstance(seconds, int | str) and str(seconds).isdigit()
        else MARGIN
    )
    rotated = answer.get("refresh_token")
    return AccessToken(
        value=value, expires_at=now + lifetime, refresh_token=rotated if isinstance(rotated, str) else None
    )


def encoded(user: str, access_token: str) -> str:
    """The XOAUTH2 response as it goes over the wire (base64), for servers and tests that compare it."""
    return base64.b64encode(xoauth2(user, access_token).encode()).decode()
