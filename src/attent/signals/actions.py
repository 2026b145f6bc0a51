"""Doing a rule's actions for one signal, behind its guard rails, all or nothing.

The actions run inside a savepoint: if one fails, none of them stays, the firing is recorded as
failed with the error, and the rule is paused until an admin fixes and resumes it. Held-back and
fired rules leave an event on the customer's timeline, so a colleague sees why Attent did (or did
not) reach out.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from attent.cases import Case
from attent.cases.service import open_proactive_case
from attent.channels.service import queue_message
from attent.core.queue import enqueue
from attent.customers import Customer
from attent.organisations import Organisation
from attent.promises import PromiseSource
from attent.promises.service import create as create_promise
from attent.recovery import service as recovery
from attent.signals.engine import Book, Compiled, fact
from attent.signals.kinds import RuleEvent, RuleFired, RuleHeld
from attent.signals.models import FiringState, Rule, RuleFiring, RuleSet
from attent.signals.shapes import (
    CallWebhook,
    MakePromise,
    OpenCase,
    RuleSettings,
    ScheduleCheckIn,
    SendMessage,
    SuggestGesture,
    duration,
)
from attent.timeline.service import record_event

WEBHOOK_JOB = "signals.webhook"


@dataclass
class SignalView:
    """What actions need to know of the triggering signal."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    type: str
    source: str
    external_id: str | None
    occurred_at: datetime
    attributes: dict[str, Any]


@dataclass
class Run:
    """One rule firing for one signal, as its actions see it."""

    db: Session
    rule: Compiled
    signal: SignalView
    customer: Customer
    organisation: Organisation
    firing_id: uuid.UUID
    now: datetime
    zone: ZoneInfo
    quiet_until: datetime | None
    case: Case | None = None
    done: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What became of the firing."""

    state: FiringState
    reason: str | None = None
    error: str | None = None
    case_id: uuid.UUID | None = None
    contacted: bool = False


def quiet_until(settings: RuleSettings, zone: ZoneInfo, now: datetime) -> datetime | None:
    """When the quiet hours end, if `now` falls inside them in this zone; None when it does not."""
    quiet = settings.quiet_hours
    if quiet is None:
        return None
    start, end = (_clock(t) for t in (quiet.start, quiet.end))
    local = now.astimezone(zone)
    clock = local.time()
    inside = start <= clock < end if start <= end else (clock >= start or clock < end)
    if not inside or start == end:
        return None
    until = datetime.combine(local.date(), end, zone)
    if until <= local:
        until = datetime.combine(local.date() + timedelta(days=1), end, zone)
    return until.astimezone(UTC)


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def held_back(*, db: Session, book: Book, rule: Compiled, customer: Customer, now: datetime) -> str | None:
    """The guard rail that holds this firing back, if any: consent first, then the frequency cap."""
    if rule.consent_fact is not None and fact(customer, rule.consent_fact) is None:
        return "no_consent"
    if rule.contacts:
        cap = book.settings.frequency_cap
        recent = db.scalar(
            select(func.count()).where(
                RuleFiring.organisation_id == customer.organisation_id,
                RuleFiring.customer_id == customer.id,
                RuleFiring.contacted_at > now - timedelta(days=cap.days),
            )
        )
        if (recent or 0) >= cap.max_contacts:
            return "frequency_cap"
    return None


def execute(*, run: Run, book: Book) -> Outcome:
    """Guard rails, then every action in order inside a savepoint; a failure pauses the rule."""
    db, rule = run.db, run.rule
    reason = held_back(db=db, book=book, rule=rule, customer=run.customer, now=run.now)
    if reason is not None:
        _customer_event(run, RuleHeld, reason=reason)
        return Outcome(FiringState.HELD, reason=reason)
    savepoint = db.begin_nested()
    try:
        for index, action in enumerate(rule.actions):
            HANDLERS[action.do](run, index, action)
            run.done.append(action.do)
        db.flush()
        savepoint.commit()
    except Exception as exc:
        savepoint.rollback()
        error = f"{rule.actions[len(run.done)].do}: {type(exc).__name__}: {exc}"[:2000]
        pause_rule(db=db, organisation_id=run.organisation.id, rule=rule, error=error, at=run.now)
        return Outcome(FiringState.FAILED, error=error)
    _customer_event(run, RuleFired, actions=run.done)
    return Outcome(FiringState.FIRED, case_id=run.case.id if run.case else None, contacted=rule.contacts)


def pause_rule(*, db: Session, organisation_id: uuid.UUID, rule: Compiled, error: str, at: datetime) -> None:
    """Pause a rule with the error that stopped it; every worker recompiles on the new version."""
    rule.paused = True
    db.execute(
        update(Rule)
        .where(Rule.organisation_id == organisation_id, Rule.id == rule.id)
        .values(paused_at=at, error=error)
        .execution_options(synchronize_session=False)
    )
    db.execute(
        update(RuleSet)
        .where(RuleSet.organisation_id == organisation_id)
        .values(version=RuleSet.version + 1)
        .execution_options(synchronize_session=False)
    )


def _customer_event(run: Run, kind: type[RuleEvent], **data: Any) -> None:
    event = kind(
        rule_id=str(run.rule.id),
        rule_key=run.rule.key,
        rule_name=run.rule.name,
        signal_id=str(run.signal.id),
        signal_type=run.signal.type,
        **data,
    )
    record_event(
        db=run.db,
        organisation_id=run.organisation.id,
        case_id=run.case.id if run.case else None,
        customer_id=run.customer.id,
        event=event,
        at=run.now,
        actor=None,
    )


# --- the actions ------------------------------------------------------------------------------------


def _source(run: Run) -> str:
    return f"rule:{run.rule.key}"


def _open_case(run: Run, _index: int, action: OpenCase) -> None:
    run.case = open_proactive_case(
        db=run.db,
        organisation_id=run.organisation.id,
        customer_id=run.customer.id,
        subject=action.subject,
        description=action.note,
        type=action.type,
        priority=action.priority,
        team_id=action.team_id,
        at=run.now,
        source=_source(run),
        resolved=action.resolved,
    )


def _case(run: Run) -> Case:
    if run.case is None:  # the rulebook refuses such a rule; a stored one from before still fails clearly
        raise LookupError("this action needs an open_case action before it")
    return run.case


def _make_promise(run: Run, _index: int, action: MakePromise) -> None:
    create_promise(
        db=run.db,
        case=_case(run),
        kind=action.kind,
        due_by=run.now + duration(action.due_in),
        at=run.now,
        actor=None,
        owner_id=None,
        words=action.words,
        source=PromiseSource.RULE,
    )


def _send_message(run: Run, index: int, action: SendMessage) -> None:
    case = _case(run)
    values = {
        "customer_name": run.customer.name,
        "organisation": run.organisation.name,
        "case_subject": case.subject,
        "signal": {**run.signal.attributes, "type": run.signal.type},
    }
    message = queue_message(
        db=run.db,
        case=case,
        customer=run.customer,
        template=action.template,
        values=values,
        key=f"rule:{run.firing_id}:{index}",
        at=run.now,
        data={"rule_key": run.rule.key, "signal_id": str(run.signal.id)},
    )
    if message is not None and run.quiet_until is not None:
        message.next_attempt_at = run.quiet_until  # waits for the morning instead of being dropped
        _customer_event(run, RuleHeld, reason="quiet_hours", until=run.quiet_until.isoformat())


def _call_webhook(run: Run, index: int, action: CallWebhook) -> None:
    body = {
        "event": "attent.rule_fired",
        "rule": run.rule.key,
        "signal": {
            "id": str(run.signal.id),
            "type": run.signal.type,
            "external_id": run.signal.external_id,
            "occurred_at": run.signal.occurred_at.isoformat(),
            "attributes": run.signal.attributes,
        },
        "customer_id": str(run.customer.id),
        "case_id": str(run.case.id) if run.case else None,
        "data": action.body,
    }
    enqueue(
        db=run.db,
        organisation_id=run.organisation.id,
        kind=WEBHOOK_JOB,
        key=f"webhook:{run.firing_id}:{index}",
        payload={"url": action.url, "source": action.source, "body": body},
        due_at=run.now,
        at=run.now,
    )


def _suggest_gesture(run: Run, _index: int, action: SuggestGesture) -> None:
    """A gesture for a lead to approve: recovery after a failure, or a surprise for a happy occasion."""
    recovery.suggest_gesture(
        db=run.db,
        organisation_id=run.organisation.id,
        customer_id=run.customer.id,
        case_id=run.case.id if run.case else None,
        reason=action.reason,
        occasion=action.occasion,
        gesture_code=action.gesture,
        source=_source(run),
        at=run.now,
    )


def _schedule_check_in(run: Run, _index: int, action: ScheduleCheckIn) -> None:
    """A durable check-in `after` from now, as a task for an agent or a message to the customer."""
    recovery.schedule_check_in(
        db=run.db,
        organisation_id=run.organisation.id,
        customer_id=run.customer.id,
        case_id=run.case.id if run.case else None,
        due_at=run.now + duration(action.after),
        mode=action.mode,
        note=action.note,
        source=_source(run),
        at=run.now,
    )


HANDLERS: dict[str, Callable[[Run, int, Any], None]] = {  # each takes its own action model
    "open_case": _open_case,
    "make_promise": _make_promise,
    "send_message": _send_message,
    "call_webhook": _call_webhook,
    "suggest_gesture": _suggest_gesture,
    "schedule_check_in": _schedule_check_in,
}
