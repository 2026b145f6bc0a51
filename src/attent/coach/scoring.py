"""Scoring contacts stored in Attent: the cheap enqueue a request does, and the batch the worker does.

The request that ends a contact (or adds messages to an ended one) writes one `coach_queue` row; the
worker claims due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL), scores them, stores the scorecard, its
verdicts and promise proposals, records `coach.scored`, and deletes the row in the same transaction. A
second enqueue while the worker holds the row waits for it and then queues the contact again, so
messages added during scoring are never lost; a contact scored and unchanged is never scored again.
"""

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, exists, literal, select, true
from sqlalchemy.orm import Session

from attent.cases import Case, CaseStatus
from attent.coach.engine import BusinessHours, Line, Scorecard, Transcript, score
from attent.coach.kinds import CoachScored
from attent.coach.models import (
    ContactScorecard,
    PromiseProposal,
    ProposalState,
    Result,
    ScoredVerdict,
    ScoringDue,
)
from attent.coach.schemas import say_reason
from attent.coach.settings import auto_promises, business_hours
from attent.contacts import Contact, Message, Outcome
from attent.core import claims
from attent.core.db import insert_many, upsert_insert
from attent.core.ids import uuid7
from attent.core.live import case_key, changed
from attent.organisations import Organisation
from attent.promises import PromiseKind, PromiseSource
from attent.promises.service import create as create_promise
from attent.timeline.service import record_case_event
from attent.verification.service import policy_of

QUOTE_CHARS = 300
DROPPED_LINE = {"nl": "[verbinding verbroken]", "en": "[call dropped]"}  # what the rule book reads as a drop
log = logging.getLogger(__name__)


class Said(NamedTuple):
    """One message as scoring reads it."""

    id: uuid.UUID
    speaker: str
    text: str
    at: datetime


def queue(
    *, db: Session, organisation_id: uuid.UUID, contact_id: uuid.UUID, at: datetime, if_messages: bool = False
) -> None:
    """One small row for the worker, in one statement; queuing a queued contact again moves its due time.

    With `if_messages` the row is only written when the contact has a message (checked in the same
    statement: an ended contact without a transcript has nothing to score).
    """
    columns = ScoringDue.__table__.c
    values = select(
        literal(organisation_id, columns.organisation_id.type),
        literal(uuid7(), columns.id.type),
        literal(contact_id, columns.contact_id.type),
        literal(at, columns.due_at.type),
    )
    spoken = exists().where(Message.organisation_id == organisation_id, Message.contact_id == contact_id)
    values = values.where(spoken if if_messages else true())  # SQLite's upsert needs a WHERE after SELECT
    insert = upsert_insert(db)
    queued = insert(ScoringDue).from_select(["organisation_id", "id", "contact_id", "due_at"], values)
    db.execute(  # excluded.*, not a parameter again: Citus loses a parameter's type in DO UPDATE
        queued.on_conflict_do_update(
            index_elements=["organisation_id", "contact_id"], set_={"due_at": queued.excluded.due_at}
        )
    )


def week_of(at: datetime, zone: str) -> str:
    """The ISO week of a moment in a zone, as '2026-W48'."""
    year, week, _ = at.astimezone(ZoneInfo(zone)).isocalendar()
    return f"{year}-W{week:02d}"


class _Org:
    """What scoring needs from an organisation, read once per batch."""

    def __init__(self, org: Organisation) -> None:
        self.org = org
        self.facts = [q.fact for q in policy_of(org.settings).questions]
        self.hours: BusinessHours = business_hours(org.settings)
        self.auto = auto_promises(org.settings)


def due_for_scoring(*, now: datetime, limit: int) -> Select[ScoringDue]:
    """Queued contacts whose time has come, for the worker to claim."""
    return select(ScoringDue).where(ScoringDue.due_at <= now).order_by(ScoringDue.due_at).limit(limit)


def score_due(*, db: Session, now: datetime, limit: int) -> int:
    """Claim due contacts, score each, store the results; returns how many queue rows were done."""
    due = list(claims.claim(db, due_for_scoring(now=now, limit=limit), model=ScoringDue))
    return score_claimed(db=db, due=due, now=now)


def score_claimed(*, db: Session, due: Sequence[ScoringDue], now: datetime) -> int:
    """Score claimed queue rows and store the results in the caller's transaction; returns how many."""
    by_org: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for row in due:
        by_org[row.organisation_id].append(row.contact_id)
    for organisation_id, contact_ids in by_org.items():
        org = db.get(Organisation, organisation_id)
        assert org is not None
        _score_contacts(db, _Org(org), contact_ids, now)
    if due:
        db.execute(delete(ScoringDue).where(ScoringDue.id.in_([r.id for r in due])))
    db.flush()
    return len(due)


def _score_contacts(db: Session, org: _Org, contact_ids: list[uuid.UUID], now: datetime) -> None:
    oid = org.org.id
    contacts = list(
        db.scalars(select(Contact).where(Contact.organisation_id == oid, Contact.id.in_(contact_ids)))
    )
    messages: dict[uuid.UUID, list[Said]] = defaultdict(list)
    for row in db.execute(  # plain rows, not ORM objects: a batch reads thousands of lines
        select(Message.contact_id, Message.id, Message.speaker, Message.text, Message.at)
        .where(Message.organisation_id == oid, Message.contact_id.in_(contact_ids))
        .order_by(Message.contact_id, Message.at, Message.id)
    ):
        messages[row[0]].append(Said(row[1], row[2].value, row[3], row[4]))
    cases = {
        c.id: c
        for c in db.scalars(
            select(Case).where(Case.organisation_id == oid, Case.id.in_({c.case_id for c in contacts}))
        )
    }
    stored = {
        s.contact_id: s
        for s in db.scalars(
            select(ContactScorecard).where(
                ContactScorecard.organisation_id == oid, ContactScorecard.contact_id.in_(contact_ids)
            )
        )
    }
    proposed = set(
        db.scalars(
            select(PromiseProposal.message_id).where(
                PromiseProposal.organisation_id == oid, PromiseProposal.contact_id.in_(contact_ids)
            )
        )
    )
    if stored:  # re-scoring replaces the verdicts
        db.execute(
            delete(ScoredVerdict).where(
                ScoredVerdict.organisation_id == oid,
                ScoredVerdict.scorecard_id.in_([s.id for s in stored.values()]),
            )
        )
    verdict_rows: list[dict[str, Any]] = []
    new_sheets: list[dict[str, Any]] = []
    for contact in contacts:
        lines = messages.get(contact.id)
        if contact.ended_at is None or not lines:
            continue  # nothing to score (yet): a later message or the end queues it again
        case = cases[contact.case_id]
        transcript = Transcript(
            tuple(Line(m.speaker, m.text, (m.at - contact.started_at).total_seconds()) for m in lines)
            + _drop(contact, lines, org.org.language),
            started_at=contact.started_at,
            timezone=org.org.timezone,
            channel=contact.channel.value,
        )
        try:
            card = score(transcript, policy_facts=org.facts, hours=org.hours)
        except Exception:  # one transcript the engine chokes on must not block the queue behind it
            log.exception("coach: scoring contact %s failed; it is skipped until it changes", contact.id)
            continue
        sheet_id = _store(db, contact, stored.get(contact.id), card, len(lines), now, new_sheets)
        week = week_of(contact.ended_at, org.org.timezone)
        for position, verdict in enumerate(card.verdicts):
            verdict_rows.append(
                {
                    "organisation_id": oid,
                    "id": uuid7(),
                    "scorecard_id": sheet_id,
                    "case_id": contact.case_id,
                    "agent_id": contact.agent_id,
                    "behaviour": verdict.behaviour,
                    "position": position,
                    "result": Result(verdict.result),
                    "lines": [i for i in verdict.lines if i < len(lines)],  # messages, not the drop
                    "reason_nl": say_reason(verdict, "nl"),
                    "reason_en": say_reason(verdict, "en"),
                    "quote": _quote(lines, verdict.lines),
                    "at": contact.ended_at,
                    "week": week,
                }
            )
        made = _propose(db, org, case, contact, lines, card, proposed, now)
        scored = CoachScored(
            contact_id=str(contact.id),
            scorecard_id=str(sheet_id),
            met=card.met,
            applicable=card.applicable,
            missed=[v.behaviour for v in card.verdicts if v.result == Result.MISSED],
            promises=len(card.promises),
            promises_made=made,
            language=card.language,
        )
        record_case_event(db=db, case=case, event=scored, at=now, actor=None)
        changed(db, case_key(oid, case.id))
    db.flush()
    insert_many(db, ContactScorecard, new_sheets)
    insert_many(db, ScoredVerdict, verdict_rows)


def _drop(contact: Contact, lines: list["Said"], language: str) -> tuple[Line, ...]:
    """The drop as the coach reads it in a transcript: a system line at the moment the contact ended.

    A contact logged as dropped says so in its outcome, not in its messages; without the line the coach
    judged the call as ended normally (no closing check: missed) and could not see the wait before the
    drop. A transcript that ends in a system line of its own (the phone system's "call dropped") keeps it."""
    if contact.outcome is not Outcome.DROPPED or contact.ended_at is None or lines[-1].speaker == "system":
        return ()
    text = DROPPED_LINE.get(language, DROPPED_LINE["en"])
    return (Line("system", text, (contact.ended_at - contact.started_at).total_seconds()),)


def _store(
    db: Session,
    contact: Contact,
    sheet: ContactScorecard | None,
    card: Scorecard,
    lines: int,
    now: datetime,
    new_sheets: list[dict[str, Any]],
) -> uuid.UUID:
    """Update a stored scorecard in place, or add a row for the batch to insert in one go."""
    assert contact.ended_at is not None
    values = {
        "case_id": contact.case_id,
        "agent_id": contact.agent_id,
        "language": card.language,
        "mixed": card.mixed,
        "met": card.met,
        "applicable": card.applicable,
        "lines": lines,
        "contact_at": contact.ended_at,
        "scored_at": now,
    }
    if sheet is not None:
        for name, value in values.items():
            setattr(sheet, name, value)
        return sheet.id
    sheet_id = uuid7()
    new_sheets.append(
        {"organisation_id": contact.organisation_id, "id": sheet_id, "contact_id": contact.id, **values}
    )
    return sheet_id


def _quote(lines: list["Said"], evidence: tuple[int, ...]) -> str | None:
    """The evidence line to show on a coaching card: the agent's own words where there are any."""
    shown = [i for i in evidence if 0 <= i < len(lines)]
    agent = [i for i in shown if lines[i].speaker == "agent"]
    picks = agent or shown
    return lines[picks[0]].text[:QUOTE_CHARS] if picks else None


def _propose(
    db: Session,
    org: _Org,
    case: Case,
    contact: Contact,
    lines: list["Said"],
    card: Scorecard,
    proposed: set[uuid.UUID],
    now: datetime,
) -> int:
    """A proposal per promise in a message not proposed before; made at once when the organisation says so."""
    made = 0
    for found in card.promises:
        message_id = lines[found.line].id
        if message_id in proposed or found.due <= now:
            continue  # proposed before, or already due (a transcript logged afterwards): nothing to keep
        proposed.add(message_id)
        proposal = PromiseProposal(
            organisation_id=contact.organisation_id,
            id=uuid7(),
            contact_id=contact.id,
            case_id=case.id,
            agent_id=contact.agent_id,
            message_id=message_id,
            line=found.line,
            kind=found.kind,
            due_at=found.due,
            words=found.words[:2000],
            state=ProposalState.PROPOSED,
            created_at=now,
        )
        db.add(proposal)
        if org.auto and case.status is not CaseStatus.CLOSED:
            promise = create_promise(
                db=db,
                case=case,
                kind=PromiseKind(found.kind),
                due_by=found.due,
                at=now,
                actor=None,
                owner_id=contact.agent_id,
                words=proposal.words,
                source=PromiseSource.COACH,
                contact_id=contact.id,
            )
            proposal.state, proposal.promise_id, proposal.decided_at = ProposalState.MADE, promise.id, now
            made += 1
    return made


def score_all_due(*, db: Session, now: datetime) -> int:
    """Score everything queued, batch after batch, in the caller's transaction (the demo, a backfill)."""
    total = 0
    while done := score_due(db=db, now=now, limit=500):
        total += done
    return total
