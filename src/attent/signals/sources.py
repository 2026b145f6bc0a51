"""Webhook sources: where other systems post, how their bodies map to signals, and their secrets.

A source's shared secret is derived from the server's ATTENT_SECRET_KEY, the organisation, the
source's name and a random salt (HMAC-SHA256), so the database holds nothing that signs a webhook:
a stolen backup cannot forge one. Rotating draws a new salt. Changing ATTENT_SECRET_KEY changes
every source's secret (the admin then hands the new ones out).
"""

import hashlib
import hmac
import json
import re
import secrets
import uuid
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import require_role
from attent.core.errors import FieldError, Invalid, NotFound, Unauthenticated
from attent.core.forms import plain
from attent.core.i18n import Label
from attent.organisations.service import find_organisation
from attent.signals.models import HookRejection, SignalSource
from attent.signals.schemas import MAX_BATCH, RejectionRead, SignalIn, SignalsAccepted, SourceIn, SourceRead
from attent.signals.service import take_in

TOLERANCE_SECONDS = 300  # a signature older (or newer) than this is a replay, or a clock to fix
SIGNATURE_HEADER = "X-Attent-Signature"
_SIGNATURE = re.compile(r"^t=(\d{1,12}),v1=([0-9a-f]{64})$")
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]")


class HookRejected(Exception):
    """A webhook whose signature or timestamp does not hold; recorded, then answered with 401."""

    def __init__(self, organisation_id: uuid.UUID, source: str, reason: str) -> None:
        super().__init__(reason)
        self.organisation_id, self.source, self.reason = organisation_id, source, reason


def _secret(key: str, organisation_id: uuid.UUID, name: str, salt: str) -> str:
    digest = hmac.new(key.encode(), f"hook:{organisation_id}:{name}:{salt}".encode(), hashlib.sha256)
    return "whsec_" + digest.hexdigest()


def put_source(
    *, db: Session, actor: Agent, name: str, data: SourceIn, at: datetime, key: str, rotate: bool = False
) -> SourceRead:
    """Create or change a source (admins); the secret is shown when it is new or rotated, never again."""
    require_role(actor, Role.ADMIN)
    source = _find(db, actor.organisation_id, name)
    new_secret = source is None or rotate
    if source is None:
        source = SignalSource(organisation_id=actor.organisation_id, name=name, created_at=at)
        db.add(source)
    if new_secret:
        source.secret_salt = secrets.token_hex(16)
    source.mapping, source.updated_at = data.mapping.model_dump(), at
    db.flush()
    secret = _secret(key, actor.organisation_id, name, source.secret_salt) if new_secret else None
    return _read(db, source, actor, secret)


def get_source(*, db: Session, actor: Agent, name: str) -> SourceRead:
    """A source and its recent refusals (admins)."""
    require_role(actor, Role.ADMIN)
    source = _find(db, actor.organisation_id, name)
    if source is None:
        raise NotFound("signal_source_not_found", "No signal source named “{name}” exists.", name=name)
    return _read(db, source, actor, None)


def list_sources(*, db: Session, actor: Agent) -> list[SourceRead]:
    """Every source of the organisation (admins)."""
    require_role(actor, Role.ADMIN)
    rows = db.scalars(
        select(SignalSource)
        .where(SignalSource.organisation_id == actor.organisation_id)
        .order_by(SignalSource.name)
    )
    return [_read(db, source, actor, None) for source in rows]


def source_names(*, db: Session, organisation_id: uuid.UUID) -> set[str]:
    """The names of the organisation's sources (a rule's webhook is signed with one of them)."""
    rows = db.scalars(select(SignalSource.name).where(SignalSource.organisation_id == organisation_id))
    return set(rows)


def outbound_secret(*, db: Session, organisation_id: uuid.UUID, source: str, key: str) -> bytes:
    """The shared secret that signs calls to a source's system."""
    found = _find(db, organisation_id, source)
    if found is None:
        raise LookupError(f"signal source {source!r} no longer exists")
    return _secret(key, organisation_id, source, found.secret_salt).encode()


def _find(db: Session, organisation_id: uuid.UUID, name: str) -> SignalSource | None:
    return db.scalar(
        select(SignalSource).where(SignalSource.organisation_id == organisation_id, SignalSource.name == name)
    )


def _read(db: Session, source: SignalSource, actor: Agent, secret: str | None) -> SourceRead:
    org = find_org_slug(db, actor.organisation_id)
    rejections = db.scalars(
        select(HookRejection)
        .where(HookRejection.organisation_id == source.organisation_id, HookRejection.source == source.name)
        .order_by(HookRejection.at.desc())
        .limit(20)
    )
    return SourceRead(
        name=source.name,
        url_path=f"/hooks/{org}.{source.name}",
        mapping=source.mapping,
        secret=secret,
        created_at=source.created_at,
        updated_at=source.updated_at,
        rejections=[RejectionRead.model_validate(r) for r in rejections],
    )


def find_org_slug(db: Session, organisation_id: uuid.UUID) -> str:
    """The organisation's slug, the first half of its hook addresses."""
    from attent.organisations.service import get_organisation

    return get_organisation(db=db, organisation_id=organisation_id).slug


# --- receiving ----------------------------------------------------------------------------------------


def verify(
    *, db: Session, address: str, body: bytes, signature: str | None, now: datetime, key: str
) -> SignalSource:
    """The source a webhook is for, if its signature and timestamp hold; HookRejected if they do not."""
    slug, _, name = address.partition(".")
    organisation = find_organisation(db=db, slug=slug)
    source = _find(db, organisation.id, name) if name else None
    if source is None:
        raise NotFound("signal_source_not_found", "No webhook source at {path}.", path=f"/hooks/{address}")
    secret = _secret(key, organisation.id, name, source.secret_salt)
    check_signature(
        organisation_id=organisation.id, source=name, secret=secret, signature=signature, body=body, now=now
    )
    return source


def hook_secret(*, key: str, organisation_id: uuid.UUID, name: str, salt: str) -> str:
    """The shared secret of a hook address (a signal source's, or the phone line's), derived, never stored."""
    return _secret(key, organisation_id, name, salt)


def check_signature(
    *, organisation_id: uuid.UUID, source: str, secret: str, signature: str | None, body: bytes, now: datetime
) -> None:
    """HookRejected unless `signature` (t=…,v1=…) is the secret's HMAC-SHA256 over "t." + body, fresh."""
    match = _SIGNATURE.match(signature or "")
    if signature is None:
        raise HookRejected(organisation_id, source, "missing_signature")
    if match is None:
        raise HookRejected(organisation_id, source, "malformed_signature")
    timestamp = int(match.group(1))
    if abs(now.timestamp() - timestamp) > TOLERANCE_SECONDS:
        raise HookRejected(organisation_id, source, "stale_timestamp")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match.group(2)):
        raise HookRejected(organisation_id, source, "bad_signature")


def record_rejection(
    *,
    db: Session,
    rejected: HookRejected,
    remote: str | None,
    body_bytes: int,
    at: datetime,
    header: str = SIGNATURE_HEADER,
) -> Unauthenticated:
    """Keep a refused webhook for the admins to see; returns the error to answer with."""
    db.add(
        HookRejection(
            organisation_id=rejected.organisation_id,
            source=rejected.source,
            at=at,
            reason=rejected.reason,
            remote=(remote or "")[:64] or None,
            body_bytes=body_bytes,
        )
    )
    db.flush()
    return Unauthenticated(
        rejected.reason,
        "The webhook's {header} header does not hold ({reason}); it was refused and recorded.",
        header=header,
        reason=Label(rejected.reason, "signature"),
    )


def receive(*, db: Session, source: SignalSource, body: bytes, at: datetime) -> SignalsAccepted:
    """Map a verified webhook body (one event, or a list of them) to signals and take them in."""
    try:
        document = json.loads(body)
    except ValueError:
        raise Invalid("invalid_json", "The webhook body is not valid JSON.") from None
    events = document if isinstance(document, list) else [document]
    if not events or len(events) > MAX_BATCH:
        raise Invalid("invalid_batch", "A webhook carries 1 to {n} events.", n=MAX_BATCH)
    signals, errors = [], []
    for i, event in enumerate(events):
        at_path: tuple[str | int, ...] = (i,) if isinstance(document, list) else ()
        try:
            signals.append(SignalIn.model_validate(map_event(source.mapping, event)))
        except ValidationError as exc:
            errors += [FieldError((*at_path, *e["loc"]), *plain(e)) for e in exc.errors()]
    if errors:
        raise Invalid("unmappable_webhook", "The webhook body does not map to signals; see errors.", errors)
    return take_in(
        db=db, organisation_id=source.organisation_id, source=source.name, signals=signals, batch=False, at=at
    )


def map_event(mapping: dict[str, Any], event: Any) -> dict[str, Any]:
    """One webhook event as a signal, by the source's mapping (JSON paths and fixed values)."""
    kind = pick(event, mapping["type"])
    kind = mapping.get("type_map", {}).get(kind, kind)
    ref = pick(event, mapping["customer_ref"])
    return {
        "type": kind,
        "customer_ref": {
            "system": mapping["customer_ref_system"],
            "value": None if ref is None else str(ref),
        },
        "occurred_at": pick(event, mapping["occurred_at"]),
        "external_id": None if (ext := pick(event, mapping["external_id"])) is None else str(ext),
        "attributes": {
            name: value
            for name, path in mapping.get("attributes", {}).items()
            if (value := pick(event, path)) is not None
        },
    }


def pick(document: Any, expression: str) -> Any:
    """'$.a.b[0]' looked up in the document (None when absent); anything else is a fixed value."""
    if not expression.startswith("$"):
        return expression
    value, rest = document, expression[1:]
    while rest:
        step = _STEP.match(rest)
        if step is None:
            return None
        name, index = step.groups()
        if name is not None:
            value = value.get(name) if isinstance(value, dict) else None
        else:
            position = int(index)
            value = value[position] if isinstance(value, list) and position < len(value) else None
        if value is None:
            return None
        rest = rest[step.end() :]
    return value
