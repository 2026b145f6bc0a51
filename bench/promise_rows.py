"""Rows for the promise keeper benchmark: open cases and open promises, as the services write them.

A promise row carries what `promises.service.create` computes (at-risk moment from the default policy,
grace, `check_at`), and each promise gets its `promise.made` timeline event with the same `data`.
"""

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from attent.core.ids import uuid7
from attent.promises.models import PromiseKind
from attent.promises.policy import policy_of
from bench.loader import COLUMNS, Sink
from bench.stories import OrgPlan, Person, Row

POLICY = policy_of({})  # the defaults: 5 minutes' warning for callbacks, an hour for the rest, 5 grace
KINDS = [PromiseKind.CALLBACK, PromiseKind.FOLLOW_UP, PromiseKind.DELIVERY, PromiseKind.REFUND]
KIND_WEIGHTS = [6, 2, 1, 1]
WORDS = [
    "Ik bel u vanmiddag terug met de nieuwe bezorgdatum.",
    "We mailen u morgen de bevestiging van de terugbetaling.",
    "I will call you back before five with the tracking number.",
    "De vervanging wordt morgen bezorgd; ik houd u op de hoogte.",
    None,
]


@dataclass(frozen=True)
class Holder:
    """An open case promises are made on, with the agents of its team who may own them."""

    organisation_id: uuid.UUID
    case_id: uuid.UUID
    customer_id: uuid.UUID
    team_id: uuid.UUID
    owners: list[Person]


def write_cases(
    sink: Sink, rng: random.Random, plans: list[OrgPlan], count: int, at: datetime
) -> list[Holder]:
    """Open cases, each in a team and owned by a member of it, spread over the organisations' customers."""
    holders, rows = [], []
    weights = [len(plan.customers) for plan in plans]
    for i in range(count):
        plan = rng.choices(plans, weights=weights)[0]
        team = rng.choice([t for t in plan.teams if plan.members[t]])
        owner = rng.choice(plan.members[team])
        customer_id, _language = rng.choice(plan.customers)
        case_id, created = uuid7(), at + timedelta(seconds=i)
        rows.append(
            (plan.id, case_id, customer_id, f"Bestelling {rng.randrange(10_000, 99_999)} niet bezorgd",
             None, "delivery_missing", "open", "normal", owner.id, team, None, created, created, None)
        )  # fmt: skip
        holders.append(Holder(plan.id, case_id, customer_id, team, plan.members[team]))
        if len(rows) >= 10_000:
            sink.write("cases", rows)
            rows = []
    sink.write("cases", rows)
    return holders


class PromiseWriter:
    """Open promises whose at-risk moments are given, with their `promise.made` events, written in bulk."""

    def __init__(self, rng: random.Random, holders: list[Holder]) -> None:
        self.rng, self.holders = rng, holders
        self.columns = COLUMNS["promises"]

    def write(self, sink: Sink, at_risk: Iterable[datetime], made_before: timedelta) -> list[uuid.UUID]:
        """Promises that turn at risk at the given moments, made up to `made_before` earlier; their ids."""
        rng, ids, promises, events = self.rng, [], [], []
        for at_risk_at in at_risk:
            holder = rng.choice(self.holders)
            kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
            owner = rng.choice(holder.owners)
            made_at = at_risk_at - made_before * rng.uniform(0.05, 1.0)
            due_by = at_risk_at + POLICY.warning(kind)
            words = rng.choice(WORDS)
            promise_id = uuid7()
            ids.append(promise_id)
            promise = {
                "organisation_id": holder.organisation_id, "id": promise_id, "case_id": holder.case_id,
                "customer_id": holder.customer_id, "kind": kind.value, "state": "open", "source": "agent",
                "due_from": None, "due_by": due_by, "at_risk_at": at_risk_at,
                "grace_until": due_by + POLICY.grace, "at_risk": False, "check_at": at_risk_at,
                "owner_id": owner.id, "team_id": holder.team_id, "words": words,
                "tell_customer": rng.random() < 0.1, "step_type": None, "contact_id": None,
                "made_by_id": owner.id, "made_at": made_at, "closed_at": None, "closed_by_id": None,
                "close_reason": None, "offered_at": None,
            }  # fmt: skip
            promises.append(tuple(promise[c] for c in self.columns))
            data = {
                "promise_id": str(promise_id), "kind": kind.value, "due_by": due_by.isoformat(),
                "due_from": None, "owner_id": str(owner.id), "team_id": str(holder.team_id),
                "words": words, "source": "agent", "step_type": None,
            }  # fmt: skip
            events.append(
                (holder.organisation_id, uuid7(), holder.case_id, holder.customer_id, made_at, "agent",
                 owner.id, "promise.made", data, True)
            )  # fmt: skip
            if len(promises) >= 10_000:
                _flush(sink, promises, events)
                promises, events = [], []
        _flush(sink, promises, events)
        return ids


def _flush(sink: Sink, promises: list[Row], events: list[Row]) -> None:
    sink.write("promises", promises)
    sink.write("timeline_events", events)
