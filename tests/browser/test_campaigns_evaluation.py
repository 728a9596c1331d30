"""The ministry's communications officer reads a pre/post survey's results on the campaign
page and on the results page (difference with its interval, charts, "association, not
proof"), then imports reach figures from a CSV file with one bad row, and sees the good
rows totalled and the bad one named by line and column."""

import re

import pytest
from playwright.sync_api import expect

from cairn.campaigns.tests import evaluation_fixtures
from cairn.campaigns.tests.conftest import make_campaign
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

pre_post_survey = evaluation_fixtures.pre_post_survey


@pytest.fixture
def campaign(communications_officer):
    return make_campaign(communications_officer)


@pytest.fixture
def page(browser, live_server):
    # A longer wait than the shared page's: the results pages run the analysis on a
    # machine shared with other test runs.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


REACH_CSV = (
    "channel,period_start,period_end,metric,label,value\n"
    "social_media,2026-01-12,2026-01-31,impressions,,1250000\n"
    "posters,2026-01-12,2026-03-29,naloxone_kit_requests,,412\n"
    "posters,2026-01-12,2026-03-29,clicks,,many\n"
)


def test_an_officer_reads_survey_results_and_imports_reach(
    page, campaign, pre_post_survey, communications_officer, tmp_path, screenshot_dir
):
    sign_in(page, communications_officer.username)
    page.goto(f"/campaigns/{campaign.pk}/")
    results = page.locator("#results")
    expect(results).to_contain_text(
        re.compile(r"points lower in “After the campaign” than in “Before the campaign”")
    )
    expect(results).to_contain_text("95% confidence interval")
    expect(results).to_contain_text("An association, not proof")

    results.get_by_role("link", name=pre_post_survey.title).click()
    expect(page.get_by_role("heading", name="Survey results")).to_be_visible()
    summary = page.locator(".results-summary")
    expect(summary).to_contain_text("not proof that the campaign caused it")
    chart = page.get_by_role("img", name=re.compile(r"^Total score, mean with 95% confidence"))
    expect(chart).to_be_visible()
    expect(page.locator("#measure-total table").first).to_contain_text("Before the campaign")
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "campaign-survey-results.png"), full_page=True)

    page.goto(f"/campaigns/{campaign.pk}/reach/")
    reach_file = tmp_path / "reach.csv"
    reach_file.write_text(REACH_CSV)
    page.get_by_label("CSV file").set_input_files(str(reach_file))
    page.get_by_role("button", name="Import").click()
    outcome = page.locator("#import-result")
    expect(outcome).to_contain_text("3 rows read · 2 added · 0 updated · 0 unchanged · 1 refused")
    expect(outcome).to_contain_text("Line 4, column value: “many” is not a whole number")
    totals = page.locator("table.reach-totals")
    expect(totals).to_contain_text("1,250,000")
    expect(totals).to_contain_text("412")
    expect(page.locator(".reach-page")).to_contain_text("cost per 1,000 impressions $200.00")
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "campaign-reach.png"), full_page=True)
