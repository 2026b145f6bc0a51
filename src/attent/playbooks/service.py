"""Playbooks: read and replace the steps of a case type, and start a step on a case.

Starting a step tells the agent what to say and how long it takes; for a step longer than a minute it
offers a step promise, but never makes one: the agent decides, with the customer, whether to wait.
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import require_role
from attent.cases import CaseStatus
from attent.cases.service import get_case
from attent.core.errors import Conflict, FieldError, Invalid, NotFound
from attent.core.i18n import CaseType, gettext
from attent.core.schemas import Bilingual
from attent.customers.service import get_customer
from attent.playbooks.kinds import StepStartedEvent
from attent.playbooks.models import Playbook, PlaybookStep
from attent.playbooks.schemas import (
    Expected,
    PlaybookIn,
    PlaybookRead,
    PlaybookStepRead,
    StepStart,
    StepStarted,
)
from attent.promises import PromiseCreate, PromiseKind
from attent.promises.service import step_durations, window_minutes
from attent.timeline.service import record_case_event


def _find(db: Session, organisation_id: uuid.UUID, case_type: str) -> Playbook | None:
    return db.scalar(
        select(Playbook).where(Playbook.organisation_id == organisation_id, Playbook.case_type == case_type)
    )


def _steps(db: Session, playbook: Playbook) -> list[PlaybookStep]:
    return list(
        db.scalars(
            select(PlaybookStep)
            .where(
                PlaybookStep.organisation_id == playbook.organisation_id,
                PlaybookStep.playbook_id == playbook.id,
            )
            .order_by(PlaybookStep.position)
        )
    )


def expected_durations(*, db: Session, steps: list[PlaybookStep]) -> dict[str, Expected]:
    """Step key -> the learned range where enough kept step promises exist, else the default; one query."""
    if not steps:
        return {}
    learned = {
        d.step_type: d
        for d in step_durations(
            db=db, organisation_id=steps[0].organisation_id, step_types={s.step_type for s in steps}
        )
        if d.enough
    }
    result = {}
    for step in steps:
        found = learned.get(step.step_type)
        if found is None:
            result[step.key] = Expected(
                low_minutes=step.default_minutes,
                high_minutes=step.default_minutes,
                source="default",
                observations=0,
            )
        else:
            low, high = window_minutes(found)
            result[step.key] = Expected(
                low_minutes=low,
                high_minutes=high,
                source="learned",
                observations=found.observations,
            )
    return result


def _title(step: PlaybookStep) -> Bilingual:
    return Bilingual(nl=step.title_nl, en=step.title_en)


def _narration(step: PlaybookStep) -> Bilingual:
    return Bilingual(nl=step.narration_nl, en=step.narration_en)


def _read(db: Session, playbook: Playbook) -> PlaybookRead:
    steps = _steps(db, playbook)
    expected = expected_durations(db=db, steps=steps)
    return PlaybookRead(
        case_type=playbook.case_type,
        steps=[
            PlaybookStepRead(
                key=s.key,
                title=_title(s),
                narration=_narration(s),
                step_type=s.step_type,
                default_minutes=s.default_minutes,
                expected=expected[s.key],
            )
            for s in steps
        ],
        updated_at=playbook.updated_at,
        updated_by_id=playbook.updated_by_id,
    )


def list_playbooks(*, db: Session, actor: Agent) -> list[tuple[str, int, datetime]]:
    """Case type, number of steps and last change of every playbook, for the admin page."""
    count = (
        select(func.count())
        .where(
            PlaybookStep.organisation_id == Playbook.organisation_id, PlaybookStep.playbook_id == Playbook.id
        )
        .scalar_subquery()
    )
    query = select(Playbook.case_type, count, Playbook.updated_at).where(
        Playbook.organisation_id == actor.organisation_id
    )
    return [(t, n, at) for t, n, at in db.execute(query.order_by(Playbook.case_type))]


def get_playbook(*, db: Session, actor: Agent, case_type: str) -> PlaybookRead:
    """The playbook of a case type with each step's expected duration."""
    playbook = _find(db, actor.organisation_id, case_type)
    if playbook is None:
        raise NotFound(
            "playbook_not_found",
            "There is no playbook for the case type {type} yet.",
            type=CaseType(case_type),
        )
    return _read(db, playbook)


def replace_playbook(
    *, db: Session, actor: Agent, case_type: str, data: PlaybookIn, at: datetime
) -> PlaybookRead:
    """Write the playbook of a case type, replacing all its steps; admins only."""
    require_role(actor, Role.ADMIN)
    organisation_id = actor.organisation_id
    seen: dict[str, int] = {}
    errors = []
    for i, step in enumerate(data.steps):
        if step.key in seen:
            errors.append(
                FieldError(
                    ("steps", i, "key"),
                    "Key “{key}” is already step {number}.",
                    {"key": step.key, "number": seen[step.key] + 1},
                )
            )
        seen.setdefault(step.key, i)
    if errors:
        raise Invalid("duplicate_step_key", "Every step of a playbook needs its own key.", errors)
    playbook = _find(db, organisation_id, case_type)
    if playbook is None:
        playbook = Playbook(organisation_id=organisation_id, case_type=case_type, updated_at=at)
        db.add(playbook)
    playbook.updated_at, playbook.updated_by_id = at, actor.id
    db.flush()
    # Old steps go before new ones arrive: keys and positions are unique within the playbook.
    db.execute(
        delete(PlaybookStep).where(
            PlaybookStep.organisation_id == organisation_id, PlaybookStep.playbook_id == playbook.id
        )
    )
    for position, step in enumerate(data.steps):
        db.add(
            PlaybookStep(
                organisation_id=organisation_id,
                playbook_id=playbook.id,
                position=position,
                key=step.key,
                title_nl=step.title.nl,
                title_en=step.title.en,
                narration_nl=step.narration.nl,
                narration_en=step.narration.en,
                step_type=step.step_type or step.key,
                default_minutes=step.default_minutes,
            )
        )
    db.flush()
    return _read(db, playbook)


def _offer(step: PlaybookStep, expected: Expected, language: str, at: datetime) -> PromiseCreate | None:
    """A step promise to offer the customer when the step takes longer than a minute."""
    low, high = expected.low_minutes, expected.high_minutes
    if high <= 1:
        return None
    if low == high:
        words = gettext(
            language,
            "It takes about {minutes} minutes; put me on speaker and carry on, I'll stay on the line.",
            minutes=high,
        )
    else:
        words = gettext(
            language,
            "It takes about {low} to {high} minutes; put me on speaker and carry on, I'll stay on the line.",
            low=low,
            high=high,
        )
    return PromiseCreate(
        kind=PromiseKind.STEP,
        step_type=step.step_type,
        due_from=at + timedelta(minutes=low) if low != high else None,
        due_by=at + timedelta(minutes=high),
        words=words,
    )


def start_step(
    *, db: Session, actor: Agent, case_id: uuid.UUID, data: StepStart, at: datetime
) -> StepStarted:
    """Record that a step began, and hand the agent what to say and what to offer the customer."""
    case = get_case(db=db, actor=actor, case_id=case_id)
    if case.status is CaseStatus.CLOSED:
        raise Conflict("case_closed", "This case is closed; open a new case to work on it.")
    playbook = _find(db, case.organisation_id, case.type)
    if playbook is None:
        raise Conflict(
            "no_playbook",
            "There is no playbook for the case type {type}; an admin can write one.",
            type=CaseType(case.type),
        )
    steps = _steps(db, playbook)
    step = next((s for s in steps if s.key == data.step), None)
    if step is None:
        keys = ", ".join(s.key for s in steps)
        raise Invalid(
            "unknown_step",
            "The playbook for {type} has no such step.",
            [FieldError(("step",), "Start one of: {keys}.", {"keys": keys})],
            type=CaseType(case.type),
        )
    expected = expected_durations(db=db, steps=[step])[step.key]
    customer = get_customer(db=db, actor=actor, customer_id=case.customer_id)
    started = StepStartedEvent(
        case_type=case.type,
        step=step.key,
        title=_title(step).model_dump(),
        step_type=step.step_type,
        low_minutes=expected.low_minutes,
        high_minutes=expected.high_minutes,
        source=expected.source,
    )
    record_case_event(db=db, case=case, event=started, at=at, actor=actor)
    db.flush()
    return StepStarted(
        step=step.key,
        title=_title(step).in_language(actor.language),
        narration=_narration(step).in_language(actor.language),
        step_type=step.step_type,
        expected=expected,
        offer=_offer(step, expected, customer.language, at),
    )
