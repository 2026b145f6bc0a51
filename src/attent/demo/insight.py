"""Insight in the demo: ten weeks of the coffee shop's orders team, in which first-contact
resolution rises as the team learns to give customers a time (a promise, kept), and a rushed call
that brought the customer back two days later. Surveys answered along the way.

Rows are written directly (with their timeline's status changes), as history that happened before
the demo's `now`: the services would stamp them with today and set the worker to work on them.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent, Team
from attent.cases import Case, CaseStatus, CaseStatusChanged
from attent.contacts import Channel, Contact, Direction, Outcome
from attent.core.ids import uuid7
from attent.customers import Customer
from attent.insight.models import Survey, SurveyState
from attent.organisations.service import find_organisation
from attent.promises import Promise, PromiseKind, PromiseState
from attent.timeline.service import record_case_event

WEEKS = 10
PER_WEEK = 6
FIRST = [
    "Joost",
    "Anouk",
    "Sem",
    "Lotte",
    "Bram",
    "Iris",
    "Milan",
    "Fenna",
    "Ruben",
    "Noor",
    "Jesse",
    "Sophie",
]
LAST = ["Mulder", "de Boer", "Visser", "Smit", "Meijer", "de Groot", "Bos", "Vos", "Peters", "Hendriks"]
SUBJECTS = [
    ("Pakket niet ontvangen", "delivery_missing"),
    ("Verkeerde capsules geleverd", "wrong_item"),
    ("Wanneer komt mijn bestelling?", "delivery_late"),
]


def load_insight_history(db: Session, now: datetime) -> None:
    """Ten weeks of resolved cases for the orders team; the share resolved at first contact rises."""
    org = find_organisation(db=db, slug="kopje-koffie")
    team = db.scalar(
        select(Team).where(Team.organisation_id == org.id, Team.name == "Bestellingen & bezorging")
    )
    assert team is not None
    agents = {
        a.email.split("@")[0]: a for a in db.scalars(select(Agent).where(Agent.organisation_id == org.id))
    }
    owners = [agents["fatima"], agents["emma"]]
    since = now - timedelta(days=7 * WEEKS + 10)
    customers = [  # one customer per case: whoever comes back, comes back about that case
        _customer(db, org.id, f"{first} {last}", i, since)
        for i, (first, last) in enumerate((f, la) for la in LAST for f in FIRST)
    ][: WEEKS * PER_WEEK]
    db.flush()
    monday = (now - timedelta(days=now.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)
    n = 0
    for week in range(WEEKS):
        start = monday - timedelta(weeks=WEEKS - week)
        first_time = round(PER_WEEK * (0.5 + 0.4 * week / (WEEKS - 1)))  # 50% ten weeks ago, 90% last week
        for i in range(PER_WEEK):
            n += 1
            at = start + timedelta(days=i % 5, hours=i % 7)
            calm = i < first_time  # a calm call gave the customer a time; a rushed one did not
            subject, kind = SUBJECTS[n % len(SUBJECTS)]
            _story(db, team, owners[n % 2], customers[n - 1], subject, kind, at, calm, n)
    db.flush()


def _customer(db: Session, organisation_id: object, name: str, i: int, at: datetime) -> Customer:
    customer = Customer(
        organisation_id=organisation_id,
        id=uuid7(),
        name=name,
        email=f"{name.split()[0].lower()}.{i}@example.nl",
        language="nl",
        facts={},
        created_at=at,
        updated_at=at,
    )
    db.add(customer)
    return customer


def _story(
    db: Session,
    team: Team,
    owner: Agent,
    customer: Customer,
    subject: str,
    kind: str,
    at: datetime,
    calm: bool,
    n: int,
) -> None:
    """One case: a call; a calm one (12 minutes, a time given and kept) resolves it, a rushed one (a
    minute) resolves it too, but the customer calls back two days later (8 minutes) and it is resolved
    again."""
    minutes = 12 if calm else 1
    case = Case(
        organisation_id=team.organisation_id,
        id=uuid7(),
        customer_id=customer.id,
        subject=subject,
        type=kind,
        status=CaseStatus.RESOLVED,
        owner_id=owner.id,
        team_id=team.id,
        created_at=at,
        updated_at=at,
    )
    db.add(case)
    db.flush()
    ended = at + timedelta(minutes=minutes)
    _call(db, case, owner, at, ended)
    _resolve(db, case, ended, CaseStatus.OPEN)
    if calm:
        due = at + timedelta(days=1)
        db.add(
            Promise(
                organisation_id=case.organisation_id,
                id=uuid7(),
                case_id=case.id,
                customer_id=customer.id,
                kind=PromiseKind.DELIVERY,
                state=PromiseState.KEPT,
                due_by=due,
                at_risk_at=due - timedelta(hours=2),
                grace_until=due + timedelta(minutes=30),
                owner_id=owner.id,
                team_id=team.id,
                words="Morgen voor 17:00 ligt er een nieuw pakket bij u.",
                made_by_id=owner.id,
                made_at=at + timedelta(minutes=8),
                closed_at=due - timedelta(hours=3),
            )
        )
        resolved = ended
    else:  # the rushed call: two days later the customer calls again, and it takes the time it needed
        back = at + timedelta(days=2)
        _resolve(db, case, back, CaseStatus.RESOLVED, to=CaseStatus.OPEN)
        _call(db, case, owner, back, back + timedelta(minutes=8))
        resolved = back + timedelta(minutes=8)
        _resolve(db, case, resolved, CaseStatus.OPEN)
    case.resolved_at = case.updated_at = resolved
    if n % 2 == 0:  # half the customers answer the survey
        db.add(
            Survey(
                organisation_id=case.organisation_id,
                id=uuid7(),
                case_id=case.id,
                customer_id=customer.id,
                resolved_at=resolved,
                due_at=resolved + timedelta(days=1),
                state=SurveyState.ANSWERED,
                sent_at=resolved + timedelta(days=1),
                expires_at=resolved + timedelta(days=31),
                answered_at=resolved + timedelta(days=1, hours=2),
                csat=5 if calm else 2 + n % 2,
                ces=6 + n % 2 if calm else 3,
                comment=None if calm else "Ik moest zelf opnieuw bellen.",
                created_at=resolved,
            )
        )


def _call(db: Session, case: Case, owner: Agent, start: datetime, end: datetime) -> None:
    db.add(
        Contact(
            organisation_id=case.organisation_id,
            id=uuid7(),
            case_id=case.id,
            customer_id=case.customer_id,
            channel=Channel.PHONE,
            direction=Direction.INBOUND,
            agent_id=owner.id,
            started_at=start,
            ended_at=end,
            outcome=Outcome.RESOLVED,
            created_at=start,
        )
    )


def _resolve(
    db: Session, case: Case, at: datetime, before: CaseStatus, to: CaseStatus = CaseStatus.RESOLVED
) -> None:
    event = CaseStatusChanged(from_=before.value, to=to.value)
    record_case_event(db=db, case=case, event=event, at=at, actor=None)
