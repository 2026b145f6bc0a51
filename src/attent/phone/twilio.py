"""Twilio's voice status callbacks, checked and read as generic call events.

Twilio posts form fields (CallSid, CallStatus, From, To, Direction, CallDuration, SequenceNumber,
Timestamp, …) and signs each request in `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the
account's auth token, over the full URL followed by every POST field's name and value, sorted by name
(https://www.twilio.com/docs/usage/security). Twilio sends no timestamp in the signature, so a replay
is recognised by its (CallSid, SequenceNumber), which every event carries.

Status callbacks do not say which agent answered or which queue the call waits in; the callback URL
carries them as query parameters (`?queue=support&agent=anna@shop.nl`), which the signature covers.
"""

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SIGNATURE_HEADER = "X-Twilio-Signature"
# CallStatus → the generic event and, for the end of a call, its cause
_ENDINGS = {
    "completed": "normal",
    "busy": "busy",
    "no-answer": "no_answer",
    "canceled": "normal",
    "failed": "error",
}


def signature(token: str, url: str, fields: Mapping[str, str]) -> str:
    """What Twilio puts in X-Twilio-Signature for this URL and these POST fields."""
    data = url + "".join(f"{name}{fields[name]}" for name in sorted(fields))
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed(token: str, url: str, fields: Mapping[str, str], given: str | None) -> bool:
    """Whether `given` is Twilio's signature of this request."""
    return given is not None and hmac.compare_digest(signature(token, url, fields), given)


def as_event(
    fields: Mapping[str, str], query: Mapping[str, str], received: datetime
) -> dict[str, Any] | None:
    """The generic event a status callback is, or None for a status we do not follow (queued)."""
    status = fields.get("CallStatus", "")
    direction = "outbound" if fields.get("Direction", "inbound").startswith("outbound") else "inbound"
    event: dict[str, Any] = {
        "call_id": fields.get("CallSid"),
        "sequence": fields.get("SequenceNumber"),
        "at": _when(fields.get("Timestamp"), received),
        "from": fields.get("From"),
        "to": fields.get("To"),
        "direction": direction,
        "queue": query.get("queue"),
    }
    if status in ("ringing", "initiated"):
        return {**event, "type": "ringing", "agent": query.get("agent")}
    if status == "in-progress":
        return {**event, "type": "answered", "agent": query.get("agent")}
    if status in _ENDINGS:
        duration = fields.get("CallDuration")
        hangup = "caller" if status == "canceled" else ("system" if status == "failed" else None)
        return {**event, "type": "ended", "cause": _ENDINGS[status], "hangup_by": hangup,
                "duration": int(duration) if duration and duration.isdigit() else None}  # fmt: skip
    return None


def _when(stamp: str | None, received: datetime) -> str:
    """Twilio's Timestamp (RFC 2822), or when we received it if it has none."""
    if stamp:
        try:
            return parsedate_to_datetime(stamp).astimezone(UTC).isoformat()
        except (TypeError, ValueError):
            pass
    return received.isoformat()


# --- the auth token at rest: sealed with a key derived from ATTENT_SECRET_KEY ----------------------------


def _aead(secret_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"attent phone twilio token").derive(
        secret_key.encode()
    )
    return AESGCM(key)


def seal(token: str, *, secret_key: str, organisation: str) -> str:
    """The auth token encrypted for the database (a backup alone cannot sign Twilio's calls)."""
    nonce = os.urandom(12)
    sealed = _aead(secret_key).encrypt(nonce, token.encode(), organisation.encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal(sealed: str, *, secret_key: str, organisation: str) -> str | None:
    """The auth token, or None when ATTENT_SECRET_KEY changed since it was sealed."""
    raw = base64.b64decode(sealed)
    try:
        return _aead(secret_key).decrypt(raw[:12], raw[12:], organisation.encode()).decode()
    except InvalidTag:  # sealed with another ATTENT_SECRET_KEY: the admin sets the token again
        return None
