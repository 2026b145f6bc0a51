"""A form's short answer for the page it redirects to (post/redirect/get): signed, short-lived, one reader.

A form that has something to show (a verification's match or no match, what to say for a playbook
step) still answers with a redirect, so the browser ends on the page's own address: a reload or the
case page's live refresh then asks for the page, never for the form's POST address. The answer rides
along in a cookie scoped to that page, signed with the secret key, bound to who may read it (the
agent and the case), and gone after two minutes or the first read.
"""

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "attent_flash"
LIFETIME = timedelta(minutes=2)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), b"attent-flash\n" + payload, hashlib.sha256).digest()


def put(
    response: Response, *, secret: str, path: str, reader: str, data: dict[str, Any], now: datetime
) -> None:
    """Hand `data` (JSON values) to the next page at `path`, for `reader` only (e.g. "agent:case")."""
    expires = int((now + LIFETIME).timestamp())
    payload = json.dumps({"r": reader, "e": expires, "d": data}, separators=(",", ":")).encode()
    token = f"{_b64(payload)}.{_b64(_signature(secret, payload))}"
    response.set_cookie(
        COOKIE, token, path=path, max_age=int(LIFETIME.total_seconds()), httponly=True, samesite="lax"
    )


def take(request: Request, response: Response, *, secret: str, path: str, reader: str, now: datetime) -> Any:
    """The data handed to this page, if it is for `reader` and fresh; the cookie is cleared either way."""
    token = request.cookies.get(COOKIE)
    if token is None:
        return None
    response.delete_cookie(COOKIE, path=path)
    try:
        body, signature = token.split(".", 1)
        payload = _unb64(body)
        if not hmac.compare_digest(_unb64(signature), _signature(secret, payload)):
            return None
        found = json.loads(payload)
    except ValueError:  # not base64, not JSON, no dot: not ours
        return None
    if found.get("r") != reader or found.get("e", 0) < now.timestamp():
        return None
    return found.get("d")
