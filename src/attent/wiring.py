"""The one module that knows every domain: the worker's steps, the queue's handlers, and which domain
reacts to what another one says.

`app.py`, the CLI and the tests call `install()` (idempotent) before anything runs. A reader who wants
"what happens when a contact ends" or "what the worker does each tick" finds it here.
"""

from sqlalchemy.orm import Session

from attent import models  # noqa: F401 (every table, so foreign keys resolve across domains)
from attent.agents import PresenceChanged
from attent.agents.jobs import end_shifts
from attent.cases import CaseFinishing
from attent.channels import EmailThreadOf, ReplyDelivered
from attent.channels.jobs import deliver_due_messages
from attent.coach import service as coach
from attent.coach.jobs import score_ended_contacts
from attent.contacts import (
    AgentAnswered,
    ContactDropped,
    ContactFinished,
    ContactReachedCustomer,
    MessagesAdded,
)
from attent.core import events, queue
from attent.core.worker import TimedStep
from attent.customers import CustomerReferencesAdded, Hidden, WhichDetailsAreHidden
from attent.mailboxes.jobs import fetch_mail
from attent.mailboxes.outgoing import email_thread
from attent.promises import calls, handover, settle
from attent.promises import service as promise_service
from attent.promises.jobs import advance_due_promises
from attent.recovery.jobs import advance_recovery
from attent.signals import service as signal_service
from attent.signals.actions import WEBHOOK_JOB
from attent.signals.jobs import deliver_webhook, evaluate_signals, run_due_firings
from attent.verification import service as verification_service

# Shifts end before promises move (so hand-over sees who is gone); signals are evaluated and delayed
# rules run next, then recovery's check-ins (rules schedule them; they make promises and messages); the
# coach scores ended contacts (its promises too); messages go out last, so they leave in the same tick.
TIMED_STEPS: list[TimedStep] = [
    end_shifts,
    advance_due_promises,
    evaluate_signals,
    run_due_firings,
    advance_recovery,
    score_ended_contacts,
    fetch_mail,  # new mail, and its acknowledgements, before messages go out
    deliver_due_messages,
]


def _score_ended(db: Session, event: ContactFinished) -> None:
    coach.contact_ended(db=db, contact=event.contact, at=event.at)


def _score_again(db: Session, event: MessagesAdded) -> None:
    coach.messages_added(db=db, contact=event.contact, at=event.at)


def _settle_promises(db: Session, event: CaseFinishing) -> None:
    settle.settle_before_finishing(
        db=db, actor=event.actor, case=event.case, to=event.to, choices=event.choices, at=event.at
    )


def _match_waiting_signals(db: Session, event: CustomerReferencesAdded) -> None:
    signal_service.match_waiting_signals(
        db=db, organisation_id=event.organisation_id, customer_id=event.customer_id, refs=event.refs,
        at=event.at,
    )  # fmt: skip


def _hidden_details(db: Session, question: WhichDetailsAreHidden) -> Hidden:
    return verification_service.hidden_details(db=db, organisation_id=question.organisation_id)


def install() -> None:
    """Subscribe every reaction and register every handler (again is harmless)."""
    queue.register(WEBHOOK_JOB, deliver_webhook)
    events.subscribe(PresenceChanged, handover.presence_changed)
    events.subscribe(CaseFinishing, _settle_promises)
    events.subscribe(ContactReachedCustomer, calls.contact_reached_customer)
    events.subscribe(ContactDropped, calls.contact_dropped)
    events.subscribe(AgentAnswered, calls.agent_answered)
    events.subscribe(ReplyDelivered, promise_service.reply_delivered)
    events.subscribe(ContactFinished, _score_ended)
    events.subscribe(MessagesAdded, _score_again)
    events.subscribe(CustomerReferencesAdded, _match_waiting_signals)
    events.answer(WhichDetailsAreHidden, _hidden_details)
    events.answer(EmailThreadOf, email_thread)
    events.wired()


install()
