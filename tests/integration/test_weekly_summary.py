"""The weekly summary e-mail: leads opt in, and on Monday from 07:00 their time each gets last week's
figures and the cases worth a look, once, over real SMTP."""

from datetime import timedelta

import pytest

from attent.core.queue import run_due_jobs
from attent.core.settings import Settings, get_settings
from attent.insight.weekly import plan_weekly_summaries
from tests.conftest import START, Api
from tests.integration.test_insight import Story


@pytest.fixture
def smtp(mailbox, monkeypatch):
    """The queue's handler reads the process settings: point them at the test's SMTP server."""
    monkeypatch.setenv("ATTENT_SMTP_HOST", mailbox.host)
    monkeypatch.setenv("ATTENT_SMTP_PORT", str(mailbox.port))
    get_settings.cache_clear()
    yield mailbox
    get_settings.cache_clear()


def test_a_lead_who_opted_in_gets_last_weeks_figures_once_on_monday(db, database, app_client, tenant, smtp):
    story = Story(db, tenant)
    at = START - timedelta(days=5)  # Wednesday last week
    rushed = story.case(at)
    story.contact(rushed, at)
    story.resolve(rushed, at + timedelta(hours=1))
    story.contact(rushed, at + timedelta(days=1))  # came back
    story.resolve(rushed, at + timedelta(days=1, hours=1))
    db.commit()
    lead, agent = Api(app_client, tenant.tokens["lead"]), Api(app_client, tenant.tokens["agent"])
    assert agent.put("/api/v1/insight/weekly-summary", json={"subscribed": True}).status_code == 403
    assert lead.put("/api/v1/insight/weekly-summary", json={"subscribed": True}).json() == {
        "subscribed": True
    }
    assert lead.get("/api/v1/insight/weekly-summary").json() == {"subscribed": True}

    settings = Settings()
    sunday = START - timedelta(days=1)
    assert plan_weekly_summaries(database=database, now=sunday, limit=100, settings=settings) == 0
    early = START.replace(hour=5)  # Monday 06:00 in Amsterdam: not yet
    assert plan_weekly_summaries(database=database, now=early, limit=100, settings=settings) == 0
    assert plan_weekly_summaries(database=database, now=START, limit=100, settings=settings) == 1
    assert (
        plan_weekly_summaries(database=database, now=START + timedelta(hours=1), limit=100, settings=settings)
        == 0
    )
    assert run_due_jobs(database=database, worker_id="test", now=START) == 1

    [mail] = smtp.messages
    assert mail["To"] == tenant.lead.email
    assert mail["Subject"] == "Attent: uw week in cijfers (16-11-2026)"
    body = mail.get_content()
    assert "Vorige week (16-11 tot 22-11), tegenover de week ervoor:" in body
    assert "- Eerstecontactoplossing: 0% (—)" in body
    assert f"- Een klant die terugkwam: {rushed.subject}" in body
