"""The organisation's rules: read and replace the document, show each rule's state, resume a paused one."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import list_teams, require_role
from attent.core.errors import Conflict, Invalid, NotFound
from attent.signals import engine
from attent.signals.models import FiringState, Rule, RuleFiring, RuleSet
from attent.signals.rulebook import parse
from attent.signals.schemas import RuleStatus
from attent.signals.shapes import RuleSettings
from attent.signals.sources import source_names


def get_rulebook(*, db: Session, actor: Agent) -> dict[str, Any]:
    """The whole document as it was saved (leads and admins), each rule with its read-only state."""
    require_role(actor, Role.LEAD)
    rule_set = db.get(RuleSet, actor.organisation_id)
    settings = RuleSettings.model_validate(rule_set.settings if rule_set else {})
    statuses = {s.key: s for s in rule_statuses(db=db, organisation_id=actor.organisation_id)}
    rules = [
        {**rule.definition, "active": rule.active, "state": _state(statuses[rule.key])}
        for rule in _live_rules(db, actor.organisation_id)
    ]
    return {
        "settings": settings.model_dump(mode="json"),
        "signal_types": rule_set.signal_types if rule_set else {},
        "rules": rules,
    }


def _state(status: RuleStatus) -> dict[str, Any]:
    return status.model_dump(mode="json", exclude={"key", "active"})


def _live_rules(db: Session, organisation_id: uuid.UUID) -> list[Rule]:
    return list(
        db.scalars(
            select(Rule)
            .where(Rule.organisation_id == organisation_id, Rule.deleted_at.is_(None))
            .order_by(Rule.position)
        )
    )


def put_rulebook(*, db: Session, actor: Agent, document: Any, at: datetime) -> dict[str, Any]:
    """Replace the document (admins); nothing is saved unless all of it is valid.

    Rules are matched by key: a kept key keeps its id, state and firings; a dropped key is retired
    (its history stays); a paused rule stays paused until it is resumed.
    """
    require_role(actor, Role.ADMIN)
    teams = {team.id for team in list_teams(db=db, actor=actor)}
    book, errors = parse(
        document, sources=source_names(db=db, organisation_id=actor.organisation_id), team_ids=teams
    )
    if errors:
        raise Invalid(
            "invalid_rules", "Problems in the rules: {n}; nothing was saved.", errors, n=len(errors)
        )
    org = actor.organisation_id
    rule_set = db.get(RuleSet, org)
    if rule_set is None:
        rule_set = RuleSet(organisation_id=org, version=0, updated_at=at)
        db.add(rule_set)
    rule_set.settings = book.settings.model_dump(mode="json")
    rule_set.signal_types = {name: t.model_dump(mode="json") for name, t in book.signal_types.items()}
    rule_set.version, rule_set.updated_at, rule_set.updated_by_id = rule_set.version + 1, at, actor.id
    existing = {r.key: r for r in db.scalars(select(Rule).where(Rule.organisation_id == org))}
    for position, definition in enumerate(book.rules):
        rule = existing.pop(definition["key"], None)
        if rule is None:
            rule = Rule(organisation_id=org, key=definition["key"], created_at=at)
            db.add(rule)
        rule.definition, rule.active, rule.position = definition, definition["active"], position
        rule.deleted_at, rule.updated_at = None, at
    for retired in existing.values():
        if retired.deleted_at is None:
            retired.deleted_at = at
    db.flush()
    engine.forget(org)
    return get_rulebook(db=db, actor=actor)


def rule_statuses(*, db: Session, organisation_id: uuid.UUID) -> list[RuleStatus]:
    """Every live rule's state and how often it fired, was held, failed … in two queries."""
    rules = _live_rules(db, organisation_id)
    counts: dict[uuid.UUID, dict[str, int]] = {r.id: {} for r in rules}
    rows = db.execute(
        select(RuleFiring.rule_id, RuleFiring.state, func.count())
        .where(RuleFiring.organisation_id == organisation_id)
        .group_by(RuleFiring.rule_id, RuleFiring.state)
    )
    for rule_id, state, n in rows:
        if rule_id in counts:
            counts[rule_id][FiringState(state).value] = n
    return [
        RuleStatus(
            id=r.id, key=r.key, active=r.active, paused_at=r.paused_at, error=r.error, counts=counts[r.id]
        )
        for r in rules
    ]


def find_rule(*, db: Session, organisation_id: uuid.UUID, rule: str | uuid.UUID) -> Rule:
    """A live rule by id or by key."""
    query = select(Rule).where(Rule.organisation_id == organisation_id, Rule.deleted_at.is_(None))
    try:
        rule_id = rule if isinstance(rule, uuid.UUID) else uuid.UUID(rule)
        found = db.scalar(query.where(Rule.id == rule_id))
    except ValueError:
        found = db.scalar(query.where(Rule.key == rule))
    if found is None:
        raise NotFound("rule_not_found", "No rule {rule} exists.", rule=rule)
    return found


def get_rule(*, db: Session, actor: Agent, rule_id: uuid.UUID) -> dict[str, Any]:
    """One rule: its definition and its state (leads and admins)."""
    require_role(actor, Role.LEAD)
    rule = find_rule(db=db, organisation_id=actor.organisation_id, rule=rule_id)
    status = next(s for s in rule_statuses(db=db, organisation_id=actor.organisation_id) if s.id == rule.id)
    return {**rule.definition, "active": rule.active, "state": _state(status)}


def resume_rule(*, db: Session, actor: Agent, rule_id: uuid.UUID, at: datetime) -> dict[str, Any]:
    """Resume a paused rule (admins): the signals it failed on, or that arrived meanwhile, run again now."""
    require_role(actor, Role.ADMIN)
    rule = find_rule(db=db, organisation_id=actor.organisation_id, rule=rule_id)
    if rule.paused_at is None:
        raise Conflict("rule_not_paused", "Rule “{key}” is not paused.", key=rule.key)
    rule.paused_at, rule.error, rule.updated_at = None, None, at
    db.execute(
        update(RuleFiring)
        .where(
            RuleFiring.organisation_id == rule.organisation_id,
            RuleFiring.rule_id == rule.id,
            RuleFiring.state.in_([FiringState.FAILED, FiringState.WAITING]),
        )
        .values(state=FiringState.SCHEDULED, due_at=at, error=None, reason="resumed", updated_at=at)
        .execution_options(synchronize_session=False)
    )
    db.execute(
        update(RuleSet)
        .where(RuleSet.organisation_id == rule.organisation_id)
        .values(version=RuleSet.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.flush()
    engine.forget(rule.organisation_id)
    return get_rule(db=db, actor=actor, rule_id=rule.id)
