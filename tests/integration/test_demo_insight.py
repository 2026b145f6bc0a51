"""The demo tells insight's story: first-contact resolution rises week by week as the team gives times,
and a rushed call brings the customer back."""

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from attent.agents import Agent
from attent.demo import load_demo
from attent.insight.service import report, scope_for
from attent.organisations.service import find_organisation


def test_the_demo_shows_fcr_rising_and_rushed_calls_coming_back(db, clock):
    load_demo(db=db, now=clock.now())
    org = find_organisation(db=db, slug="kopje-koffie")
    daan = db.scalar(
        select(Agent).where(Agent.organisation_id == org.id, Agent.email == "daan@kopjekoffie.example")
    )
    scope = scope_for(db=db, actor=daan, now=clock.now(), group_by="week")
    quarter = replace(scope, first_day=scope.last_day - timedelta(weeks=13))
    weeks = report(db=db, scope=quarter, measure="fcr").lines
    shares = [line.values["fcr_share"] for line in weeks if line.values["resolved"] >= 4]
    assert len(shares) >= 7 and shares[-1] > shares[0] and shares[-1] >= 0.7
    bands = {line.key: line.values for line in report(db=db, scope=quarter, measure="durations").lines}
    assert bands["under_2m"]["came_back_7d_share"] == 1.0 and bands["10_20m"]["came_back_7d_share"] == 0.0
    surveys = report(db=db, scope=quarter, measure="surveys").total.values
    assert surveys["answered"] >= 25 and 2 < surveys["csat_avg"] < 5
