"""Idempotency-Key for POST: a retried request returns the first result and creates nothing twice.

The key row is inserted at the start of the request's transaction. A concurrent duplicate blocks on
the unique key until the first commits, then replays its stored response; if the first fails, its
row rolls back with everything else, so a retry simply runs again.

A key belongs to its caller: the organisation, the agent and the kind of credential (an API token or
a web session) are part of it, so one caller's key never replays the response another caller got.
The caller is authorised before the key is looked at (see `core/deps.open_guard`).
"""

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from attent.core.db import Base, JSONType
from attent.core.errors import Invalid

MAX_KEY_LENGTH = 200


class IdempotencyRecord(Base):
    """The first response to a keyed POST, kept so retries get the same answer."""

    __tablename__ = "idempotency_records"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        Index("ix_idempotency_records_created_at", "created_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agent_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    credential: Mapped[str] = mapped_column(String(16), primary_key=True)  # "api" or "session"
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response: Mapped[Any | None] = mapped_column(JSONType)
    created_at: Mapped[datetime]


class Replay(Exception):
    """Raised to short-circuit a request whose key was seen: the app answers with the stored response."""

    def __init__(self, status_code: int, body: Any) -> None:
        super().__init__("idempotent replay")
        self.status_code, self.body = status_code, body


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests 'the same request'."""
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


class IdempotencyGuard:
    """Handed to a POST route; `remember` stores the response in the same transaction."""

    def __init__(self, db: Session, record: IdempotencyRecord | None) -> None:
        self._db, self._record = db, record

    def remember(self, response: Any, status_code: int = 201) -> Any:
        """Store the response (a Pydantic model or JSON value) and return it unchanged."""
        if self._record is not None:
            dump = getattr(response, "model_dump", None)
            self._record.response = dump(mode="json") if dump else response
            self._record.status_code = status_code
            self._db.flush()
        return response


def begin(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    agent_id: uuid.UUID,
    credential: str,
    key: str | None,
    print_: str,
    at: datetime,
) -> IdempotencyGuard:
    """Claim the caller's key for this request or raise Replay with the response the caller got first."""
    if key is None:
        return IdempotencyGuard(db, None)
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise Invalid(
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to {max} characters long.",
            max=MAX_KEY_LENGTH,
        )
    record = IdempotencyRecord(
        organisation_id=organisation_id,
        agent_id=agent_id,
        credential=credential,
        key=key,
        fingerprint=print_,
        created_at=at,
    )
    try:
        with db.begin_nested():
            db.add(record)
    except IntegrityError:
        existing = db.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.organisation_id == organisation_id,
                IdempotencyRecord.agent_id == agent_id,
                IdempotencyRecord.credential == credential,
                IdempotencyRecord.key == key,
            )
        )
        if existing is None or existing.status_code is None:
            raise Invalid(
                "idempotency_key_in_use", "A request with this Idempotency-Key is still running."
            ) from None
        if existing.fingerprint != print_:
            raise Invalid(
                "idempotency_key_reused",
                "This Idempotency-Key was used for a different request; use a new key for a new request.",
            ) from None
        raise Replay(existing.status_code, existing.response) from None
    return IdempotencyGuard(db, record)
