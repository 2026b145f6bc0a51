"""Stored scorecards as agents see them, and the promise proposals they accept or dismiss.

Everything here goes through the case: a scorecard or proposal on a case the actor may not see is
'not found', like the case itself. Customers never see any of it.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.cases import Case
from attent.cases.service import get_case
from attent.coach.kinds import ProposalDismissed
from attent.coach.models import ContactScorecard, PromiseProposal, ProposalState, ScoredVerdict
from attent.coach.schemas import PromiseFound, StoredScorecard, VerdictRead
from attent.contacts import Contact, Message
from attent.core.errors import Conflict, NotFound
from attent.core.i18n import Label
from attent.promises import PromiseCreate, PromiseKind, PromiseSource
from attent.promises.service import make_promise
from attent.timeline.service import record_case_event


@dataclass
class ContactCard:
    """One scored contact on the case page: the contact, its scorecard, verdicts and quoted lines."""

    contact: Contact
    scorecard: ContactScorecard
    verdicts: list[ScoredVerdict]
    lines: dict[int, Message] = field(default_factory=dict)

    def evidence(self, verdict: ScoredVerdict) -> list[tuple[int, Message]]:
        """The verdict's evidence lines that still exist, in order."""
        return [(i, self.lines[i]) for i in verdict.lines if i in self.lines]


@dataclass
class CoachPanel:
    """The case page's coach panel: scored contacts (newest first) and open proposals."""

    cards: list[ContactCard]
    proposals: list[PromiseProposal]


def case_panel(*, db: Session, actor: Agent, case: Case) -> CoachPanel:
    """Scorecards and open proposals of a case the actor may see (the caller checked), in five queries."""
    oid = case.organisation_id
    sheets = list(
        db.scalars(
            select(ContactScorecard)
            .where(ContactScorecard.organisation_id == oid, ContactScorecard.case_id == case.id)
            .order_by(ContactScorecard.contact_at.desc(), ContactScorecard.id)
        )
    )
    proposals = list(
        db.scalars(
            select(PromiseProposal)
            .where(
                PromiseProposal.organisation_id == oid,
                PromiseProposal.case_id == case.id,
                PromiseProposal.state == ProposalState.PROPOSED,
            )
            .order_by(PromiseProposal.due_at, PromiseProposal.id)
        )
    )
    if not sheets:
        return CoachPanel([], proposals)
    verdicts: dict[uuid.UUID, list[ScoredVerdict]] = {s.id: [] for s in sheets}
    for verdict in db.scalars(
        select(ScoredVerdict)
        .where(ScoredVerdict.organisation_id == oid, ScoredVerdict.case_id == case.id)
        .order_by(ScoredVerdict.position)
    ):
        verdicts.setdefault(verdict.scorecard_id, []).append(verdict)
    contacts = {
        c.id: c
        for c in db.scalars(select(Contact).where(Contact.organisation_id == oid, Contact.case_id == case.id))
    }
    messages: dict[uuid.UUID, list[Message]] = {}
    for message in db.scalars(
        select(Message)
        .where(Message.organisation_id == oid, Message.case_id == case.id)
        .order_by(Message.at, Message.id)
    ):
        messages.setdefault(message.contact_id, []).append(message)
    cards = []
    for sheet in sheets:
        lines = messages.get(sheet.contact_id, [])
        wanted = {i for v in verdicts[sheet.id] for i in v.lines}
        cards.append(
            ContactCard(
                contacts[sheet.contact_id],
                sheet,
                verdicts[sheet.id],
                {i: lines[i] for i in sorted(wanted) if 0 <= i < len(lines)},
            )
        )
    return CoachPanel(cards, proposals)


def contact_scorecard(*, db: Session, actor: Agent, contact_id: uuid.UUID) -> StoredScorecard:
    """The stored scorecard of a contact on a case the actor may see, reasons in the actor's language."""
    sheet = db.scalar(
        select(ContactScorecard).where(
            ContactScorecard.organisation_id == actor.organisation_id,
            ContactScorecard.contact_id == contact_id,
        )
    )
    if sheet is None:
        raise NotFound("scorecard_not_found", "Contact {id} has no scorecard (yet).", id=contact_id)
    try:
        get_case(db=db, actor=actor, case_id=sheet.case_id)
    except NotFound:
        raise NotFound("scorecard_not_found", "Contact {id} has no scorecard (yet).", id=contact_id) from None
    verdicts = db.scalars(
        select(ScoredVerdict)
        .where(ScoredVerdict.organisation_id == sheet.organisation_id, ScoredVerdict.scorecard_id == sheet.id)
        .order_by(ScoredVerdict.position)
    )
    proposals = db.scalars(
        select(PromiseProposal)
        .where(
            PromiseProposal.organisation_id == sheet.organisation_id, PromiseProposal.contact_id == contact_id
        )
        .order_by(PromiseProposal.line)
    )
    say = actor.language
    return StoredScorecard(
        id=sheet.id,
        contact_id=sheet.contact_id,
        case_id=sheet.case_id,
        agent_id=sheet.agent_id,
        scored_at=sheet.scored_at,
        language="en" if sheet.language == "en" else "nl",
        mixed=sheet.mixed,
        met=sheet.met,
        applicable=sheet.applicable,
        lines=sheet.lines,
        verdicts=[
            VerdictRead(
                behaviour=v.behaviour,
                result=v.result.value,
                lines=list(v.lines),
                reason=v.reason_en if say == "en" else v.reason_nl,
            )
            for v in verdicts
        ],
        promises=[PromiseFound(line=p.line, kind=p.kind, due_at=p.due_at, words=p.words) for p in proposals],
    )


def list_proposals(
    *, db: Session, actor: Agent, case_id: uuid.UUID, states: list[ProposalState] | None = None
) -> list[PromiseProposal]:
    """A case's promise proposals, soonest due first."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    query = select(PromiseProposal).where(
        PromiseProposal.organisation_id == case.organisation_id, PromiseProposal.case_id == case.id
    )
    if states:
        query = query.where(PromiseProposal.state.in_(states))
    return list(db.scalars(query.order_by(PromiseProposal.due_at, PromiseProposal.id)))


def _proposal(db: Session, actor: Agent, proposal_id: uuid.UUID) -> tuple[PromiseProposal, Case]:
    proposal = db.get(PromiseProposal, (actor.organisation_id, proposal_id))
    if proposal is None:
        raise NotFound.of("proposal", proposal_id)
    try:
        case = get_case(db=db, actor=actor, case_id=proposal.case_id)
    except NotFound:
        raise NotFound.of("proposal", proposal_id) from None
    if proposal.state is not ProposalState.PROPOSED:
        raise Conflict(
            "proposal_decided",
            "This proposal is already {state}; it can be decided once.",
            state=Label(proposal.state.value, "proposal"),
        )
    return proposal, case


def accept_proposal(*, db: Session, actor: Agent, proposal_id: uuid.UUID, at: datetime) -> PromiseProposal:
    """Make the heard promise through the promise keeper, owned by the accepting agent, source coach."""
    proposal, case = _proposal(db, actor, proposal_id)
    promise = make_promise(
        db=db,
        actor=actor,
        case_id=case.id,
        data=PromiseCreate(kind=PromiseKind(proposal.kind), due_at=proposal.due_at, words=proposal.words),
        at=at,
        source=PromiseSource.COACH,
        contact_id=proposal.contact_id,
    )
    proposal.state, proposal.promise_id = ProposalState.ACCEPTED, promise.id
    proposal.decided_by_id, proposal.decided_at = actor.id, at
    db.flush()
    return proposal


def dismiss_proposal(*, db: Session, actor: Agent, proposal_id: uuid.UUID, at: datetime) -> PromiseProposal:
    """Not a promise after all; it is not proposed again for the same line."""
    proposal, case = _proposal(db, actor, proposal_id)
    proposal.state, proposal.decided_by_id, proposal.decided_at = ProposalState.DISMISSED, actor.id, at
    dismissed = ProposalDismissed(
        proposal_id=str(proposal.id), promise_kind=proposal.kind, text=proposal.words
    )
    record_case_event(db=db, case=case, event=dismissed, at=at, actor=actor)
    db.flush()
    return proposal
