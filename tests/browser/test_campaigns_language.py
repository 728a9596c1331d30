"""The ministry's communications officer sends a poster to language review, sees
"Addicts" and "Relapse" marked with person-first suggestions and reasons (and Shane's
quoted words left alone), takes one suggestion with a click, keeps the other wording with
a reason, and approves; then checks a text on a phone."""

import re

import pytest
from playwright.sync_api import expect

from cairn.campaigns.tests import language_fixtures
from cairn.campaigns.tests.conftest import make_campaign
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

poster = language_fixtures.poster
shipped_terms = language_fixtures.shipped_terms


@pytest.fixture
def campaign(communications_officer):
    return make_campaign(communications_officer)


def test_an_officer_fixes_a_poster_flagged_by_the_language_review(
    page, poster, communications_officer, screenshot_dir
):
    sign_in(page, communications_officer.username)
    page.goto(f"/campaigns/materials/{poster.pk}/")
    panel = page.locator("#language-review")
    expect(panel).to_contain_text("Not checked yet")
    page.get_by_role("button", name="Send to language review").click()

    expect(panel).to_contain_text("2 findings to decide")
    marks = panel.locator("mark.finding-avoid")
    expect(marks).to_have_text(["Addicts", "Relapse", "Addicts", "Relapse"])
    expect(panel).to_contain_text("Person-first: the person has a problem, is not the problem")
    expect(panel).not_to_contain_text("junkie →")
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "campaign-language-review.png"), full_page=True)

    panel.get_by_role("button", name="Use “People who use drugs”").click()
    expect(page.locator(".material-text").first).to_contain_text(
        "People who use drugs are our neighbours."
    )
    expect(panel).to_contain_text("1 finding to decide")

    relapse = panel.locator(".finding-card", has=page.locator("mark", has_text="Relapse"))
    relapse.get_by_label("Or keep the wording, because").fill(
        "The clinic's own words, quoted with permission."
    )
    relapse.get_by_role("button", name="Keep the wording").click()
    expect(panel).to_contain_text("Nothing left to decide")
    expect(panel).to_contain_text("Kept, with a reason: The clinic's own words")

    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#material-status")).to_have_text("Approved")


def test_checking_a_text_on_a_phone(browser, live_server, shipped_terms, outreach_worker):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        sign_in(page, outreach_worker.username)
        page.goto("/campaigns/language/check/")
        page.get_by_label("Text").fill(
            "Our drop-in welcomes junkies. Bring your clean needles back. "
            "Narcotics Anonymous meets here."
        )
        page.get_by_role("button", name="Check the text").click()
        results = page.locator("#check-results")
        expect(results).to_contain_text("2 terms to change")
        expect(results.locator("mark.finding-avoid").first).to_have_text("junkies")
        expect(results).to_contain_text(
            re.compile(r"clean needles\s*→\s*suggestion:\s*new needles")
        )
        expect(results).not_to_contain_text("Narcotics Anonymous →")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375
    finally:
        context.close()
