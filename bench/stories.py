"""Realistic rows for the loader: people, customers and the story of each case, told as timeline events.

The event `data` mirrors what the services write (cases/service.py, contacts/service.py), so the brief
folds loaded cases exactly as it folds real ones.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from attent.core.ids import uuid7
from bench.texts import (
    AGENT_SAYS,
    CASE_TYPES,
    CHANNELS,
    CUSTOMER_SAYS,
    FINAL,
    FIRST,
    LAST,
    NEXT_STEPS,
    NOTES,
    OUTCOMES,
    SYSTEM_SAYS,
)

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Person:
    """An agent as the stories need one."""

    id: uuid.UUID
    name: str


@dataclass
class OrgPlan:
    """One organisation's people: agents, teams and who is in which team."""

    id: uuid.UUID
    slug: str
    agents: list[Person]
    teams: list[uuid.UUID]
    members: dict[uuid.UUID, list[Person]]
    customers: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # (id, language)


@dataclass
class Batch:
    """Rows for the per-case tables, collected for one bulk write."""

    cases: list[Row] = field(default_factory=list)
    contacts: list[Row] = field(default_factory=list)
    messages: list[Row] = field(default_factory=list)
    notes: list[Row] = field(default_factory=list)
    timeline_events: list[Row] = field(default_factory=list)


def person_name(rng: random.Random) -> str:
    """A plausible Dutch or international full name."""
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def customer_row(rng: random.Random, org: OrgPlan, index: int, at: datetime) -> tuple[Row, Row]:
    """A customer and its shop reference; about a third have a consented preference on file."""
    name = person_name(rng)
    language = "nl" if rng.random() < 0.7 else "en"
    facts: dict[str, Any] = {}
    if rng.random() < 0.3:
        facts["voorkeur"] = {
            "value": "Liever gebeld dan gemaild",
            "consent": "telefonisch gevraagd",
            "recorded_at": at.isoformat(),
        }
    customer_id = uuid7()
    email = f"{name.lower().replace(' ', '.')}.{index}@example.nl"
    phone = f"+31 6 {rng.randrange(10_000_000, 99_999_999)}"
    org.customers.append((customer_id, language))
    customer = (org.id, customer_id, name, email, phone, language, facts, at, at)
    return customer, (org.id, customer_id, "shop", f"C-{index:07d}")


@dataclass
class OpenContact:
    """A contact still going on while the story is written."""

    id: uuid.UUID
    channel: str
    direction: str
    agent: Person
    started_at: datetime
    data: dict[str, Any] = field(default_factory=dict)


class Story:
    """Writes one case and its timeline: opened, first contact, conversation, notes, contacts, outcome."""

    def __init__(self, rng: random.Random, org: OrgPlan, batch: Batch, now: datetime) -> None:
        self.rng, self.org, self.batch, self.now = rng, org, batch, now

    def _event(
        self,
        at: datetime,
        kind: str,
        actor: Person | None,
        data: dict[str, Any],
        *,
        visible: bool,
        actor_kind: str | None = None,
    ) -> None:
        kind_of_actor = actor_kind or ("agent" if actor else "system")
        row = (
            self.org.id,
            uuid7(),
            self.case_id,
            self.customer_id,
            at,
            kind_of_actor,
            actor.id if actor else None,
            kind,
            data,
            visible,
        )
        self.batch.timeline_events.append(row)

    def _later(self, at: datetime, low: float, high: float) -> datetime:
        return min(at + timedelta(seconds=self.rng.uniform(low, high)), self.now)

    def write(self, at: datetime, events: int) -> None:
        """Append rows for one case with exactly `events` timeline events (at least 3)."""
        rng, org = self.rng, self.org
        self.case_id, (self.customer_id, language) = uuid7(), rng.choice(org.customers)
        team = rng.choice(org.teams) if rng.random() < 0.9 else None
        pool = org.members[team] if team else org.agents
        owner = rng.choice(pool) if rng.random() < 0.7 else None
        opener = owner or rng.choice(pool)
        case_type = rng.choice(list(CASE_TYPES))
        subject = rng.choice(CASE_TYPES[case_type]).format(n=rng.randrange(10_000, 99_999))
        description = rng.choice(CUSTOMER_SAYS[language]) if rng.random() < 0.5 else None
        priority = rng.choices(["low", "normal", "high", "urgent"], weights=[2, 12, 4, 1])[0]
        next_step = rng.choice(NEXT_STEPS) if rng.random() < 0.2 else None
        data = {
            "subject": subject,
            "description": description,
            "type": case_type,
            "priority": priority,
            "owner_id": _s(owner.id if owner else None),
            "team_id": _s(team),
            "next_step": next_step,
        }
        self._event(at, "case.created", opener, data, visible=False)

        budget = events - 3  # after case.created, contact.logged and the first status change
        final = rng.choice(FINAL) if budget >= 1 else "open"
        closes = final == "resolved" and budget >= 2 and rng.random() < 0.25
        changes = (final != "open") + closes
        plan = self._plan(events - 3 - changes)
        t = self._conversation(at, opener, plan, language)
        status, resolved_at = "open", None
        for to in [final, "closed"][:changes]:
            t = self._later(t, 60, 3600)
            self._event(
                t, "case.status_changed", opener, {"from": status, "to": to, "reason": None}, visible=True
            )
            resolved_at = t if to == "resolved" else resolved_at
            status = to
        self.batch.cases.append(
            (
                org.id,
                self.case_id,
                self.customer_id,
                subject,
                description,
                case_type,
                status,
                priority,
                owner.id if owner else None,
                team,
                next_step,
                at,
                t,
                resolved_at,
            )
        )

    def _plan(self, slots: int) -> list[str]:
        plan, contacts = [], 1
        for i in range(slots):
            x = self.rng.random()
            if i and x < 0.1:
                plan.append("note")
            elif i and x < 0.22 and contacts < 4:
                plan.append("contact")
                contacts += 1
            else:
                plan.append("message")
        return plan

    def _conversation(self, at: datetime, agent: Person, plan: list[str], language: str) -> datetime:
        """The first contact (it opens the case), then messages, notes and later contacts, in time order."""
        contact = self._contact(at, agent, "inbound", first=True)
        speaker, t = "customer", at
        for step in plan:
            if step == "message":
                t = self._later(t, 15, 120)
                self._message(t, contact, agent, speaker, language)
                speaker = "agent" if speaker == "customer" else "customer"
            elif step == "note":
                t = self._later(t, 60, 1800)
                self._note(t, agent)
            else:
                self._end(contact, t)
                t = self._later(t, 2 * 3600, 3 * 86_400)
                agent = self.rng.choice(self.org.agents) if self.rng.random() < 0.3 else agent
                direction = "outbound" if self.rng.random() < 0.4 else "inbound"
                contact = self._contact(t, agent, direction, first=False)
                speaker = "agent" if direction == "outbound" else "customer"
        self._end(contact, t)
        return t

    def _contact(self, at: datetime, agent: Person, direction: str, *, first: bool) -> "OpenContact":
        contact = OpenContact(uuid7(), self.rng.choice(CHANNELS), direction, agent, at)
        contact.data = {
            "contact_id": str(contact.id),
            "channel": contact.channel,
            "direction": direction,
            "agent_id": str(agent.id),
            "agent_name": agent.name,
            "outcome": None,
            "ended_at": None,
        }
        self._event(at, "contact.logged", agent, contact.data, visible=True)
        if first:
            change = {"from": "new", "to": "open", "reason": "first contact"}
            self._event(at, "case.status_changed", None, change, visible=True)
        return contact

    def _end(self, contact: "OpenContact", last: datetime) -> None:
        """The contact row, now that its end and outcome are known (contact.logged carries them too)."""
        ended = self._later(last, 30, 300)
        outcome = self.rng.choices(OUTCOMES, weights=[6, 5, 1, 1])[0]
        contact.data["ended_at"], contact.data["outcome"] = ended.isoformat(), outcome
        self.batch.contacts.append(
            (
                self.org.id,
                contact.id,
                self.case_id,
                self.customer_id,
                contact.channel,
                contact.direction,
                contact.agent.id,
                contact.started_at,
                ended,
                outcome,
                contact.started_at,
            )
        )

    def _message(
        self, at: datetime, contact: "OpenContact", agent: Person, speaker: str, language: str
    ) -> None:
        if self.rng.random() < 0.03:
            speaker = "system"
        pool = {"customer": CUSTOMER_SAYS[language], "agent": AGENT_SAYS[language], "system": SYSTEM_SAYS}[
            speaker
        ]
        text, message_id, contact_id = self.rng.choice(pool), uuid7(), contact.id
        self.batch.messages.append((self.org.id, message_id, contact_id, self.case_id, speaker, text, at))
        data = {
            "contact_id": str(contact_id),
            "message_id": str(message_id),
            "speaker": speaker,
            "text": text,
        }
        actor = agent if speaker == "agent" else None
        actor_kind = "customer" if speaker == "customer" else None
        self._event(at, "message.added", actor, data, visible=speaker != "system", actor_kind=actor_kind)

    def _note(self, at: datetime, author: Person) -> None:
        note_id, text = uuid7(), self.rng.choice(NOTES)
        self.batch.notes.append((self.org.id, note_id, self.case_id, author.id, text, at))
        self._event(at, "note.added", author, {"note_id": str(note_id), "text": text}, visible=False)


def _s(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None
