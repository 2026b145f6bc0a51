"""The one module that knows every domain: the worker's steps, the queue's handlers, and which domain
reacts to what another one says.

`app.py`, the CLI and the tests call `install()` (idempotent) before anything runs. A reader who wants
"what happens when a contact ends" or "what the worker does each tick" finds it here.
"""

from sqlalchemy.orm import Session

from attent import models  # noqa: F401 (every table, so foreign keys resolve across domains)
from attent.agents import PresenceChanged
from attent.agents.events import AgentDeactivated
from attent.agents.jobs import end_shifts
from attent.agents.mailing import MAIL_JOB, deliver_agent_mail
from attent.cases import CaseFinishing, CasesMerged, CaseStatus
from attent.cases import service as case_service
from attent.channels import EmailThreadOf, ReplyBounced, ReplyDelivered, SmtpOf
from attent.channels import service as channels_service
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
from attent.contacts import service as contacts_service
from attent.core import events, queue
from attent.core.worker import TimedStep
from attent.customers import CustomerReferencesAdded, Hidden, WhichDetailsAreHidden
from attent.files import service as files_service
from attent.insight import surveys
from attent.insight.jobs import refresh_rollups, send_due_surveys
from attent.insight.weekly import JOB as WEEKLY_SUMMARY_JOB
from attent.insight.weekly import plan_weekly_summaries, send_weekly_summary
from attent.mailboxes.jobs import fetch_mail
from attent.mailboxes.outgoing import email_thread, smtp_of
from attent.notifications import service as notifications_service
from attent.phone.jobs import settle_calls, take_queued_events
from attent.privacy.retention import apply_due_retention
from attent.promises import calls, handover, settle
from attent.promises import service as promise_service
from attent.promises.jobs import advance_due_promises
from attent.recovery import service as recovery_service
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
    send_due_surveys,  # before messages go out, so a survey leaves in the same tick
    plan_weekly_summaries,  # leads' Monday e-mail: one queue job per lead and week
    refresh_rollups,  # insight's daily roll-ups: new days, and the days changes dirtied
    fetch_mail,  # new mail, and its acknowledgements, before messages go out
    deliver_due_messages,
    apply_due_retention,
]
# Calls whose events never all came are settled (ended, call-back promised) before promises move next tick.
# Events large batches queued are done first, so their calls settle in the same tick.
TIMED_STEPS.insert(TIMED_STEPS.index(advance_due_promises), take_queued_events)
TIMED_STEPS.insert(TIMED_STEPS.index(advance_due_promises), settle_calls)


def _score_ended(db: Session, event: ContactFinished) -> None:
    coach.contact_ended(db=db, contact=event.contact, at=event.at)


def _score_again(db: Session, event: MessagesAdded) -> None:
    coach.messages_added(db=db, contact=event.contact, at=event.at)


def _settle_promises(db: Session, event: CaseFinishing) -> None:
    settle.settle_before_finishing(
        db=db, actor=event.actor, case=event.case, to=event.to, choices=event.choices, at=event.at
    )


def _schedule_survey(db: Session, event: CaseFinishing) -> None:
    if event.to is CaseStatus.RESOLVED:
        surveys.schedule(db=db, case=event.case, at=event.at)


def _match_waiting_signals(db: Session, event: CustomerReferencesAdded) -> None:
    signal_service.match_waiting_signals(
        db=db, organisation_id=event.organisation_id, customer_id=event.customer_id, refs=event.refs,
        at=event.at,
    )  # fmt: skip


def _hidden_details(db: Session, question: WhichDetailsAreHidden) -> Hidden:
    return verification_service.hidden_details(db=db, organisation_id=question.organisation_id)


def _release_cases(db: Session, event: AgentDeactivated) -> None:
    case_service.release_cases_of(db=db, actor=event.actor, agent=event.agent, at=event.at)


def _notifications_merged(db: Session, event: CasesMerged) -> None:
    notifications_service.move_case(
        db=db, organisation_id=event.organisation_id, old=event.merged_id, new=event.kept_id
    )


def _attachments_merged(db: Session, event: CasesMerged) -> None:
    files_service.move_attachments(
        db, org_id=event.organisation_id, from_case_id=event.merged_id, to_case_id=event.kept_id
    )


def install() -> None:
    """Subscribe every reaction and register every handler (again is harmless)."""
    queue.register(WEBHOOK_JOB, deliver_webhook)
    queue.register(WEEKLY_SUMMARY_JOB, send_weekly_summary)
    events.subscribe(PresenceChanged, handover.presence_changed)
    events.subscribe(PresenceChanged, case_service.owner_went_offline)
    for moves_its_rows in (  # a case merged into another: each domain points its rows at the one kept
        contacts_service.cases_merged, channels_service.cases_merged, promise_service.cases_merged,
        recovery_service.cases_merged, coach.cases_merged, signal_service.cases_merged, _notifications_merged,
        _attachments_merged,
    ):  # fmt: skip
        events.subscribe(CasesMerged, moves_its_rows)
    events.subscribe(CaseFinishing, _settle_promises)
    events.subscribe(CaseFinishing, _schedule_survey)
    events.subscribe(ContactReachedCustomer, calls.contact_reached_customer)
    events.subscribe(ContactDropped, calls.contact_dropped)
    events.subscribe(AgentAnswered, calls.agent_answered)
    events.subscribe(ReplyDelivered, promise_service.reply_delivered)
    events.subscribe(ReplyBounced, promise_service.reply_bounced)
    events.subscribe(ContactFinished, _score_ended)
    events.subscribe(MessagesAdded, _score_again)
    events.subscribe(CustomerReferencesAdded, _match_waiting_signals)
    events.answer(WhichDetailsAreHidden, _hidden_details)
    queue.register(MAIL_JOB, deliver_agent_mail)
    events.subscribe(AgentDeactivated, _release_cases)
    events.answer(EmailThreadOf, email_thread)
    events.answer(SmtpOf, smtp_of)
    events.wired()


install()
