"""The daily roll-ups give exactly what the live queries give (they stay the definition), after a random
sequence of cases, contacts, resolutions, reopens, reassignments, promises kept late and surveys answered,
many of them late events that change figures of days already rolled up."""

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from attent.cases import Case, CaseStatus, CaseUpdate
from attent.cases.service import change_case, change_status
from attent.channels import OutboundMessage
from attent.insight import rollups
from attent.insight.jobs import send_due_surveys
from attent.insight.models import DailyFigure, RollupState
from attent.insight.schemas import SurveyAnswer
from attent.insight.service import MEASURES, report, scope_for
from attent.insight.surveys import answer
from attent.promises import Promise, PromiseKind, PromiseState
from attent.promises.service import cancel_promise, create, keep_promise
from tests.conftest import START
from tests.integration.test_insight import Story, _customer

GROUPS = ("total", "day", "week", "month", "team", "agent", "channel", "type")
HOUR = timedelta(hours=1)


class World:
    """A tenant's life told at random, through the services, in time order."""

    def __init__(self, db, database, tenant, seed):
        self.db, self.database, self.tenant = db, database, tenant
        self.rng = random.Random(seed)
        self.story = Story(db, tenant)
        self.cases: list[Case] = []

    def _case(self):
        return self.rng.choice(self.cases)

    def step(self, at):
        """One random thing happening at `at`."""
        rng, db = self.rng, self.db
        roll = rng.random()
        if roll < 0.22 or not self.cases:
            customer = _customer(db, self._case()) if self.cases and rng.random() < 0.5 else None
            case = self.story.case(
                at,
                customer=customer,
                type=rng.choice(("delivery_missing", "invoice_question")),
                owner=rng.choice((self.tenant.agent, self.tenant.lead)),
            )
            self.cases.append(case)
            if rng.random() < 0.8:
                self.story.contact(case, at, channel=rng.choice(("phone", "email", "chat")))
        elif roll < 0.45:  # a contact, often late: on a case resolved days ago (a repeat, a lost FCR)
            case = self._case()
            self.story.contact(
                case,
                at,
                direction=rng.choice(("inbound", "inbound", "outbound")),
                channel=rng.choice(("phone", "email", "chat")),
                minutes=rng.choice((1, 3, 8, 15, 25)),
            )
        elif roll < 0.65:
            case = self._case()
            if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
                for promise in self._open_promises(case):
                    keep_promise(db=db, actor=self.tenant.admin, promise=promise, at=at)
                self.story.resolve(case, at)
        elif roll < 0.72:  # a reopen of an earlier resolution
            case = self._case()
            if case.status is CaseStatus.RESOLVED:
                change_status(db=db, actor=self.tenant.admin, case=case, to=CaseStatus.OPEN, at=at)
        elif roll < 0.77:  # reassigned: every figure of the case moves to the other owner
            case = self._case()
            owner = self.tenant.lead if case.owner_id == self.tenant.agent.id else self.tenant.agent
            change_case(db=db, actor=self.tenant.admin, case=case, data=CaseUpdate(owner_id=owner.id), at=at)
        elif roll < 0.87:
            case = self._case()
            if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
                create(
                    db=db, case=case, kind=PromiseKind.CALLBACK, due_by=at + rng.choice((2, 6, 30)) * HOUR,
                    at=at, actor=self.tenant.admin, owner_id=case.owner_id,
                )  # fmt: skip
        elif roll < 0.95:  # a promise kept (often late) or cancelled
            open_ = list(db.scalars(select(Promise).where(Promise.state == PromiseState.OPEN)))
            if open_:
                promise = rng.choice(open_)
                if rng.random() < 0.8:
                    keep_promise(db=db, actor=self.tenant.admin, promise=promise, at=at)
                else:
                    cancel_promise(
                        db=db, actor=self.tenant.admin, promise_id=promise.id, reason="not needed", at=at
                    )
        else:
            self.db.commit()
            send_due_surveys(database=self.database, now=at)
            self.answer_a_survey(at)
        db.flush()

    def _open_promises(self, case):
        return list(
            self.db.scalars(
                select(Promise).where(Promise.case_id == case.id, Promise.state == PromiseState.OPEN)
            )
        )

    def answer_a_survey(self, at):
        """A customer answers a survey sent days ago: its day's satisfaction changes."""
        self.db.expire_all()
        messages = list(self.db.scalars(select(OutboundMessage).where(OutboundMessage.template == "survey")))
        self.rng.shuffle(messages)
        for message in messages:
            found = re.search(r"/survey/([0-9a-f-]+)/([0-9a-f-]+)\?t=(\S+)", message.body)
            assert found
            try:
                answer(
                    db=self.db,
                    organisation_id=message.organisation_id,
                    survey_id=found.group(2),
                    token=found.group(3),
                    data=SurveyAnswer(csat=self.rng.randint(1, 5), ces=self.rng.randint(1, 7)),
                    now=at,
                )
            except Exception:  # answered already, or expired: try another
                self.db.rollback()
                continue
            return

    def live(self, first, last):
        times = sorted(first + (last - first) * self.rng.random() for _ in range(60))
        for at in times:
            self.step(at)
        self.db.commit()


def _refresh(db, tenant, now):
    """What the worker's step does, without its half-minute pause and with no margin: only what changed
    since the last look is found, so a missed dirty day shows."""
    days = rollups.refresh(
        db=db,
        organisation_id=tenant.organisation_id,
        measures=MEASURES.values(),
        now=now,
        real_now=datetime.now(UTC),
        margin=timedelta(0),
        force=True,
    )
    db.commit()
    return days


def _close(a, b, path=""):
    """Equal, but a sum of seconds may differ by float rounding between one sum and a sum of sums."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            _close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{path}: {a} != {b}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, int | float) and isinstance(b, int | float) and "seconds" in path:
        assert abs(a - b) <= 0.11, f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a} != {b}"


def _agree(db, tenant, now):
    """Every rolled-up measure, every grouping, for the admin, a team and an agent's own figures."""
    checked = 0
    for actor, filters, groups in (
        (tenant.admin, {}, GROUPS),
        (tenant.lead, {"team_id": tenant.team_id}, ("total", "week", "agent")),
        (tenant.agent, {}, ("total", "day")),
        (tenant.admin, {"channel": "phone", "case_type": "delivery_missing"}, ("total", "month")),
    ):
        for group_by in groups:
            scope = scope_for(
                db=db,
                actor=actor,
                now=now,
                since=(START - timedelta(days=60)).date(),
                until=now.date(),
                group_by=group_by,
                **filters,
            )
            for measure in rollups.ROLLED:
                assert rollups.usable_through(scope, MEASURES[measure]) is not None
                live = report(db=db, scope=scope, measure=measure, live=True).model_dump()
                rolled = report(db=db, scope=scope, measure=measure).model_dump()
                _close(rolled, live, f"{measure}/{group_by}/{actor.role.value}/{filters}")
                checked += 1
    return checked


@pytest.mark.parametrize("seed", [7, 2026])
def test_rollups_equal_the_live_queries_after_random_late_events(db, database, tenant, seed):
    world = World(db, database, tenant, seed)
    world.live(START - timedelta(days=45), START - timedelta(days=25))
    first = START - timedelta(days=25) + 2 * HOUR
    assert _refresh(db, tenant, first) > 15  # the first look rolls up every day so far
    assert db.scalar(select(func.count()).select_from(DailyFigure)) > 0
    _agree(db, tenant, first)

    # Late events: contacts on cases resolved days ago, reopens, promises kept late, surveys answered,
    # owners changed; the days they dirty are recomputed, and time alone settles windows.
    world.live(first, START - timedelta(days=9))
    second = START - timedelta(days=9) + 5 * HOUR
    _refresh(db, tenant, second)
    assert _agree(db, tenant, second) == (len(GROUPS) + 7) * len(rollups.ROLLED)

    world.live(second, START - HOUR)
    _refresh(db, tenant, START)
    assert _refresh(db, tenant, START) == 0  # nothing changed since: nothing recomputed
    _agree(db, tenant, START)
    state = db.scalar(select(RollupState))
    assert state.through == (START - timedelta(days=1)).date()


def test_a_changed_window_is_not_read_until_the_rollups_are_rebuilt(db, database, tenant, admin_api):
    world = World(db, database, tenant, 11)
    world.live(START - timedelta(days=20), START - timedelta(days=2))
    _refresh(db, tenant, START)
    rules = admin_api.get("/api/v1/insight/settings").json()
    assert admin_api.put("/api/v1/insight/settings", json={**rules, "fcr_window_days": 3}).status_code == 200
    db.expire_all()
    since = (START - timedelta(days=20)).date()
    scope = scope_for(db=db, actor=tenant.admin, now=START, since=since)
    assert rollups.usable_through(scope, MEASURES["fcr"]) is None  # the live queries answer meanwhile
    _refresh(db, tenant, START)
    scope = scope_for(db=db, actor=tenant.admin, now=START, since=since)
    assert rollups.usable_through(scope, MEASURES["fcr"]) is not None
    _agree(db, tenant, START)
