"""The phone line: its settings, signed events in (generic or Twilio's), its calls, an agent's live ones."""

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role, Team
from attent.agents.service import require_role
from attent.core.db import upsert_insert
from attent.core.errors import FieldError, Invalid, NotFound
from attent.core.forms import plain
from attent.core.ids import uuid7
from attent.core.pagination import MAX_LIMIT
from attent.organisations.service import find_organisation, get_organisation
from attent.phone import twilio
from attent.phone.calls import SETTLE_AFTER, advance, agent_key, events_of, lock_calls
from attent.phone.models import Call, CallEvent, PhoneLine
from attent.phone.schemas import (
    MAX_EVENTS,
    CallRead,
    EventResult,
    EventsAccepted,
    PhoneEvent,
    PhoneLineIn,
    PhoneLineRead,
)
from attent.signals import HookRejected, HookRejection, check_signature, hook_secret

HOOK_NAME = "phone"  # the line's hook address is /hooks/{org}.phone; refusals are recorded under it
_EVENTS = TypeAdapter(list[PhoneEvent])

__all__ = ["agent_key"]


def find_line(*, db: Session, organisation_id: uuid.UUID) -> PhoneLine | None:
    """The organisation's phone line, if it has one."""
    return db.scalar(select(PhoneLine).where(PhoneLine.organisation_id == organisation_id))


def put_line(
    *, db: Session, actor: Agent, data: PhoneLineIn, at: datetime, key: str, rotate: bool = False
) -> PhoneLineRead:
    """Create or change the phone line (admins); its secret is in the answer when new or rotated only."""
    require_role(actor, Role.ADMIN)
    _check_refs(db, actor.organisation_id, data)
    line = find_line(db=db, organisation_id=actor.organisation_id)
    new_secret = line is None or rotate
    if line is None:
        line = PhoneLine(organisation_id=actor.organisation_id, created_at=at)
    if new_secret:
        line.secret_salt = secrets.token_hex(16)
    line.provider, line.region = data.provider, data.region
    line.abandoned_after_seconds = data.abandoned_after_seconds
    line.queues = {name: str(team) for name, team in data.queues.items()}
    line.extensions = {ext: str(agent) for ext, agent in data.extensions.items()}
    if data.twilio_auth_token is not None:
        line.twilio_token = twilio.seal(
            data.twilio_auth_token, secret_key=key, organisation=str(actor.organisation_id)
        )
    if line.provider == "twilio" and line.twilio_token is None:
        raise Invalid(
            "twilio_token_missing",
            "A Twilio line needs the account's auth token, which signs Twilio's calls.",
            [FieldError(("twilio_auth_token",), "Required for Twilio.")],
        )
    line.updated_at = at
    db.add(line)
    db.flush()
    secret = hook_secret(key=key, organisation_id=line.organisation_id, name=HOOK_NAME, salt=line.secret_salt)
    return _read(db, line, secret if new_secret else None)


def _check_refs(db: Session, organisation_id: uuid.UUID, data: PhoneLineIn) -> None:
    errors = [
        FieldError(("queues", name), "No team with id {id}.", {"id": team})
        for name, team in data.queues.items()
        if db.get(Team, (organisation_id, team)) is None
    ] + [
        FieldError(("extensions", ext), "No agent with id {id}.", {"id": agent})
        for ext, agent in data.extensions.items()
        if db.get(Agent, (organisation_id, agent)) is None
    ]
    if errors:
        raise Invalid("invalid_phone_line", "The phone line names teams or agents that do not exist.", errors)


def get_line(*, db: Session, actor: Agent) -> PhoneLineRead:
    """The phone line and its recent refusals (admins)."""
    require_role(actor, Role.ADMIN)
    line = find_line(db=db, organisation_id=actor.organisation_id)
    if line is None:
        raise NotFound("phone_line_not_found", "This organisation has no phone line yet.")
    return _read(db, line, None)


def _read(db: Session, line: PhoneLine, secret: str | None) -> PhoneLineRead:
    org = get_organisation(db=db, organisation_id=line.organisation_id)
    refused = db.scalars(
        select(HookRejection)
        .where(HookRejection.organisation_id == line.organisation_id, HookRejection.source == HOOK_NAME)
        .order_by(HookRejection.at.desc())
        .limit(20)
    )
    return PhoneLineRead(
        url_path=f"/hooks/{org.slug}.{HOOK_NAME}",
        provider=line.provider,
        has_twilio_auth_token=line.twilio_token is not None,
        abandoned_after_seconds=line.abandoned_after_seconds,
        region=line.region,
        queues=line.queues,
        extensions=line.extensions,
        secret=secret,
        created_at=line.created_at,
        updated_at=line.updated_at,
        rejections=[
            {"at": r.at, "reason": r.reason, "remote": r.remote, "body_bytes": r.body_bytes} for r in refused
        ],
    )


# --- receiving ----------------------------------------------------------------------------------------


def line_at(*, db: Session, slug: str) -> PhoneLine:
    """The phone line of the organisation at this hook address (404 when it has none)."""
    org = find_organisation(db=db, slug=slug)
    line = find_line(db=db, organisation_id=org.id)
    if line is None:
        raise NotFound("phone_line_not_found", "No phone line at {path}.", path=f"/hooks/{slug}.{HOOK_NAME}")
    return line


def verify_generic(*, line: PhoneLine, body: bytes, signature: str | None, now: datetime, key: str) -> None:
    """HookRejected unless the body is signed like every Attent webhook (X-Attent-Signature)."""
    secret = hook_secret(key=key, organisation_id=line.organisation_id, name=HOOK_NAME, salt=line.secret_salt)
    check_signature(
        organisation_id=line.organisation_id,
        source=HOOK_NAME,
        secret=secret,
        signature=signature,
        body=body,
        now=now,
    )


def verify_twilio(
    *, line: PhoneLine, url: str, fields: dict[str, str], signature: str | None, key: str
) -> None:
    """HookRejected unless Twilio signed this URL and these fields with the line's auth token."""
    if signature is None:
        raise HookRejected(line.organisation_id, HOOK_NAME, "missing_signature")
    token = (
        twilio.unseal(line.twilio_token, secret_key=key, organisation=str(line.organisation_id))
        if line.twilio_token
        else None
    )
    if token is None or not twilio.signed(token, url, fields, signature):
        raise HookRejected(line.organisation_id, HOOK_NAME, "bad_signature")


def parse_events(body: bytes) -> list[Any]:
    """A JSON body's events: one event, a list, or {"events": [...]}, 1 to MAX_EVENTS of them."""
    try:
        document = json.loads(body)
    except ValueError:
        raise Invalid("invalid_json", "The webhook body is not valid JSON.") from None
    if isinstance(document, dict) and "events" in document:
        document = document["events"]
    events = document if isinstance(document, list) else [document]
    if not events or len(events) > MAX_EVENTS:
        raise Invalid("invalid_batch", "A webhook carries 1 to {n} events.", n=MAX_EVENTS)
    return events


def validate(events: list[Any]) -> list[PhoneEvent]:
    """Every event checked before any is taken (bad input names the field: `[2, "cause"]`)."""
    try:
        return _EVENTS.validate_python(events)
    except ValidationError as exc:
        errors = [FieldError(tuple(e["loc"]), *plain(e)) for e in exc.errors()]
        raise Invalid("invalid_phone_event", "The call events do not hold; see errors.", errors) from None


def receive(*, db: Session, line: PhoneLine, events: list[PhoneEvent], at: datetime) -> EventsAccepted:
    """Keep the events in one statement (a repeat is not inserted) for `phone.intake` to do right after
    the answer; the route commits. Each is answered `queued` or `duplicate`."""
    items = _queue(db, line, events, at)
    queued = sum(1 for i in items if i.result == "queued")
    return EventsAccepted(accepted=len(items), duplicates=len(items) - queued, queued=queued, items=items)


def _queue(db: Session, line: PhoneLine, events: list[PhoneEvent], at: datetime) -> list[EventResult]:
    """Keep a batch's events in one statement (repeats are not inserted), for the worker to do."""
    own = {"call_id", "sequence", "type", "at"}
    rows = [
        {
            "organisation_id": line.organisation_id,
            "id": uuid7(),
            "call_ref": e.call_id,
            "sequence": e.sequence,
            "type": e.type,
            "at": e.at,
            "received_at": at,
            "processed_at": None,
            "payload": e.model_dump(mode="json", by_alias=True, exclude=own),
        }
        for e in events
    ]
    statement = (
        upsert_insert(db)(CallEvent)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["organisation_id", "call_ref", "sequence"])
        .returning(CallEvent.call_ref, CallEvent.sequence)
    )
    kept = {(ref, seq) for ref, seq in db.execute(statement)}
    return [
        EventResult(
            call_id=e.call_id,
            sequence=e.sequence,
            result="queued" if (e.call_id, e.sequence) in kept else "duplicate",
        )
        for e in events
    ]


def queued_events(*, now: datetime, limit: int) -> Any:
    """The query for events a large batch left to the worker, oldest first."""
    return (
        select(CallEvent)
        .where(CallEvent.processed_at.is_(None), CallEvent.received_at <= now)
        .order_by(CallEvent.received_at, CallEvent.id)
        .limit(limit)
    )


def process_queued(*, db: Session, events: list[CallEvent], at: datetime) -> int:
    """Advance the calls of queued events (each call once, in call order), and mark them done.

    Per organisation, the batch's calls are made and locked in two statements and all their events
    read in one; the organisation and its line are held for the whole batch, so the session's
    identity map answers for them instead of the database."""
    by_call: dict[tuple[uuid.UUID, str], list[CallEvent]] = {}
    for event in events:
        by_call.setdefault((event.organisation_id, event.call_ref), []).append(event)
    for organisation_id in sorted({org for org, _ref in by_call}):
        line = find_line(db=db, organisation_id=organisation_id)
        refs = sorted(ref for org, ref in by_call if org == organisation_id)
        if line is not None:
            held = get_organisation(db=db, organisation_id=organisation_id)  # noqa: F841 (kept for the batch)
            calls = lock_calls(db, organisation_id, refs, at)
            known = events_of(db, organisation_id, refs)
            for ref in refs:
                call = calls[ref]
                if (
                    any(e.type == "ended" for e in by_call[(organisation_id, ref)])
                    and call.ended_received_at is None
                ):
                    call.ended_received_at = at
                advance(db, line=line, call=call, at=at, events=known[ref])
        for ref in refs:
            for event in by_call[(organisation_id, ref)]:
                event.processed_at = at
    db.flush()
    return len(events)


def settle_overdue(*, db: Session, calls: list[Call], at: datetime) -> int:
    """Settle calls whose `ended` came long ago while an event before it never did (worker)."""
    for call in calls:
        line = find_line(db=db, organisation_id=call.organisation_id)
        if line is not None:
            call.problems = {**call.problems, "settled_with_missing_events": True}
            advance(db, line=line, call=call, at=at, force=True)
    return len(calls)


def overdue_calls(*, now: datetime, limit: int) -> Any:
    """The query for calls waiting for events longer than SETTLE_AFTER."""
    return (
        select(Call)
        .where(Call.settled_at.is_(None), Call.ended_received_at <= now - SETTLE_AFTER)
        .order_by(Call.ended_received_at)
        .limit(limit)
    )


# --- reading ------------------------------------------------------------------------------------------


def list_calls(*, db: Session, actor: Agent, unsettled: bool = False, limit: int = 50) -> list[CallRead]:
    """The organisation's calls, newest first (leads and admins): what each became, and its problems."""
    require_role(actor, Role.LEAD)
    query = select(Call).where(Call.organisation_id == actor.organisation_id)
    if unsettled:
        query = query.where(Call.settled_at.is_(None))
    rows = db.scalars(query.order_by(Call.created_at.desc(), Call.id.desc()).limit(min(limit, MAX_LIMIT)))
    return [CallRead.model_validate(c) for c in rows]


def get_call(*, db: Session, actor: Agent, call_id: str) -> CallRead:
    """One call by the telephone system's id (leads and admins)."""
    require_role(actor, Role.LEAD)
    call = db.scalar(
        select(Call).where(Call.organisation_id == actor.organisation_id, Call.call_ref == call_id)
    )
    if call is None:
        raise NotFound("call_not_found", "No call with id {id}.", id=call_id)
    return CallRead.model_validate(call)


@dataclass(frozen=True)
class LiveCall:
    """A call ringing for, or being had by, one agent: what the incoming-call panel shows."""

    call_ref: str
    state: str  # ringing | answered
    number: str | None
    caller: str | None
    customer_id: uuid.UUID | None
    case_id: uuid.UUID | None
    since: datetime


def live_calls(*, db: Session, agent: Agent) -> list[LiveCall]:
    """The calls ringing for the agent or in their hands now, oldest first."""
    rows = db.scalars(
        select(Call)
        .where(
            Call.organisation_id == agent.organisation_id,
            Call.settled_at.is_(None),
            Call.ended_at.is_(None),
            or_(Call.ringing_agent_id == agent.id, Call.agent_id == agent.id),
        )
        .order_by(Call.created_at)
        .limit(5)
    )
    return [
        LiveCall(
            call_ref=c.call_ref,
            state="answered" if c.answered_at else "ringing",
            number=c.number,
            caller=c.caller,
            customer_id=c.customer_id,
            case_id=c.case_id,
            since=c.answered_at or c.ringing_at or c.created_at,
        )
        for c in rows
    ]
