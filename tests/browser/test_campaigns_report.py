"""A municipal coordinator opens their campaign's page, sees the outcome series load with
the campaign's months shaded and the estimate labelled as an association, switches to
weekly counts, reads the report and downloads it as PDF."""

import re

import pytest
from playwright.sync_api import expect

from cairn.campaigns.tests import report_fixtures
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

all_drug = report_fixtures.all_drug
recent_pg_campaign = report_fixtures.recent_pg_campaign


@pytest.fixture
def downloads_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_coordinator_reads_the_outcomes_and_the_report(
    downloads_page, recent_pg_campaign, municipal_coordinator, screenshot_dir
):
    page = downloads_page
    sign_in(page, municipal_coordinator.username)
    page.goto(f"/campaigns/{recent_pg_campaign.pk}/")
    section = page.locator("#campaign-outcomes")
    # The first estimate in a server process imports statsmodels: seconds on a busy machine.
    expect(section.get_by_role("heading", name="ED visits for a drug overdose")).to_be_visible(
        timeout=60_000
    )
    chart = section.get_by_role("img", name=re.compile("ED visits for a drug overdose"))
    expect(chart).to_be_visible()
    expect(chart.locator(".campaign-band")).to_have_count(1)
    expect(section.locator(".its-estimate").first).to_contain_text(
        "lower than the trend before it predicted"
    )
    expect(section.locator(".association-note")).to_contain_text("Association, not proof.")
    if screenshot_dir:
        section.screenshot(path=str(screenshot_dir / "campaign-outcomes.png"))

    section.get_by_role("link", name="week").click()
    expect(section.locator(".freq-choice strong")).to_have_text("week", timeout=30_000)
    expect(section.locator("svg desc").first).to_contain_text("Weekly ED visits")

    page.get_by_role("link", name="Campaign report").first.click()
    expect(page.get_by_role("heading", name=re.compile("^Campaign report"))).to_be_visible()
    expect(page.get_by_role("heading", name="Survey results")).to_be_visible()
    expect(page.locator(".association-note").first).to_contain_text("association, not proof")
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "campaign-report.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
