"""Canned replies: written once, in Dutch and English, inserted into the reply box with the case's
details filled in (the customer's first name, the case's reference, the promise's time as people say
it, the agent's name). Personal ones are the agent's; a team's set is kept by its leads.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import get_team, list_teams, require_role, team_ids_of
from attent.cases import Case, CaseStatus
from attent.cases.service import tag_name
from attent.core.errors import FieldError, Forbidden, Invalid, NotFound
from attent.core.when import say_when
from attent.customers import Customer
from attent.promises import Promise, PromiseState
from attent.workspace.models import CannedReply

VARIABLE = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")
VARIABLES = (
    "customer.first_name", "customer.name", "case.reference", "case.subject", "promise.due",
    "agent.name", "agent.first_name",
)  # fmt: skip
MAX_TEXT = 5_000


@dataclass(frozen=True)
class CannedText:
    """The fields of a canned reply as typed; `then_status` and `then_tag` apply when it is sent."""

    name: str
    text_nl: str
    text_en: str
    then_status: str = ""
    then_tag: str = ""


def _check(text: CannedText) -> CannedText:
    errors = []
    clean = CannedText(
        " ".join(text.name.split()), text.text_nl.strip(), text.text_en.strip(), text.then_status.strip(),
        tag_name(text.then_tag, field="then_tag") if text.then_tag.strip() else "",
    )  # fmt: skip
    if clean.then_status and clean.then_status not in {s.value for s in CaseStatus}:
        errors.append(
            FieldError(("then_status",), "Unknown value “{value}”.", {"value": clean.then_status[:40]})
        )
    if not clean.name or len(clean.name) > 120:
        errors.append(FieldError(("name",), "A name of at most {n} characters.", {"n": 120}))
    if not (clean.text_nl or clean.text_en):
        errors.append(FieldError(("text_nl",), "Write the reply in Dutch, English or both."))
    for field in ("text_nl", "text_en"):
        value = getattr(clean, field)
        if len(value) > MAX_TEXT:
            errors.append(FieldError((field,), "At most {n} characters.", {"n": MAX_TEXT}))
        unknown = sorted({v for v in VARIABLE.findall(value) if v not in VARIABLES})
        if unknown:
            errors.append(
                FieldError(
                    (field,),
                    "Unknown variable {name}; use {known}.",
                    {"name": unknown[0], "known": ", ".join(f"{{{{{v}}}}}" for v in VARIABLES)},
                )
            )
    if errors:
        raise Invalid("invalid_canned_reply", "The canned reply cannot be saved as given.", errors)
    return clean


def _teams(db: Session, actor: Agent) -> list[uuid.UUID]:
    if actor.role is Role.ADMIN:
        return [t.id for t in list_teams(db=db, actor=actor)]
    return team_ids_of(db=db, agent=actor)


def visible_replies(*, db: Session, actor: Agent, q: str = "") -> list[CannedReply]:
    """The actor's own canned replies and their teams', by name; `q` narrows by name or words."""
    query = select(CannedReply).where(
        CannedReply.organisation_id == actor.organisation_id,
        or_(CannedReply.agent_id == actor.id, CannedReply.team_id.in_(_teams(db, actor))),
    )
    if q.strip():
        words = q.strip().lower()[:100]  # `%`, `_` and backslashes are text, not patterns
        query = query.where(
            or_(
                func.lower(CannedReply.name).contains(words, autoescape=True),
                func.lower(CannedReply.text_nl).contains(words, autoescape=True),
                func.lower(CannedReply.text_en).contains(words, autoescape=True),
            )
        )
    return list(db.scalars(query.order_by(CannedReply.name, CannedReply.id).limit(200)))


def get_reply(*, db: Session, actor: Agent, reply_id: uuid.UUID) -> CannedReply:
    """A canned reply the actor may use; anyone else's is 'not found'."""
    reply = db.get(CannedReply, (actor.organisation_id, reply_id))
    if reply is None or not (reply.agent_id == actor.id or reply.team_id in _teams(db, actor)):
        raise NotFound.of("canned_reply", reply_id)
    return reply


def _may_keep(db: Session, actor: Agent, team_id: uuid.UUID | None) -> None:
    """A team's set is kept by its leads (and admins); a personal reply by its agent."""
    if team_id is None:
        return
    require_role(actor, Role.LEAD)
    team = get_team(db=db, actor=actor, team_id=team_id)
    if actor.role is not Role.ADMIN and team.id not in team_ids_of(db=db, agent=actor):
        raise Forbidden("not_in_team", "Only the team's own leads can change its canned replies.")


def save_reply(
    *, db: Session, actor: Agent, text: CannedText, team_id: uuid.UUID | None, at: datetime
) -> CannedReply:
    """A new canned reply: the actor's own, or (leads) their team's."""
    _may_keep(db, actor, team_id)
    clean = _check(text)
    reply = CannedReply(
        organisation_id=actor.organisation_id,
        name=clean.name,
        agent_id=None if team_id else actor.id,
        team_id=team_id,
        text_nl=clean.text_nl,
        text_en=clean.text_en,
        then_status=clean.then_status or None,
        then_tag=clean.then_tag or None,
        created_by=actor.id,
        created_at=at,
        updated_at=at,
    )
    db.add(reply)
    db.flush()
    return reply


def change_reply(
    *, db: Session, actor: Agent, reply_id: uuid.UUID, text: CannedText, at: datetime
) -> CannedReply:
    """Change a canned reply's name or words."""
    reply = get_reply(db=db, actor=actor, reply_id=reply_id)
    _may_keep(db, actor, reply.team_id)
    clean = _check(text)
    reply.name, reply.text_nl, reply.text_en, reply.updated_at = clean.name, clean.text_nl, clean.text_en, at
    reply.then_status, reply.then_tag = clean.then_status or None, clean.then_tag or None
    db.flush()
    return reply


def delete_reply(*, db: Session, actor: Agent, reply_id: uuid.UUID) -> None:
    """Delete a canned reply (one's own; a team's by its leads)."""
    reply = get_reply(db=db, actor=actor, reply_id=reply_id)
    _may_keep(db, actor, reply.team_id)
    db.delete(reply)
    db.flush()


def fill(*, db: Session, actor: Agent, reply: CannedReply, case: Case, now: datetime, timezone: str) -> str:
    """The reply in the customer's language with its variables filled in from the case.

    A variable with nothing to say (no open promise) becomes an empty string, never "{{promise.due}}".
    """
    customer = db.get(Customer, (case.organisation_id, case.customer_id))
    language = customer.language if customer is not None else "nl"
    text = (reply.text_en or reply.text_nl) if language == "en" else (reply.text_nl or reply.text_en)
    due = db.scalar(
        select(func.min(Promise.due_by)).where(
            Promise.organisation_id == case.organisation_id,
            Promise.case_id == case.id,
            Promise.state == PromiseState.OPEN,
        )
    )
    name = customer.name if customer is not None else ""
    values = {
        "customer.first_name": name.split(" ")[0] if name else "",
        "customer.name": name,
        "case.reference": case.id.hex[-6:].upper(),
        "case.subject": case.subject,
        "promise.due": say_when(due, now=now, timezone=timezone, language=language) if due else "",
        "agent.name": actor.name,
        "agent.first_name": actor.name.split(" ")[0],
    }
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)
