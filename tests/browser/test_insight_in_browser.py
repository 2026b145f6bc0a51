"""The lead's Monday: /insight in a real browser, the period changed, a table downloaded as CSV."""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_workspace import sign_in

LEAD = "daan@kopjekoffie.example"
SCREENSHOT = Path(os.environ.get("ATTENT_SCREENSHOT_DIR", tempfile.gettempdir())) / "insight.png"


@pytest.mark.browser
def test_a_lead_opens_insight_changes_the_period_and_downloads_a_csv(page: Page):
    sign_in(page, LEAD)
    page.get_by_role("link", name="Inzicht").click()
    expect(page.get_by_role("heading", level=1, name="Inzicht")).to_be_visible()
    expect(page.locator(".figure-name").first).to_have_text("Eerstecontactoplossing")
    expect(page.locator("#fcr-chart canvas")).to_have_count(1)  # uPlot drew the chart
    week = page.locator("#period-said").inner_text()

    page.get_by_label("Periode").select_option("quarter")  # shows it at once, no button needed
    expect(page).to_have_url(re.compile(r"period=quarter"))
    expect(page.locator("#period-said")).not_to_have_text(week)
    expect(page.locator("#fcr-chart canvas")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    with page.expect_download() as caught:
        page.locator("#fcr-chart-h ~ figure").get_by_role("link", name="CSV downloaden").click()
    download = caught.value
    assert re.fullmatch(r"attent-fcr-\d{4}-\d{2}-01-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    content = download.path().read_text(encoding="utf-8")
    assert content.startswith("\ufeffweek;label;resolved;first_contact_resolved;settled;fcr_share")
    assert content.rstrip().splitlines()[-1].startswith("total;")
