"""How case, contact, message and note events fold into the brief."""

import uuid

from attent.briefs.closing import is_closing
from attent.briefs.fold import Fold, reduces
from attent.briefs.schemas import Need, NextStep, Question
from attent.cases import CaseAssigned, CaseCreated, CaseNextStepSet, CaseStatusChanged, NoteAdded
from attent.contacts import ContactEnded, ContactLogged, MessageAdded
from attent.timeline import TimelineEvent


@reduces(CaseCreated)
def _created(fold: Fold, e: TimelineEvent) -> None:
    fold.description = e.data.get("description")
    fold.did(e, fold.t("{who} opened the case", who=fold.who(e)))
    if e.data.get("next_step"):
        fold.next_step = NextStep(text=e.data["next_step"], source="agent", set_by=fold.who(e), at=e.at)


@reduces(ContactLogged)
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


@reduces(ContactEnded)
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


@reduces(MessageAdded)
def _message(fold: Fold, e: TimelineEvent) -> None:
    speaker, text = e.data.get("speaker"), e.data.get("text", "")
    contact_id = uuid.UUID(e.data["contact_id"]) if e.data.get("contact_id") else None
    if speaker == "customer":
        closing = is_closing(text)  # "Nee, dat was het." and thanks: no need, nothing to answer
        if fold.need is None and len(text.split()) >= 3 and not closing:
            fold.need = Need(text=text, source="customer_message", at=e.at)
        fold.questions = [
            q for q in fold.questions if "?" in q.text
        ]  # a statement is only open while it is the last word
        if not closing:
            fold.questions.append(Question(at=e.at, contact_id=contact_id, text=text))
    elif speaker == "agent":
        if contact_id is not None:  # kept, in case this reply never reaches the customer
            fold.answered[str(contact_id)] = fold.answered.get(str(contact_id), []) + fold.questions
        fold.questions = []


@reduces(NoteAdded)
def _note(fold: Fold, e: TimelineEvent) -> None:
    fold.did(e, fold.t("{who} noted: {text}", who=fold.who(e), text=e.data.get("text", "")))


@reduces(CaseStatusChanged)
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


@reduces(CaseAssigned)
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


@reduces(CaseNextStepSet)
def _next(fold: Fold, e: TimelineEvent) -> None:
    text = e.data.get("to")
    fold.next_step = NextStep(text=text, source="agent", set_by=fold.who(e), at=e.at) if text else None
