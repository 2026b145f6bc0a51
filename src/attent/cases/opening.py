"""Cases the customer opens themselves, by calling or through the web form: no agent creates them."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Team
from attent.cases.models import Case, CaseStatus, Priority
from attent.cases.service import _add_case, team_or_default  # the same writing as cases agents open

OPEN_STATES = (
    CaseStatus.NEW,
    CaseStatus.OPEN,
    CaseStatus.WAITING_ON_CUSTOMER,
    CaseStatus.WAITING_ON_THIRD_PARTY,
)


def open_case_of(*, db: Session, organisation_id: uuid.UUID, customer_id: uuid.UUID) -> Case | None:
    """The customer's most recently active case that is not finished (a call or form joins it)."""
    return db.scalar(
        select(Case)
        .where(
            Case.organisation_id == organisation_id,
            Case.customer_id == customer_id,
            Case.status.in_(OPEN_STATES),
        )
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(1)
    )


def open_customer_case(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    customer_id: uuid.UUID,
    subject: str,
    team_id: uuid.UUID | None,
    at: datetime,
    source: str,
    description: str | None = None,
) -> Case:
    """A new case the customer opened by reaching us (`source`: the call, the form), in `team_id`'s
    queue or the default team's."""
    if team_id is not None and db.get(Team, (organisation_id, team_id)) is None:
        team_id = None  # a team since removed: the default team sees it rather than nobody
    case = Case(
        organisation_id=organisation_id,
        customer_id=customer_id,
        subject=subject[:300],
        description=description,
        type="general",
        priority=Priority.NORMAL,
        team_id=team_or_default(db, organisation_id, team_id),
        status=CaseStatus.NEW,
        created_at=at,
        updated_at=at,
    )
    _add_case(db=db, case=case, actor=None, at=at, source=source)
    db.flush()
    return case
