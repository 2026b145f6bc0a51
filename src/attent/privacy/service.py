"""A customer's rights: export everything we hold on them as a ZIP of JSON, and erase it for good.

Both read the tables by the customer's id and their cases' ids (see `scrub`): the export takes what
the customer may see (their record, cases, the messages of their contacts, customer-visible events,
promises, the messages we sent them, surveys and gestures, signals about them); the erasure wipes
every copy of what identifies them, in every table, and keeps the structure so the figures stay true.
"""

import io
import json
import uuid
import zipfile
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import require_role
from attent.cases.service import get_case
from attent.core import access
from attent.core.db import Base
from attent.core.errors import FieldError, Invalid
from attent.core.settings import Settings
from attent.customers.service import get_customer
from attent.files.service import attachments_of, forget_content, open_content
from attent.organisations.service import get_organisation
from attent.privacy.kinds import CustomerErased
from attent.privacy.scrub import SKIP_TABLES, WIPED, wipe_json, wiped_columns
from attent.timeline.service import record_case_event

# What the customer gets a copy of (art. 15), file by file; events only those the customer can see.
EXPORTED = {
    "cases": "cases",
    "contacts": "contacts",
    "messages": "messages",
    "timeline_events": "events",
    "promises": "promises",
    "outbound_messages": "messages_sent",
    "gestures": "gestures_and_surveys",
    "check_ins": "check_ins",
    "signals": "signals",
}
# Copies that name the customer's cases without a column for it: the replay cache of API answers and
# the job queue's payloads. Erasure looks for the ids in their JSON.
BY_CONTENT = ("idempotency_records", "jobs")


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _case_ids(db: Session, organisation_id: uuid.UUID, customer_id: uuid.UUID) -> list[uuid.UUID]:
    cases = _table("cases")
    query = select(cases.c.id).where(
        cases.c.organisation_id == organisation_id, cases.c.customer_id == customer_id
    )
    return list(db.scalars(query))


def _linked(
    table: Table, organisation_id: uuid.UUID, customer_id: uuid.UUID, case_ids: list[uuid.UUID]
) -> Any:
    """The rows of `table` that belong to the customer: by customer id, else by case id."""
    where = table.c.organisation_id == organisation_id
    if "customer_id" in table.c:
        own = table.c.customer_id == customer_id
        return where & ((own | table.c.case_id.in_(case_ids)) if "case_id" in table.c else own)
    return where & table.c.case_id.in_(case_ids)


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def export_customer(
    *, db: Session, actor: Agent, customer_id: uuid.UUID, at: datetime, settings: Settings | None = None
) -> bytes:
    """A ZIP of JSON files with everything we hold on the customer (admins and leads); logged."""
    require_role(actor, Role.LEAD)
    customer = get_customer(db=db, actor=actor, customer_id=customer_id)
    case_ids = _case_ids(db, actor.organisation_id, customer.id)
    files: dict[str, Any] = {}
    customers, refs = _table("customers"), _table("customer_refs")
    record = db.execute(select(customers).where(customers.c.organisation_id == actor.organisation_id,
                                                customers.c.id == customer.id)).mappings().one()  # fmt: skip
    files["customer"] = {k: _plain(v) for k, v in record.items()} | {
        "references": [
            {"system": r.system, "value": r.value}
            for r in db.execute(
                select(refs).where(
                    refs.c.organisation_id == actor.organisation_id, refs.c.customer_id == customer.id
                )
            )
        ]
    }
    for table_name, file_name in EXPORTED.items():
        table = _table(table_name)
        query = select(table).where(_linked(table, actor.organisation_id, customer.id, case_ids))
        if table_name == "timeline_events":
            query = query.where(table.c.customer_visible.is_(True))
        if "at" in table.c:
            query = query.order_by(table.c.at)
        files[file_name] = [{k: _plain(v) for k, v in row.items()} for row in db.execute(query).mappings()]
    access.record_now(
        db,
        access.Seen(actor.organisation_id, actor.id, access.Action.EXPORT, access.Subject.CUSTOMER,
                    customer.id, at, customer_id=customer.id),
    )  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        readme = {"customer_id": str(customer.id), "exported_at": at.isoformat(), "files": sorted(files)}
        archive.writestr("README.json", json.dumps(readme, indent=2))
        for name, content in files.items():
            archive.writestr(f"{name}.json", json.dumps(content, indent=2, ensure_ascii=False, default=str))
        if settings is not None:
            for case_id in case_ids:  # every file on their cases
                for attachment in attachments_of(db, org_id=actor.organisation_id, case_id=case_id):
                    with open_content(attachment, settings=settings) as content:
                        archive.writestr(f"files/{attachment.id}-{attachment.filename}", content.read())
    return buffer.getvalue()


def erase_customer(
    *,
    db: Session,
    actor: Agent,
    customer_id: uuid.UUID,
    confirmation: str,
    at: datetime,
    settings: Settings | None = None,
) -> int:
    """Wipe every copy of the customer's personal data (admins), irreversibly; returns the rows touched.

    `confirmation` must be the customer's name as shown, typed by the admin. The customer row and the
    cases stay (their ids, types, statuses, times and counts), so reports stay true; each case gets a
    `customer.erased` event, and the access log records who erased whom."""
    require_role(actor)
    customer = get_customer(db=db, actor=actor, customer_id=customer_id)
    if confirmation.strip() != customer.name.strip():
        raise Invalid(
            "confirmation_mismatch", "Type the customer's name exactly to confirm the erasure.",
            [FieldError(("confirmation",), "This is not the customer's name.")],
        )  # fmt: skip
    org = actor.organisation_id
    case_ids = _case_ids(db, org, customer.id)
    customers = _table("customers")
    # Customers merged into this one are the same person: their pointer rows keep what they were known by.
    merged = list(
        db.scalars(
            select(customers.c.id).where(
                customers.c.organisation_id == org, customers.c.merged_into_id == customer.id
            )
        )
    )
    attachments = _table("attachments")
    contents = list(
        db.scalars(
            select(attachments.c.sha256).where(
                attachments.c.organisation_id == org, attachments.c.case_id.in_(case_ids)
            )
        )
    )
    touched = 0
    for table in Base.metadata.sorted_tables:
        if (
            table.name in SKIP_TABLES
            or table.name == "customers"
            or not ("customer_id" in table.c or "case_id" in table.c)
        ):
            continue
        linked = _linked(table, org, customer.id, case_ids)
        if merged and "customer_id" in table.c:
            linked = linked | ((table.c.organisation_id == org) & table.c.customer_id.in_(merged))
        if table.name == "customer_refs":
            touched += db.execute(delete(table).where(linked)).rowcount  # type: ignore[attr-defined]
            continue
        touched += wipe_rows(db, table, linked)
    ids = [str(customer.id), *map(str, case_ids)]
    for name in BY_CONTENT:
        touched += _wipe_by_content(db, _table(name), org, ids)
    if settings is not None:  # the files themselves, once no other row names their content
        forget_content(db, org_id=org, sha256s=contents, settings=settings)
    db.execute(
        update(customers)
        .where(customers.c.organisation_id == org, customers.c.id.in_([customer.id, *merged]))
        .values(
            name=f"Klant gewist op {at.date().isoformat()}", email=None, phone=None, facts={}, updated_at=at
        )
    )
    db.expire_all()
    for case_id in case_ids:
        case = get_case(db=db, actor=actor, case_id=case_id)
        record_case_event(db=db, case=case, event=CustomerErased(), at=at, actor=actor)
    access.record_now(
        db,
        access.Seen(org, actor.id, access.Action.ERASE, access.Subject.CUSTOMER, customer.id, at,
                    customer_id=customer.id),
    )  # fmt: skip
    return touched + 1


def wipe_rows(db: Session, table: Table, where: Any, columns: list[Any] | None = None) -> int:
    """Overwrite the personal columns (`scrub.wiped_columns`, or those given) of the rows `where` selects."""
    columns = wiped_columns(list(table.columns)) if columns is None else columns
    if not columns:
        return 0
    keys = list(table.primary_key.columns)
    rows = db.execute(select(*keys, *columns).where(where)).mappings().all()
    for row in rows:
        values = {}
        for column in columns:
            value = row[column.name]
            if value is None:
                continue
            values[column.name] = wipe_json(value) if isinstance(value, dict | list) else WIPED
        if values:
            db.execute(update(table).where(*[k == row[k.name] for k in keys]).values(**values))
    return len(rows)


def _wipe_by_content(db: Session, table: Table, organisation_id: uuid.UUID, ids: list[str]) -> int:
    """Rows whose JSON names the customer or one of their cases: the replay cache forgets them, a job's
    payload is wiped."""
    json_columns = [c for c in wiped_columns(list(table.columns)) if c.name in ("response", "payload")]
    touched = 0
    for row in db.execute(select(table).where(table.c.organisation_id == organisation_id)).mappings():
        text = json.dumps([row[c.name] for c in json_columns], default=str)
        if not any(i in text for i in ids):
            continue
        key = [k == row[k.name] for k in table.primary_key.columns]
        if table.name == "idempotency_records":
            db.execute(delete(table).where(*key))
        else:
            db.execute(
                update(table).where(*key).values({c.name: wipe_json(row[c.name]) for c in json_columns})
            )
        touched += 1
    return touched


# --- the organisation's privacy settings ------------------------------------------------------------

PRIVACY_DEFAULTS: dict[str, Any] = {"redact_intake": True}


def privacy_settings(*, db: Session, organisation_id: uuid.UUID) -> dict[str, Any]:
    """Masking at intake (on unless switched off)."""
    org = get_organisation(db=db, organisation_id=organisation_id)
    return PRIVACY_DEFAULTS | {k: v for k, v in (org.settings or {}).items() if k in PRIVACY_DEFAULTS}


def set_privacy_settings(*, db: Session, actor: Agent, redact_intake: bool) -> dict[str, Any]:
    """Admins switch masking of card numbers, IBANs, BSNs and passwords at intake on or off."""
    require_role(actor)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    org.settings = {**(org.settings or {}), "redact_intake": redact_intake}
    db.flush()
    return privacy_settings(db=db, organisation_id=actor.organisation_id)
