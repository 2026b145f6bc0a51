"""Business hours: answer times skip evenings, weekends, Dutch public holidays and closed days; the
organisation and its teams set their hours on the API and the settings page.

Times are written as the organisation's clock shows them (Amsterdam); the clock is the injectable one.
"""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from attent.cases import Priority
from attent.core.when import say_when
from attent.mailboxes.answer_time import answer_by
from attent.organisations.service import opening_hours
from tests.conftest import Api

AMSTERDAM = "Europe/Amsterdam"
ZONE = ZoneInfo(AMSTERDAM)


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZONE)


def _due(settings, at, priority=Priority.NORMAL, team_id=None):
    return answer_by(settings=settings, timezone=AMSTERDAM, priority=priority, at=at, team_id=team_id)


@pytest.mark.parametrize(
    ("at", "settings", "expected", "why"),
    [
        (_local(2026, 12, 24, 10), {}, _local(2026, 12, 28, 10), "Christmas Eve: Kerst, the weekend, Monday"),
        (
            _local(2026, 12, 24, 10),
            {"business_hours": {"closed_days": ["2026-12-28"]}},
            _local(2026, 12, 29, 10),
            "and closed between Christmas and New Year",
        ),
        (
            _local(2026, 12, 24, 10),
            {"business_hours": {"public_holidays": None}},
            _local(2026, 12, 25, 10),
            "an organisation that works on public holidays",
        ),
        (_local(2026, 4, 24, 16), {}, _local(2026, 4, 28, 16), "Friday before Koningsdag (Monday 27 April)"),
        (_local(2026, 4, 2, 16), {}, _local(2026, 4, 7, 16), "Goede Vrijdag and Easter Monday are closed"),
        (
            _local(2026, 4, 2, 16),
            {"business_hours": {"open_days": ["2026-04-03"]}},
            _local(2026, 4, 3, 16),
            "unless the organisation works Goede Vrijdag",
        ),
        (_local(2026, 5, 13, 9), {}, _local(2026, 5, 13, 17), "the day before Ascension: within the day"),
        (_local(2026, 5, 13, 10), {}, _local(2026, 5, 15, 10), "Ascension Day is skipped"),
        (_local(2026, 11, 28, 11), {}, _local(2026, 11, 30, 17), "Saturday: from Monday's opening"),
        (_local(2026, 10, 23, 16), {}, _local(2026, 10, 26, 16), "across the end of summer time"),
        (_local(2026, 3, 27, 16), {}, _local(2026, 3, 30, 16), "across the start of summer time"),
    ],
)
def test_answer_times_skip_closed_hours(at, settings, expected, why):
    assert _due(settings, at) == expected, why


def test_summer_time_ends_between_friday_and_monday_and_the_hours_still_count_in_real_time():
    due = _due({}, _local(2026, 10, 23, 16))  # 14:00 UTC on Friday (summer time): 1 hour that day
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 15, 0, tzinfo=UTC)  # Monday 16:00, winter time
    assert due.utcoffset() == timedelta(hours=1)


def test_the_customer_is_told_tuesday_at_ten_after_christmas_and_the_weekend():
    at = _local(2026, 12, 24, 10)
    due = _due({"business_hours": {"closed_days": ["2026-12-28"]}}, at)
    said = say_when(due, now=at, timezone=AMSTERDAM, language="nl", sentence=True)
    assert said == "op dinsdag uiterlijk om 10:00"


def test_a_team_with_its_own_hours_answers_on_saturday_and_the_organisation_not():
    team = uuid.uuid4()
    saturday = [None] * 5 + [["10:00", "14:00"], None]
    settings = {"business_hours": {"teams": {str(team): {"week": [["09:00", "17:00"]] * 5 + saturday[5:]}}}}
    at = _local(2026, 11, 28, 11)
    assert _due(settings, at, Priority.URGENT, team_id=team) == _local(2026, 11, 28, 12)
    assert _due(settings, at, Priority.URGENT) == _local(2026, 11, 30, 10)
    hours = opening_hours(settings, AMSTERDAM, team)
    assert hours.is_open(_local(2026, 11, 28, 13, 59)) and not hours.is_open(_local(2026, 11, 28, 14))


def test_the_hours_the_coach_was_given_before_still_count():
    settings = {"coach": {"business_hours": {"days": [0, 1, 2, 3, 4, 5], "start": "08:00", "end": "12:00"}}}
    hours = opening_hours(settings, AMSTERDAM)
    assert hours.is_open(_local(2026, 11, 28, 9)) and not hours.is_open(_local(2026, 11, 27, 13))


WEEK = [{"opens": "08:30", "closes": "17:30"}] * 5 + [{"opens": "10:00", "closes": "13:00"}, None]


def test_admins_set_the_hours_and_see_the_holidays_coming(admin_api, api, tenant, clock):
    clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=UTC))
    read = api.get("/api/v1/business-hours").json()
    assert read["public_holidays"] == "NL" and read["week"][5] is None
    assert read["week"][0] == {"opens": "09:00:00", "closes": "17:00:00"}
    coming = [(d["day"], d["kind"], d["name"]) for d in read["upcoming"][:3]]
    assert coming == [
        ("2026-12-25", "public_holiday", "Eerste kerstdag"),
        ("2026-12-26", "public_holiday", "Tweede kerstdag"),
        ("2027-01-01", "public_holiday", "Nieuwjaarsdag"),
    ]
    body = {"week": WEEK, "public_holidays": "NL", "closed_days": ["2026-12-31"]}
    refused = api.put("/api/v1/business-hours", json=body)
    assert refused.status_code == 403
    saved = admin_api.put("/api/v1/business-hours", json=body)
    assert saved.status_code == 200, saved.text
    assert saved.json()["week"][5] == {"opens": "10:00:00", "closes": "13:00:00"}
    assert ("2026-12-31", "closed") in [(d["day"], d["kind"]) for d in saved.json()["upcoming"]]
    backwards = admin_api.put(
        "/api/v1/business-hours", json={**body, "week": [{"opens": "17:00", "closes": "09:00"}] * 7}
    )
    assert backwards.status_code == 422 and "week" in backwards.text
    short = admin_api.put("/api/v1/business-hours", json={**body, "week": WEEK[:6]})
    assert short.status_code == 422


def test_a_teams_lead_gives_it_hours_of_its_own(app_client, api, tenant):
    lead = Api(app_client, tenant.tokens["lead"])
    path = f"/api/v1/teams/{tenant.team_id}/business-hours"
    assert api.put(path, json={"week": WEEK}).status_code == 403  # an agent
    own = lead.put(path, json={"week": WEEK, "closed_days": ["2026-12-24"]})
    assert own.status_code == 200, own.text
    assert own.json()["own"] is True and own.json()["week"][5] is not None
    assert ("2026-12-24", "closed") in [(d["day"], d["kind"]) for d in own.json()["upcoming"]]
    assert lead.get("/api/v1/business-hours").json()["week"][5] is None  # the organisation's unchanged
    back = lead.delete(path)
    assert back.status_code == 200 and back.json()["own"] is False and back.json()["week"][5] is None


def test_the_settings_page_in_dutch_saves_and_names_a_bad_day(app_client, tenant, clock):
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=UTC))
    admin = Api(app_client, tenant.tokens["admin"])
    page = admin.get("/admin/business-hours")
    assert page.status_code == 200 and "Openingstijden" in page.text and "Koningsdag" in page.text
    csrf = app_client.cookies.get("attent_csrf")
    form = {"csrf": csrf, "public_holidays": "NL", "closed_days": "2026-05-15\n", "open_days": "2027-03-26"}
    for n in range(5):
        form |= {f"opens-{n}": "08:00", f"closes-{n}": "16:00"}
    saved = admin.post("/admin/business-hours", data=form, follow_redirects=True)
    assert saved.status_code == 200 and "Opgeslagen" in saved.text
    read = admin.get("/api/v1/business-hours").json()
    assert read["week"][0]["opens"] == "08:00:00" and read["open_days"] == ["2027-03-26"]
    assert "2027-03-26" not in [d["day"] for d in read["upcoming"]]  # Goede Vrijdag 2027, worked
    bad = admin.post("/admin/business-hours", data=form | {"opens-2": "18:00"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    assert admin.get("/api/v1/business-hours").json()["week"][2]["opens"] == "08:00:00"  # nothing saved


def test_the_coach_reads_the_organisations_hours_once_they_are_set():
    from datetime import time

    from attent.coach.settings import business_hours

    week = [["08:30", "17:30"]] * 5 + [["10:00", "13:00"], None]
    hours = business_hours({"business_hours": {"week": week}})
    assert hours.days == (0, 1, 2, 3, 4, 5) and (hours.start, hours.end) == (time(8, 30), time(17, 30))
    assert business_hours({}).days == (0, 1, 2, 3, 4)  # nothing set: the coach's defaults


def test_the_web_forms_answer_time_skips_christmas_too():
    from attent.portal.form import answer_due

    class Org:
        timezone, settings = AMSTERDAM, {}

    # Thursday 24 December 2026, 15:00: two hours that day, then Kerst and the weekend; Monday 11:00.
    assert answer_due(Org(), _local(2026, 12, 24, 15)) == _local(2026, 12, 28, 11)


def test_a_lead_sets_the_teams_hours_on_the_page(app_client, tenant):
    lead = Api(app_client, tenant.tokens["lead"])
    page = lead.get("/admin/business-hours")
    assert page.status_code == 200 and f'action="/admin/business-hours/teams/{tenant.team_id}"' in page.text
    csrf = app_client.cookies.get("attent_csrf")
    form = {"csrf": csrf, "opens-5": "10:00", "closes-5": "14:00", "closed_days": "2026-12-24"}
    path = f"/admin/business-hours/teams/{tenant.team_id}"
    saved = lead.post(path, data=form, follow_redirects=True)
    assert saved.status_code == 200 and "eigen openingstijden" in saved.text
    read = lead.get(f"/api/v1/teams/{tenant.team_id}/business-hours").json()
    assert read["own"] is True and read["week"][5] == {"opens": "10:00:00", "closes": "14:00:00"}
    assert read["week"][0] is None  # a week of its own: only Saturday
    bad = lead.post(path, data=form | {"opens-5": "15:00"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    assert lead.get(f"/api/v1/teams/{tenant.team_id}/business-hours").json()["week"][5]["opens"] == "10:00:00"
    lead.post(path, data={"csrf": csrf, "follow": "1"})
    assert lead.get(f"/api/v1/teams/{tenant.team_id}/business-hours").json()["own"] is False
