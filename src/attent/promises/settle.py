"""Before a case is resolved or closed, each of its open promises is settled: kept, cancelled or handed over.

A case resolved with open promises left the brief saying "Volgende stap: Niets" while it listed
them, and nobody was left to keep them. The status change now asks what happens to each one
(`cases.schemas.PromiseChoice`) and refuses, naming them, until it is told.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.cases import CancelChoice, Case, CaseStatus, KeepChoice, PromiseChoice
from attent.core.errors import Conflict, FieldError, Invalid
from attent.core.i18n import Label, gettext, label
from attent.core.labels import N_
from attent.core.when import say_when
from attent.organisations import Organisation
from attent.promises.models import Promise, PromiseState
from attent.promises.service import close_cancelled, keep_promise, reassign_promise


def open_promises_of(*, db: Session, case: Case) -> list[Promise]:
    """The case's open promises, soonest due first."""
    return list(
        db.scalars(
            select(Promise)
            .where(
                Promise.organisation_id == case.organisation_id,
                Promise.case_id == case.id,
                Promise.state == PromiseState.OPEN,
            )
            .order_by(Promise.due_by, Promise.id)
        )
    )


def settle_before_finishing(
    *,
    db: Session,
    actor: Agent | None,
    case: Case,
    to: CaseStatus,
    choices: Sequence[PromiseChoice],
    at: datetime,
) -> None:
    """Do what the caller chose for each open promise, or refuse: none may be left to chance."""
    open_ = open_promises_of(db=db, case=case)
    by_id = {p.id: p for p in open_}
    strangers = [
        FieldError(("promises", i, "promise_id"), "No open promise {id} on this case.", {"id": c.promise_id})
        for i, c in enumerate(choices)
        if c.promise_id not in by_id
    ]
    if strangers:
        raise Invalid("unknown_promise", "Each choice names an open promise of this case.", strangers)
    chosen = {c.promise_id: c for c in choices}
    undecided = [p for p in open_ if p.id not in chosen]
    if undecided:
        raise _refusal(db, case, to, undecided, at)
    for promise in open_:
        choice = chosen[promise.id]
        if isinstance(choice, KeepChoice):
            keep_promise(db=db, actor=actor, promise=promise, at=at, how="explicit")
        elif isinstance(choice, CancelChoice):
            close_cancelled(db=db, actor=actor, promise=promise, reason=choice.reason, at=at)
        else:
            reassign_promise(
                db=db,
                actor=actor,
                promise=promise,
                owner_id=choice.owner_id,
                team_id=choice.team_id,
                at=at,
                reason=f"case {to.value}",
            )


@dataclass(frozen=True)
class Undecided:
    """The open promises a refusal names, each said in its reader's language: kind, due time, id."""

    promises: tuple[tuple[str, datetime, uuid.UUID], ...]
    zone: str
    now: datetime

    def say(self, language: str) -> str:
        """'callback due today 10:30 (id); …' in `language`."""
        return "; ".join(
            f"{label(language, kind)} "
            + gettext(
                language,
                "due {time}",
                time=say_when(due, now=self.now, timezone=self.zone, language=language),
            )
            + f" ({ident})"
            for kind, due, ident in self.promises
        )


def _refusal(db: Session, case: Case, to: CaseStatus, undecided: list[Promise], at: datetime) -> Conflict:
    """A refusal naming how many promises are open and what each is, and what to do about them."""
    org = db.get(Organisation, case.organisation_id)
    zone = org.timezone if org is not None else "UTC"
    listed = Undecided(tuple((p.kind.value, p.due_by, p.id) for p in undecided), zone, at)
    what = (
        N_(
            "This case still has {n} open promises: {promises}. Before it is {status}, say for each whether "
            "it was kept, is cancelled (with the reason) or is handed over to a colleague or the team."
        )
        if len(undecided) > 1
        else N_(
            "This case still has an open promise: {promises}. Before it is {status}, say whether it was "
            "kept, is cancelled (with the reason) or is handed over to a colleague or the team."
        )
    )
    return Conflict("open_promises", what, n=len(undecided), promises=listed, status=Label(to.value))
