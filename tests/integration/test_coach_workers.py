"""Several workers scoring at once (threads on a committed database): every ended contact is scored
exactly once, none is lost (`FOR UPDATE SKIP LOCKED` on PostgreSQL, one writer at a time on SQLite)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from attent.coach.jobs import score_ended_contacts
from attent.coach.models import ContactScorecard, ScoringDue
from attent.contacts.models import Channel, Outcome, Speaker
from attent.contacts.schemas import ContactCreate, MessageIn
from attent.contacts.service import log_contact
from attent.core.clock import FrozenClock, SystemClock
from attent.core.db import Database
from attent.timeline.models import TimelineEvent
from tests.conftest import make_tenant

CONTACTS = 60
WORKERS = 4


def test_four_workers_score_every_contact_once(committed_url):
    database = Database.from_url(committed_url)
    now = SystemClock().now()
    with database.unit_of_work() as db:
        tenant = make_tenant(db, FrozenClock(now - timedelta(minutes=5)), "vier-werkers")
        for n in range(CONTACTS):
            log_contact(
                db=db,
                actor=tenant.agent,
                case_id=tenant.case.id,
                at=now,
                data=ContactCreate(
                    channel=Channel.PHONE,
                    ended_at=now,
                    outcome=Outcome.RESOLVED,
                    messages=[
                        MessageIn(speaker=Speaker.CUSTOMER, text=f"Mijn pakket {n} is er niet.", at=now),
                        MessageIn(speaker=Speaker.AGENT, text="Ik bel u binnen een uur terug.", at=now),
                    ],
                ),
            )

    def work(_: int) -> int:
        done = 0
        while moved := score_ended_contacts(database=database, now=now + timedelta(seconds=1), limit=5):
            done += moved
        return done

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        done = list(pool.map(work, range(WORKERS)))
    assert sum(done) == CONTACTS
    with database.unit_of_work() as db:
        org = tenant.organisation_id
        cards = (
            select(func.count()).select_from(ContactScorecard).where(ContactScorecard.organisation_id == org)
        )
        events = (
            select(func.count())
            .select_from(TimelineEvent)
            .where(TimelineEvent.organisation_id == org, TimelineEvent.kind == "coach.scored")
        )
        assert db.scalar(cards) == CONTACTS and db.scalar(events) == CONTACTS
        assert db.scalar(select(func.count()).select_from(ScoringDue)) == 0
    database.engine.dispose()
