"""Bulk actions: one change to many cases, each with its own timeline event, all or nothing."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from attent.agents import Agent
from attent.cases.access import visible_to
from attent.cases.bulk import MAX_BATCH, BatchRefused, BulkAction, Refusal
from attent.cases.changes import change_case, check_owner_and_team
from attent.cases.kinds import CaseTagged, CaseUntagged
from attent.cases.models import Case, CaseStatus, CaseTag, Tag
from attent.cases.schemas import CaseUpdate
from attent.cases.tagging import find_tag, tag_for, tag_name
from attent.core.errors import AttentError, FieldError, Invalid
from attent.timeline.service import record_case_event


def _batch(db: Session, actor: Agent, case_ids: Sequence[uuid.UUID]) -> list[Case]:
    """The selected cases in the order given; one the actor may not work (or that is not there) is a 422."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise Invalid("empty_batch", "Select at least one case.", [FieldError(("case_ids",), "Empty.")])
    if len(ids) > MAX_BATCH:
        raise Invalid(
            "batch_too_large",
            "Select at most {n} cases at once.",
            [FieldError(("case_ids",), "Select at most {n} cases at once.", {"n": MAX_BATCH})],
            n=MAX_BATCH,
        )
    found = {c.id: c for c in db.scalars(visible_to(select(Case), actor).where(Case.id.in_(ids)))}
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise Invalid(
            "unknown_cases",
            "{n} of the selected cases do not exist or are not yours to work; nothing was changed.",
            [
                FieldError(("case_ids", ids.index(i)), "No case with id {id}.", {"id": i})
                for i in unknown[:20]
            ],
            n=len(unknown),
        )
    return [found[i] for i in ids]


def bulk_update(
    *,
    db: Session,
    actor: Agent,
    case_ids: Sequence[uuid.UUID],
    action: BulkAction,
    at: datetime,
    owner_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    status: CaseStatus | None = None,
    tag: str | None = None,
) -> list[Case]:
    """Do one thing to every selected case, each with its own timeline event, or nothing at all.

    A case that refuses is listed with its reason (`BatchRefused`, a 409); the caller rolls back.
    """
    if action is BulkAction.STATUS and status is None:
        raise Invalid(
            "invalid_batch", "Choose the status to move to.", [FieldError(("status",), "Required.")]
        )
    if action is BulkAction.MOVE_TEAM and team_id is None:
        raise Invalid("invalid_batch", "Choose the team to move to.", [FieldError(("team_id",), "Required.")])
    if action in (BulkAction.ADD_TAG, BulkAction.REMOVE_TAG) and not (tag or "").strip():
        raise Invalid("invalid_batch", "Choose the tag.", [FieldError(("tag",), "Required.")])
    cases = _batch(db, actor, case_ids)
    update = None
    if action is BulkAction.ASSIGN:
        update = CaseUpdate(owner_id=owner_id)
    elif action is BulkAction.MOVE_TEAM:
        update = CaseUpdate(team_id=team_id)
    elif action is BulkAction.STATUS:
        update = CaseUpdate(status=status)
    if update is not None:  # a bad owner or team refuses the batch as a whole, before any case
        check_owner_and_team(db=db, organisation_id=actor.organisation_id, owner_id=owner_id, team_id=team_id)
    chosen: Tag | None = None
    if action is BulkAction.ADD_TAG:
        chosen = tag_for(db=db, actor=actor, name=tag or "", at=at, field="tag")
    elif action is BulkAction.REMOVE_TAG:
        chosen = find_tag(db=db, organisation_id=actor.organisation_id, name=tag_name(tag or "", field="tag"))
        if chosen is None:
            return cases  # no case carries a tag that does not exist: nothing to take off
    refusals: list[Refusal] = []
    if chosen is not None:  # the links the cases have now, in one query instead of one per case
        linked = set(db.scalars(select(CaseTag.case_id).where(
            CaseTag.organisation_id == actor.organisation_id, CaseTag.tag_id == chosen.id,
            CaseTag.case_id.in_([c.id for c in cases]),
        )))  # fmt: skip
    # No savepoint per case: a refusal is raised before the case is changed, and any refusal rolls the
    # whole batch back, so nothing of a refused case can remain; one flush writes the batch at the end.
    for case in cases:
        try:
            if update is not None:
                change_case(db=db, actor=actor, case=case, data=update, at=at)
            elif chosen is not None and action is BulkAction.ADD_TAG and case.id not in linked:
                link = CaseTag(
                    organisation_id=case.organisation_id, case_id=case.id, tag_id=chosen.id, added_at=at
                )
                db.add(link)
                record_case_event(db=db, case=case, event=CaseTagged(tag=chosen.name), at=at, actor=actor)
                case.updated_at = at
            elif chosen is not None and action is BulkAction.REMOVE_TAG and case.id in linked:
                record_case_event(db=db, case=case, event=CaseUntagged(tag=chosen.name), at=at, actor=actor)
                case.updated_at = at
        except AttentError as exc:
            refusals.append(Refusal(case.id, case.subject, exc))
    if refusals:
        raise BatchRefused(refusals)
    if chosen is not None and action is BulkAction.REMOVE_TAG and linked:
        db.execute(
            delete(CaseTag).where(
                CaseTag.organisation_id == actor.organisation_id,
                CaseTag.tag_id == chosen.id,
                CaseTag.case_id.in_(list(linked)),
            )
        )
    db.flush()
    return cases
