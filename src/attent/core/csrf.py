"""CSRF tokens that only Attent can make: bound to the web session, signed with ATTENT_SECRET_KEY.

A plain double-submit token (a random cookie echoed in a form field) is beaten by anyone who can
plant a cookie in the browser, from a sibling subdomain or a plain-HTTP page: they set `attent_csrf`
and send the same value in the field. So a signed-in browser's token is an HMAC of its session
cookie (a forged one would need the secret key, and session A's token is useless in session B), and
before sign-in, where there is no session yet, the token is a random nonce with its signature, kept
in a cookie and echoed in the form: a made-up value fails the signature.

The JSON API takes a bearer token as before, or the session cookie with this token in the
`X-CSRF-Token` header (what the pages' own scripts send; a cross-site form cannot set a header).
"""

import base64
import hashlib
import hmac
import secrets

from fastapi import Request

from attent.core.errors import Forbidden

SESSION_COOKIE = "attent_session"
CSRF_COOKIE = "attent_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SESSION, _PRE = "s.", "p."


def _sign(key: str, purpose: str, value: str) -> str:
    digest = hmac.new(key.encode(), f"attent-csrf:{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _key(request: Request) -> str:
    key: str = request.app.state.settings.secret_key
    return key


def session_token(key: str, session: str) -> str:
    """The token of the web session whose cookie holds `session`."""
    return _SESSION + _sign(key, "session", session)


def pre_session_token(key: str) -> str:
    """A fresh signed token for a browser that has not signed in yet."""
    nonce = secrets.token_urlsafe(18)
    return f"{_PRE}{nonce}.{_sign(key, 'pre-session', nonce)}"


def _signed_pre_session(key: str, token: str | None) -> bool:
    if not token or not token.startswith(_PRE):
        return False
    nonce, _, signature = token.removeprefix(_PRE).partition(".")
    return bool(nonce) and hmac.compare_digest(signature.encode(), _sign(key, "pre-session", nonce).encode())


def csrf_token(request: Request) -> str:
    """The token this browser's forms carry: its session's, else its signed pre-session one."""
    key = _key(request)
    if session := request.cookies.get(SESSION_COOKIE):
        return session_token(key, session)
    cookie = request.cookies.get(CSRF_COOKIE)
    if _signed_pre_session(key, cookie):
        assert cookie is not None
        return cookie
    token: str | None = getattr(request.state, "csrf", None)
    if token is None:
        token = request.state.csrf = pre_session_token(key)
    return token


def _refused() -> Forbidden:
    return Forbidden(
        "csrf_failed", "The form expired or did not come from Attent; reload the page and try again."
    )


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form post whose token is not this session's (signed out: not signed, or not the cookie's)."""
    key = _key(request)
    if not submitted:
        raise _refused()
    if session := request.cookies.get(SESSION_COOKIE):
        if not hmac.compare_digest(submitted.encode(), session_token(key, session).encode()):
            raise _refused()
        return
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    if not (hmac.compare_digest(submitted.encode(), cookie.encode()) and _signed_pre_session(key, cookie)):
        raise _refused()


def check_api_header(request: Request, session: str) -> None:
    """The API accepts the session cookie only with the session's token in `X-CSRF-Token`."""
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), session_token(_key(request), session).encode()):
        raise Forbidden(
            "csrf_failed",
            "With the session cookie, send the page's CSRF token in the {header} header; "
            "other clients use 'Authorization: Bearer <token>'.",
            header=CSRF_HEADER,
        )
