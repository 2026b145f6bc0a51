"""Retention: what an organisation keeps, and for how long.

Per organisation (Settings → Access log), each off (0) until an admin sets it:
- transcripts of cases closed more than N months ago are wiped (the messages and their copies in the
  timeline); the cases, their contacts and counts stay, as after an erasure;
- attachments of cases closed more than N months ago go: the row, and the stored bytes once no other
  attachment of the organisation has the same content; the case's timeline says so
  ("bijlage verwijderd (bewaartermijn)") and the file's name is wiped from its `attachment.added` event;
- signals received more than N days ago lose their attributes and references;
- messages sent to customers more than N days ago (the outbox) lose address, subject and body;
- access log entries older than N days are dropped.
`due` counts what the next run would touch (the dry run the settings page shows); the worker applies
it once a day per organisation (`apply_due_retention`, a timed step in `attent.wiring`), each
organisation in a transaction of its own, with statements over sets of rows rather than a row at a time.
The bytes of removed attachments are deleted after that transaction commits (a side effect: a rollback
must not leave rows pointing at deleted files); a crash in between leaves content no row names, which
`attent files sweep` removes.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Text, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.agents.service import require_role
from attent.contacts import MessageAdded
from attent.core import access
from attent.core.db import Base, Database
from attent.core.errors import FieldError, Invalid
from attent.core.settings import Settings
from attent.files import AttachmentAdded
from attent.files.service import forget_content
from attent.organisations.service import get_organisation
from attent.privacy.kinds import AttachmentExpired
from attent.privacy.scrub import WIPED, wiped_columns
from attent.privacy.service import wipe_rows
from attent.timeline.service import record_system_events

KEYS = {
    "retention_transcript_months": (0, 120),
    "retention_attachment_months": (0, 120),
    "retention_signal_days": (0, 3650),
    "retention_outbox_days": (0, 3650),
    "retention_access_log_days": (0, 3650),
}


def retention_settings(*, db: Session, organisation_id: uuid.UUID) -> dict[str, int]:
    """The organisation's periods (0: keep)."""
    settings = get_organisation(db=db, organisation_id=organisation_id).settings or {}
    return {key: int(settings.get(key, 0)) for key in KEYS}


def set_retention(*, db: Session, actor: Agent, periods: dict[str, int]) -> dict[str, int]:
    """Admins set the periods; each within its range."""
    require_role(actor)
    bad = [
        FieldError((key,), "Between {low} and {high}.", {"low": KEYS[key][0], "high": KEYS[key][1]})
        for key, value in periods.items()
        if key in KEYS and not KEYS[key][0] <= value <= KEYS[key][1]
    ]
    if bad:
        raise Invalid("retention_out_of_range", "A retention period is out of range.", bad)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    org.settings = {**(org.settings or {}), **{k: v for k, v in periods.items() if k in KEYS}}
    db.flush()
    return retention_settings(db=db, organisation_id=actor.organisation_id)


def _targets(
    organisation_id: uuid.UUID, periods: dict[str, int], now: datetime
) -> dict[str, tuple[Any, Any]]:
    """Per kind: (table, the condition for its rows that are past their period and not yet wiped)."""
    t = Base.metadata.tables
    found: dict[str, tuple[Any, Any]] = {}
    if months := periods["retention_attachment_months"]:
        attachments = t["attachments"]
        found["attachments"] = (
            attachments,
            (attachments.c.organisation_id == organisation_id)
            & attachments.c.case_id.in_(_closed_before(organisation_id, now - timedelta(days=30 * months))),
        )
    if months := periods["retention_transcript_months"]:
        messages = t["messages"]
        old = _closed_before(organisation_id, now - timedelta(days=30 * months))
        found["transcripts"] = (
            messages,
            (messages.c.organisation_id == organisation_id)
            & messages.c.case_id.in_(old)
            & (messages.c.text != WIPED),
        )
        events = t["timeline_events"]
        found["transcript_events"] = (
            events,
            (events.c.organisation_id == organisation_id) & events.c.case_id.in_(old)
            & (events.c.kind == MessageAdded.name) & ~events.c.data.is_(None),
        )  # fmt: skip
    if days := periods["retention_signal_days"]:
        signals = t["signals"]
        found["signals"] = (
            signals,
            (signals.c.organisation_id == organisation_id)
            & (signals.c.received_at < now - timedelta(days=days))
            & (signals.c.ref_value != WIPED),
        )
    if days := periods["retention_outbox_days"]:
        outbox = t["outbound_messages"]
        found["outbox"] = (
            outbox,
            (outbox.c.organisation_id == organisation_id)
            & (outbox.c.created_at < now - timedelta(days=days))
            & (outbox.c.state != "queued")
            & (outbox.c.body != WIPED),
        )
    if days := periods["retention_access_log_days"]:
        log = t["access_log"]
        found["access_log"] = (
            log,
            (log.c.organisation_id == organisation_id) & (log.c.at < now - timedelta(days=days)),
        )
    return found


def _closed_before(organisation_id: uuid.UUID, before: datetime) -> Any:
    """The ids of the organisation's cases closed (and not touched since) before `before`."""
    cases = Base.metadata.tables["cases"]
    return select(cases.c.id).where(
        cases.c.organisation_id == organisation_id, cases.c.status == "closed", cases.c.updated_at < before
    )


class _Case(NamedTuple):
    organisation_id: uuid.UUID
    id: uuid.UUID
    customer_id: uuid.UUID


def _wiped_filename(db: Session, data: Any) -> Any:
    """The payload with its `filename` overwritten, in SQL, so one UPDATE covers every event."""
    if db.get_bind().dialect.name == "postgresql":
        return func.jsonb_set(data, literal(["filename"], ARRAY(Text)), func.to_jsonb(literal(WIPED, Text)))
    return func.json_set(data, "$.filename", WIPED)


def _remove_attachments(
    db: Session, organisation_id: uuid.UUID, where: Any, now: datetime
) -> tuple[int, list[str]]:
    """Delete the attachments `where` selects, in four statements whatever their number: one read, one
    insert of their timeline events, one update wiping the file names from the events that added them,
    one delete. Returns how many, and their content hashes, whose bytes go once the transaction has
    committed."""
    t = Base.metadata.tables
    attachments, cases, events = t["attachments"], t["cases"], t["timeline_events"]
    rows = db.execute(
        select(attachments.c.id, attachments.c.sha256, cases.c.id.label("case_id"), cases.c.customer_id)
        .join(cases, (cases.c.organisation_id == attachments.c.organisation_id)
              & (cases.c.id == attachments.c.case_id))
        .where(where)
    ).all()  # fmt: skip
    if not rows:
        return 0, []
    record_system_events(
        db=db,
        entries=[
            (
                _Case(organisation_id, row.case_id, row.customer_id),
                AttachmentExpired(attachment_id=str(row.id)),
                now,
            )
            for row in rows
        ],
    )
    added = (
        (events.c.organisation_id == organisation_id)
        & events.c.case_id.in_({row.case_id for row in rows})
        & (events.c.kind == AttachmentAdded.name)
    )
    db.execute(
        update(events).where(added).values(data=_wiped_filename(db, events.c.data))
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    db.execute(delete(attachments).where(where).execution_options(synchronize_session=False))
    return len(rows), sorted({row.sha256 for row in rows})


def due(*, db: Session, organisation_id: uuid.UUID, now: datetime) -> dict[str, int]:
    """The dry run: how many rows of each kind the next run would wipe or drop."""
    periods = retention_settings(db=db, organisation_id=organisation_id)
    counts = {}
    for kind, (table, where) in _targets(organisation_id, periods, now).items():
        if kind == "transcript_events":
            continue
        counts[kind] = int(db.scalar(select(func.count()).select_from(table).where(where)) or 0)
    return counts


def apply(
    *, db: Session, organisation_id: uuid.UUID, now: datetime, contents: list[str] | None = None
) -> dict[str, int]:
    """Wipe and drop what is past its period; returns the counts. The content hashes of the attachments
    removed are added to `contents`: the caller deletes their bytes after it commits."""
    periods = retention_settings(db=db, organisation_id=organisation_id)
    done: dict[str, int] = {}
    for kind, (table, where) in _targets(organisation_id, periods, now).items():
        if kind == "attachments":
            done[kind], removed = _remove_attachments(db, organisation_id, where, now)
            if contents is not None:
                contents.extend(removed)
        elif kind == "access_log":
            done[kind] = access.purge_before(
                db, organisation_id=organisation_id,
                before=now - timedelta(days=periods["retention_access_log_days"]),
            )  # fmt: skip
        elif kind == "transcript_events":
            wipe_rows(db, table, where, [c for c in wiped_columns(list(table.columns)) if c.name == "data"])
        else:
            done[kind] = wipe_rows(db, table, where)
    org = get_organisation(db=db, organisation_id=organisation_id)
    org.settings = {**(org.settings or {}), "retention_last_run": now.date().isoformat()}
    db.flush()
    return done


def apply_due_retention(*, database: Database, now: datetime, limit: int, settings: Settings) -> int:
    """The worker's daily round: each organisation with a period set, once a calendar day (UTC)."""
    orgs = Base.metadata.tables["organisations"]
    with database.unit_of_work() as db:
        rows = db.execute(select(orgs.c.id, orgs.c.settings)).all()
    total = 0
    for org_id, org_settings in rows:
        org_settings = org_settings or {}
        if org_settings.get("retention_last_run") == now.date().isoformat():
            continue
        if not any(int(org_settings.get(key, 0)) for key in KEYS):
            continue
        contents: list[str] = []
        with database.unit_of_work() as db:
            total += sum(apply(db=db, organisation_id=org_id, now=now, contents=contents).values())
        if contents and settings is not None:  # after the commit; content stored again since `now` stays
            with database.unit_of_work() as db:
                forget_content(
                    db, org_id=org_id, sha256s=contents, settings=settings, unless_touched_since=now
                )
    return total
