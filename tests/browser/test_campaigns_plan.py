"""The ministry's communications officer plans a province-wide campaign addressed to First
Nations communities too, sees it on the calendar, writes a poster whose text the language
review flags, takes the person-first suggestion, approves it, cannot publish it until a
First Nations partner approves the campaign, then publishes it."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cairn.campaigns.models import Campaign
from cairn.campaigns.models.materials import Material, MaterialTransition
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NAME = "People who use drugs are our neighbours"


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_a_campaign_is_planned_and_a_poster_moves_through_the_workflow(
    personas, page, screenshot_dir
):
    page.set_default_timeout(30_000)  # a loaded machine: the first page is slow
    today = timezone.localdate()
    starts, ends = today.replace(day=1), today.replace(day=1) + dt.timedelta(days=40)
    sign_in(page, "comms.officer")

    # Plan the campaign; a wrong end date is refused, named and kept.
    page.goto("/campaigns/")
    page.get_by_role("link", name="Plan a campaign").click()
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Starts on").fill(starts.isoformat())
    page.get_by_label("Ends on").fill((starts - dt.timedelta(days=1)).isoformat())
    page.get_by_label("Budget (CAD, optional)").fill("250000")
    page.get_by_label("Objective").fill("More people see drug use as a health issue.")
    page.get_by_label("Humanizing and anti-stigma").check()
    page.get_by_label("General public").check()
    page.get_by_label("First Nations communities").check()
    page.get_by_label("Social media").check()
    page.get_by_label("Billboards").check()
    page.get_by_label("Regions and communities").select_option("bc")
    page.get_by_label("Partners who carry the message (one per line)").fill("BC Lions")
    page.get_by_role("button", name="Plan the campaign").click()
    expect(page.get_by_role("alert")).to_contain_text("Ends on: the campaign must end on or after")
    expect(page.get_by_label("Name")).to_have_value(NAME)
    page.get_by_label("Ends on").fill(ends.isoformat())
    page.get_by_label("Regions and communities").select_option("bc")
    page.get_by_role("button", name="Plan the campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator("#first-nations")).to_contain_text("nothing is published until")
    expect(page.locator("#plan-heading + dl")).to_contain_text("$250,000.00 CAD")
    campaign = Campaign.objects.get(name=NAME)
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "campaigns-campaign.png"), full_page=True)
    assert sorted(campaign.audience_keys) == ["first_nations_communities", "general_public"]

    # On the calendar, as a bar across its days.
    page.get_by_role("link", name="See it on the calendar").click()
    expect(page.locator(".campaign-calendar .bar", has_text=NAME).first).to_be_visible()
    expect(page.locator(f'li[data-campaign="{campaign.pk}"]')).to_contain_text(NAME)
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "campaigns-calendar.png"), full_page=True)
    # On a phone the calendar and the list fit the screen (tables scroll inside themselves).
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto("/campaigns/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 900})
    page.go_back()
    page.get_by_role("link", name=NAME).last.click()

    # A poster whose text the language review flags.
    page.get_by_role("link", name="Add a material").click()
    page.get_by_label("Title").fill("Neighbours")
    page.get_by_role("textbox", name="Text", exact=True).fill(
        "Addicts are our neighbours. Carry naloxone."
    )
    page.get_by_role("button", name="Add the material").click()
    expect(page.locator("#material-status")).to_have_text("Draft")
    page.get_by_role("button", name="Send to language review").click()
    expect(page.locator("#material-status")).to_have_text("Language review")
    panel = page.locator("#language-review")
    expect(panel).to_contain_text("1 finding to decide")
    # Approval waits for the finding.
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("alert")).to_contain_text("1 language finding still open")
    panel.get_by_role("button", name=re.compile("Use .People who use drugs")).click()
    expect(panel).to_contain_text("1 suggestion accepted")
    material = Material.objects.get(title="Neighbours")
    assert material.body == "People who use drugs are our neighbours. Carry naloxone."
    page.reload()
    expect(page.locator(".material-text").first).to_contain_text("People who use drugs are")
    page.get_by_label("Note (optional)").fill("Reads well.")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#material-status")).to_have_text("Approved")

    # Publishing waits for a First Nations partner's approval.
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_contain_text("First Nations partner's approval")
    sign_out(page)
    sign_in(page, "fn.partner")
    page.goto(f"/campaigns/{campaign.pk}/")
    page.get_by_label("Approved").check()
    page.get_by_label("Note (required when asking for changes)").fill("Reviewed with our Elders.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#first-nations")).to_contain_text(
        "Approved by Northern First Nations Health Partnership"
    )
    sign_out(page)
    sign_in(page, "comms.officer")
    page.goto(f"/campaigns/materials/{material.pk}/")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#material-status")).to_have_text("Published")
    history = page.locator("#material-history")
    for status in ("Draft", "Language review", "Approved", "Published"):
        expect(history).to_contain_text(status)
    assert [t.to_status for t in MaterialTransition.objects.filter(material=material)] == [
        "draft",
        "in_review",
        "approved",
        "published",
    ]
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "campaigns-plan-material.png"), full_page=True)
