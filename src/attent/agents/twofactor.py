"""Two-factor sign-in: a TOTP app (RFC 6238, via pyotp), ten single-use recovery codes, and browsers
remembered for the number of days the organisation allows.

The secret is sealed at rest with AES-GCM under a key derived from ATTENT_SECRET_KEY (its own HKDF
label, bound to the organisation and agent), so a database copy alone does not yield working codes.
A code is accepted once: the last accepted time step is stored, and an older or equal step is refused.
Recovery codes are kept as SHA-256 hashes (ten random characters each, 50 bits: no slow hash needed).
The QR code is drawn by segno as inline SVG: pure Python, no Pillow, nothing loaded from elsewhere.
"""

import base64
import hashlib
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from attent.agents.models import Agent, RecoveryCode
from attent.agents.service import get_agent, require_role
from attent.core.errors import FieldError, Invalid
from attent.organisations import Organisation

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt
ISSUER = "Attent"


@dataclass(frozen=True)
class Policy:
    """An organisation's rule: whether every agent must use a second factor, and for how many days a
    browser that passed it may skip it (0: ask every time)."""

    required: bool = False
    remember_days: int = 0


def policy(*, db: Session, organisation_id: uuid.UUID) -> Policy:
    """The organisation's two-factor rule, from its settings."""
    org = db.get(Organisation, organisation_id)
    settings = (org.settings if org else None) or {}
    return Policy(
        required=bool(settings.get("require_2fa", False)),
        remember_days=int(settings.get("remember_device_days", 0)),
    )


def set_policy(*, db: Session, actor: Agent, required: bool, remember_days: int) -> Policy:
    """Admins require two-factor sign-in for everyone, and say how long a browser is remembered."""
    require_role(actor)
    if not 0 <= remember_days <= 90:
        raise Invalid(
            "remember_days_out_of_range",
            "A browser is remembered for 0 to 90 days.",
            [FieldError(("remember_days",), "Between 0 and 90.")],
        )
    org = db.get(Organisation, actor.organisation_id)
    assert org is not None
    org.settings = {**(org.settings or {}), "require_2fa": required, "remember_device_days": remember_days}
    db.flush()
    return policy(db=db, organisation_id=actor.organisation_id)


# --- the secret ------------------------------------------------------------------------------------


def _aead(secret_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"attent/totp", info=b"attent totp v1")
    return AESGCM(key.derive(secret_key.encode()))


def _seal(secret: str, *, secret_key: str, agent: Agent) -> str:
    nonce = os.urandom(12)
    context = f"{agent.organisation_id}:{agent.id}".encode()
    sealed = _aead(secret_key).encrypt(nonce, secret.encode(), context)
    return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def _open(sealed: str, *, secret_key: str, agent: Agent) -> str | None:
    data = base64.urlsafe_b64decode(sealed.partition(":")[2].encode())
    context = f"{agent.organisation_id}:{agent.id}".encode()
    try:
        return _aead(secret_key).decrypt(data[:12], data[12:], context).decode()
    except InvalidTag:
        return None  # another ATTENT_SECRET_KEY: the agent enrols again (an admin resets it)


def _stored_secret(db: Session, agent: Agent) -> str | None:
    return db.scalar(
        select(Agent.totp_secret).where(Agent.organisation_id == agent.organisation_id, Agent.id == agent.id)
    )


def enrolled(*, db: Session, agent: Agent) -> bool:
    """Whether the agent signs in with a second factor."""
    return _stored_secret(db, agent) is not None


def new_secret() -> str:
    """A fresh TOTP secret (160 bits, base32) for enrolment."""
    return pyotp.random_base32(32)


def qr_svg(*, secret: str, agent: Agent, organisation: str) -> tuple[str, str]:
    """The otpauth:// address an authenticator app reads, and its QR code as inline SVG."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=agent.email, issuer_name=f"{ISSUER} ({organisation})")
    return uri, segno.make(uri, error="m").svg_inline(scale=4, border=2)


def _step_ok(totp: pyotp.TOTP, code: str, at: datetime, after: int | None) -> int | None:
    """The time step the code belongs to (this one, or one either side for clock drift), if it is new."""
    step = int(at.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.at(candidate * totp.interval), code) and (
            after is None or candidate > after
        ):
            return candidate
    return None


def _bad_code() -> Invalid:
    return Invalid(
        "bad_code",
        "The code is not correct; use the current code from your app, or a recovery code.",
        [FieldError(("code",), "This code is not correct.")],
    )


def enrol(*, db: Session, agent: Agent, secret: str, code: str, at: datetime, secret_key: str) -> list[str]:
    """Switch two-factor on once the app's first code proves it holds `secret`; returns the ten recovery
    codes, shown this once."""
    if not re.fullmatch(r"[A-Z2-7]{16,64}", secret):  # ours is 32; anything else was not drawn by us
        raise _bad_code()
    totp = pyotp.TOTP(secret)
    step = _step_ok(totp, code.strip().replace(" ", "")[:40], at, None)
    if step is None:
        raise _bad_code()
    agent.totp_secret = _seal(secret, secret_key=secret_key, agent=agent)
    agent.totp_last_step = step
    db.flush()
    return new_recovery_codes(db=db, agent=agent, at=at)


def new_recovery_codes(*, db: Session, agent: Agent, at: datetime) -> list[str]:
    """Ten fresh recovery codes; the old ones stop working."""
    db.execute(
        delete(RecoveryCode).where(
            RecoveryCode.organisation_id == agent.organisation_id, RecoveryCode.agent_id == agent.id
        )
    )
    codes = [
        "".join(secrets.choice(_ALPHABET) for _ in range(5))
        + "-"
        + "".join(secrets.choice(_ALPHABET) for _ in range(5))
        for _ in range(RECOVERY_CODES)
    ]
    db.add_all(
        RecoveryCode(
            organisation_id=agent.organisation_id, agent_id=agent.id, code_hash=_code_hash(c), created_at=at
        )
        for c in codes
    )
    db.flush()
    return codes


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").replace(" ", "").encode()).hexdigest()


def recovery_codes_left(*, db: Session, agent: Agent) -> int:
    """How many unused recovery codes the agent still has."""
    return len(
        db.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.organisation_id == agent.organisation_id,
                RecoveryCode.agent_id == agent.id,
                RecoveryCode.used_at.is_(None),
            )
        ).all()
    )


def verify(*, db: Session, agent: Agent, code: str, at: datetime, secret_key: str) -> None:
    """Accept a current TOTP code (each once) or an unused recovery code (then used up); else Invalid."""
    code = code.strip().replace(" ", "")
    sealed = _stored_secret(db, agent)
    if sealed is not None and code.isdigit():
        secret = _open(sealed, secret_key=secret_key, agent=agent)
        step = _step_ok(pyotp.TOTP(secret), code, at, agent.totp_last_step) if secret else None
        if step is not None:
            agent.totp_last_step = step
            db.flush()
            return
        raise _bad_code()
    used = db.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.organisation_id == agent.organisation_id,
            RecoveryCode.agent_id == agent.id,
            RecoveryCode.code_hash == _code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=at)
    )
    if not used.rowcount:  # type: ignore[attr-defined]
        raise _bad_code()


def reset(*, db: Session, actor: Agent, agent_id: uuid.UUID) -> Agent:
    """Admins switch an agent's second factor off (a lost phone); they enrol again at next sign-in when
    the organisation requires it."""
    require_role(actor)
    agent = get_agent(db=db, actor=actor, agent_id=agent_id)
    agent.totp_secret, agent.totp_last_step = None, None
    db.execute(
        delete(RecoveryCode).where(
            RecoveryCode.organisation_id == agent.organisation_id, RecoveryCode.agent_id == agent.id
        )
    )
    db.flush()
    return agent
