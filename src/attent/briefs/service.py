"""Build the handoff brief by folding the case's timeline, event by event.

Each event kind has a reducer; other domains (promises, recovery, verification) add their own with
`reduces("kind")`, so the brief grows with the product without this module knowing every domain.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attent.agents.models import Agent
from attent.briefs.schemas import (
    Brief,
    CustomerContext,
    DoneItem,
    EarlierCase,
    Need,
    NextStep,
    OpenPromise,
    Question,
)
from attent.cases.models import Case, CaseStatus
from attent.cases.service import get_case
from attent.core.i18n import gettext
from attent.customers.models import Customer
from attent.customers.service import refs_of
from attent.timeline.models import TimelineEvent
from attent.timeline.service import case_events

EARLIER_CASES_SHOWN = 5


@dataclass
class Fold:
    """The state the reducers build up while reading the timeline in order."""

    language: str
    names: dict[uuid.UUID, str]
    need: Need | None = None
    description: str | None = None
    done: list[DoneItem] = field(default_factory=list)
    promises: dict[str, OpenPromise] = field(default_factory=dict)
    questions: list[Question] = field(default_factory=list)
    next_step: NextStep | None = None
    contacts: int = 0
    dropped: int = 0
    last_outcome: str | None = None

    def t(self, message: str, **values: object) -> str:
        """Translate into the reader's language."""
        return gettext(self.language, message, **values)

    def who(self, event: TimelineEvent) -> str:
        """The actor's display name."""
        if event.actor_id is not None:
            return self.names.get(event.actor_id, self.t("a former colleague"))
        return self.t("the customer") if event.actor_kind.value == "customer" else self.t("Attent")

    def did(self, event: TimelineEvent, summary: str) -> None:
        """Add a line to 'what has been done'."""
        self.done.append(
            DoneItem(
                at=event.at,
                kind=event.kind,
                actor_id=event.actor_id,
                actor_name=self.who(event),
                summary=summary,
            )
        )


Reducer = Callable[[Fold, TimelineEvent], None]
REDUCERS: dict[str, Reducer] = {}


def reduces(kind: str) -> Callable[[Reducer], Reducer]:
    """Register how an event kind changes the brief."""

    def register(fn: Reducer) -> Reducer:
        REDUCERS[kind] = fn
        return fn

    return register


@reduces("case.created")
def _created(fold: Fold, e: TimelineEvent) -> None:
    fold.description = e.data.get("description")
    fold.did(e, fold.t("{who} opened the case", who=fold.who(e)))
    if e.data.get("next_step"):
        fold.next_step = NextStep(text=e.data["next_step"], source="agent", set_by=fold.who(e), at=e.at)


@reduces("contact.logged")
def _contact(fold: Fold, e: TimelineEvent) -> None:
    fold.contacts += 1
    channel, direction, outcome = (
        e.data.get("channel", ""),
        e.data.get("direction", ""),
        e.data.get("outcome"),
    )
    who = e.data.get("agent_name") or fold.who(e)
    if outcome:
        fold.last_outcome = outcome
        fold.dropped += outcome == "dropped"
        text = fold.t(
            "{who}: {direction} {channel} contact, {outcome}",
            who=who,
            direction=fold.t(direction),
            channel=fold.t(channel),
            outcome=fold.t(outcome),
        )
    else:
        text = fold.t(
            "{who}: {direction} {channel} contact started",
            who=who,
            direction=fold.t(direction),
            channel=fold.t(channel),
        )
    fold.did(e, text)


@reduces("contact.ended")
def _contact_ended(fold: Fold, e: TimelineEvent) -> None:
    outcome = e.data.get("outcome", "")
    fold.last_outcome = outcome
    fold.dropped += outcome == "dropped"
    fold.did(
        e,
        fold.t(
            "{channel} contact ended: {outcome}",
            channel=fold.t(e.data.get("channel", "")),
            outcome=fold.t(outcome),
        ),
    )


@reduces("message.added")
def _message(fold: Fold, e: TimelineEvent) -> None:
    speaker, text = e.data.get("speaker"), e.data.get("text", "")
    contact_id = uuid.UUID(e.data["contact_id"]) if e.data.get("contact_id") else None
    if speaker == "customer":
        if fold.need is None and len(text.split()) >= 3:
            fold.need = Need(text=text, source="customer_message", at=e.at)
        fold.questions = [
            q for q in fold.questions if "?" in q.text
        ]  # a statement is only open while it is the last word
        fold.questions.append(Question(at=e.at, contact_id=contact_id, text=text))
    elif speaker == "agent":
        fold.questions = []


@reduces("note.added")
def _note(fold: Fold, e: TimelineEvent) -> None:
    fold.did(e, fold.t("{who} noted: {text}", who=fold.who(e), text=e.data.get("text", "")))


@reduces("case.status_changed")
def _status(fold: Fold, e: TimelineEvent) -> None:
    old, new, reason = (
        e.data["from"],
        e.data["to"],
        e.data.get("reason"),
    )  # variables: nothing for the extractor
    summary = fold.t(
        "{who} changed the status from {old} to {new}", who=fold.who(e), old=fold.t(old), new=fold.t(new)
    )
    if reason:
        summary += f" ({fold.t(reason)})"
    fold.did(e, summary)


@reduces("case.assigned")
def _assigned(fold: Fold, e: TimelineEvent) -> None:
    to = e.data.get("to")
    if to:
        fold.did(
            e,
            fold.t(
                "{who} assigned the case to {owner}",
                who=fold.who(e),
                owner=fold.names.get(uuid.UUID(to), "?"),
            ),
        )
    else:
        fold.did(e, fold.t("{who} unassigned the case", who=fold.who(e)))


@reduces("case.next_step_set")
def _next(fold: Fold, e: TimelineEvent) -> None:
    text = e.data.get("to")
    fold.next_step = NextStep(text=text, source="agent", set_by=fold.who(e), at=e.at) if text else None


def _derive_next_step(fold: Fold, case: Case) -> NextStep:
    """When nobody wrote the next step down, say what the open items imply, most urgent first."""
    if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        return NextStep(
            text=fold.t("Nothing: the case is resolved. Reopen it if the customer needs more."),
            source="derived",
        )
    open_promises = sorted(
        (p for p in fold.promises.values() if p.due_at), key=lambda p: p.due_at or case.created_at
    )
    if open_promises:
        return NextStep(text=open_promises[0].summary, source="derived")
    if fold.last_outcome == "dropped":
        return NextStep(text=fold.t("Call the customer back: the last contact dropped."), source="derived")
    if fold.questions:
        return NextStep(
            text=fold.t("Answer the customer: “{text}”", text=fold.questions[-1].text), source="derived"
        )
    if case.status is CaseStatus.WAITING_ON_CUSTOMER:
        return NextStep(text=fold.t("Wait for the customer's reply."), source="derived")
    if case.status is CaseStatus.WAITING_ON_THIRD_PARTY:
        return NextStep(text=fold.t("Chase the third party we are waiting on."), source="derived")
    if case.owner_id is None:
        return NextStep(text=fold.t("Take the case and contact the customer."), source="derived")
    return NextStep(text=fold.t("Contact the customer about their need."), source="derived")


def _names(
    *, db: Session, organisation_id: uuid.UUID, events: list[TimelineEvent], case: Case
) -> dict[uuid.UUID, str]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if case.owner_id is not None:
        ids.add(case.owner_id)
    for e in events:
        for key in ("to", "owner_id"):
            value = e.data.get(key)
            if e.kind in ("case.assigned", "promise.made", "promise.reassigned") and isinstance(value, str):
                ids.add(uuid.UUID(value))
    rows = db.execute(
        select(Agent.id, Agent.name).where(Agent.organisation_id == organisation_id, Agent.id.in_(ids))
    )
    return {agent_id: name for agent_id, name in rows}


def _customer_context(*, db: Session, case: Case) -> CustomerContext:
    customer = db.get(Customer, (case.organisation_id, case.customer_id))
    assert customer is not None  # the composite foreign key guarantees it
    earlier = select(Case).where(
        Case.organisation_id == case.organisation_id, Case.customer_id == case.customer_id, Case.id != case.id
    )
    count = db.scalar(select(func.count()).select_from(earlier.subquery())) or 0
    recent = db.scalars(earlier.order_by(Case.id.desc()).limit(EARLIER_CASES_SHOWN))
    return CustomerContext(
        id=customer.id,
        name=customer.name,
        language=customer.language,
        facts={k: str(v.get("value")) for k, v in customer.facts.items()},
        external_refs=refs_of(db=db, organisation_id=case.organisation_id, customer_ids=[customer.id])[
            customer.id
        ],
        earlier_cases=[
            EarlierCase(id=c.id, subject=c.subject, status=c.status, type=c.type, created_at=c.created_at)
            for c in recent
        ],
        earlier_case_count=count,
    )


def build_brief(*, db: Session, actor: Agent, case_id: uuid.UUID, language: str | None = None) -> Brief:
    """Fold the case's timeline into the brief a colleague reads first."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    events = case_events(db=db, organisation_id=case.organisation_id, case_id=case.id)
    fold = Fold(
        language=language or actor.language,
        names=_names(db=db, organisation_id=case.organisation_id, events=events, case=case),
    )
    for event in events:
        reducer = REDUCERS.get(event.kind)
        if reducer is not None:
            reducer(fold, event)
    need = fold.need or (
        Need(text=fold.description, source="case_description", at=case.created_at)
        if fold.description
        else Need(text=case.subject, source="subject", at=case.created_at)
    )
    return Brief(
        case_id=case.id,
        subject=case.subject,
        status=case.status,
        priority=case.priority,
        type=case.type,
        owner_id=case.owner_id,
        owner_name=fold.names.get(case.owner_id) if case.owner_id else None,
        need=need,
        done=fold.done,
        open_promises=sorted(
            fold.promises.values(), key=lambda p: (p.due_at is None, p.due_at or case.created_at)
        ),
        unanswered=fold.questions if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED) else [],
        next_step=fold.next_step or _derive_next_step(fold, case),
        customer=_customer_context(db=db, case=case),
        contacts=fold.contacts,
        dropped_contacts=fold.dropped,
        as_of=events[-1].at if events else None,
        events=len(events),
    )
