"""Issue 6, end to end on a phone: anyone finds the clinic in the public directory; an
outreach worker of the Prince George action team records an encounter in which the
person wanted treatment, opens the team's figures, and refers them to the clinic
anonymously from the encounter; the clinic's intake coordinator accepts and completes
the referral; the outreach worker sees it completed."""

import re

import pytest
from playwright.sync_api import expect

from cairn.access.models import Organization
from cairn.directory.tests.builders import build_service
from cairn.outreach.models import Encounter
from cairn.outreach.tests import encounter_fixtures
from cairn.referrals.models import Referral
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

northern_nurse = encounter_fixtures.northern_nurse
pg_team = encounter_fixtures.pg_team

PHONE = {"width": 375, "height": 740}
CLINIC = "Prince George Rapid Access Addiction Clinic"
SERVICE = "Same-day OAT starts"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)  # a loaded machine: the first page is slow
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def clinic_listing(personas):
    return build_service(
        SERVICE,
        provider_name=CLINIC,
        partner=Organization.objects.get(name=CLINIC),
        types=("oat",),
        hours=((1, 2, 3, 4, 5, 6, 7), "00:00", "23:59"),
    )


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_action_team_refers_someone_met_in_outreach_and_the_clinic_completes_it(
    personas, pg_team, clinic_listing, phone, screenshot_dir
):
    page = phone

    # Anyone finds the clinic in the public directory, without signing in.
    page.goto("/directory/")
    page.get_by_label("Opioid agonist treatment").check()
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=SERVICE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SERVICE)
    expect(page.locator("main")).to_contain_text(CLINIC)
    assert _fits(page)

    # The outreach worker records an encounter: the person wanted treatment.
    sign_in(page, "outreach.worker")
    page.goto(f"/teams/{pg_team.slug}/encounters/new/")
    page.get_by_label("Street-involved regular use").check()
    page.get_by_label("Treatment").check()
    page.get_by_role("button", name="Record encounter").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recorded")
    encounter = Encounter.objects.get()
    assert encounter.connected_to_treatment

    # ... and refers them to the clinic from the encounter, anonymously.
    page.get_by_role("link", name="Refer to a service").click()
    page.get_by_label("Find a service (name, kind, place)").fill("OAT")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=SERVICE).click()
    page.get_by_label("Why the person is referred").fill("Wants to start OAT; met at the shelter")
    page.get_by_label("No: send it anonymously").check()
    assert _fits(page)
    page.get_by_role("button", name="Send the referral").click()
    expect(page.locator("#referral-status")).to_have_text("Sent")
    reference = page.get_by_role("heading", level=1).inner_text().removeprefix("Referral ")
    referral = Referral.objects.get(reference=reference)
    assert (referral.source, referral.source_reference) == ("encounter", str(encounter.pk))
    assert referral.to_organization.name == CLINIC

    # The team's figures for its community (aggregate only).
    page.goto(f"/teams/{pg_team.slug}/")
    page.get_by_role("link", name="Who is at risk in our communities").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is at risk in our communities")
    expect(page.locator("main")).to_contain_text("Prince George")
    page.get_by_role("button", name="Sign out").click()

    # The clinic's intake coordinator accepts, then records that the person came.
    sign_in(page, "clinic.intake")
    page.goto("/referrals/received/")
    page.get_by_role("link", name=reference).click()
    expect(page.locator("#referral-status")).to_have_text("Received")
    expect(page.locator("#shared-details")).to_contain_text("Wants to start OAT")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#referral-status")).to_have_text("Accepted")
    page.get_by_role("button", name="Record completion").click()
    expect(page.locator("#referral-status")).to_have_text("Completed")
    page.get_by_role("button", name="Sign out").click()

    # The outreach worker sees it completed.
    sign_in(page, "outreach.worker")
    page.goto("/referrals/sent/?status=all")
    row = page.locator("li, tr").filter(has_text=reference).first
    expect(row).to_contain_text(re.compile("Completed", re.I))
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "action-team-referral-completed.png", full_page=True)
