"""A municipal coordinator sets up a community action team — members, funding, a goal and
an action — and downloads the progress report for the funder; a police member of the
team opens its at-risk view and sees small counts suppressed."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cairn.access.models import Organization
from cairn.geography.models import Jurisdiction
from cairn.outreach.models.teams import Funding, Team, TeamAction, TeamGoal, TeamMember
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models import CaseDefinition
from cairn.surveillance.models.counts import DailyCount
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 375, "height": 740}
TEAM = "Prince George Community Action Team"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        accept_downloads=True,
    )
    context.set_default_timeout(30_000)  # a loaded machine: the first page is slow
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def prince_george_counts(personas):
    """Three ED overdose visits in Prince George this year (a small count) and 60
    paramedic events."""
    load_default_definitions()
    definition = CaseDefinition.objects.get(slug="all_drug")
    community = Jurisdiction.objects.get(code="bc-lha-prince-george")
    year = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).year
    monday = dt.date(year, 1, 5)
    monday += dt.timedelta(days=(7 - monday.weekday()) % 7)
    rows = [
        DailyCount(community=community, day=monday, source="ed", definition=definition, count=3)
    ]
    rows += [
        DailyCount(
            community=community,
            day=monday + dt.timedelta(weeks=week),
            source="paramedic",
            definition=definition,
            count=6,
        )
        for week in range(10)
    ]
    DailyCount.objects.bulk_create(rows)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_coordinator_sets_up_a_team_and_a_police_member_sees_the_at_risk_view(
    personas, prince_george_counts, phone, browser, live_server, screenshot_dir
):
    page = phone
    sign_in(page, "municipal.coordinator")

    # The team.
    page.goto("/teams/")
    page.get_by_role("link", name="Set up a team").click()
    page.get_by_label("Name").fill(TEAM)
    page.get_by_label("Communities the team serves").select_option("bc-lha-prince-george")
    page.get_by_label("Started on").fill("2018-02-01")
    page.get_by_role("button", name="Set up the team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TEAM)
    assert _fits(page)
    team = Team.objects.get(name=TEAM)

    # Members: the police detachment (a Cairn partner) and a family group (not one).
    page.get_by_text("Add a member").click()
    page.get_by_label("Partner organization").select_option(label="Prince George Police Detachment")
    page.get_by_label("Person's name").fill("Cst. Sam Okafor")
    page.get_by_role("button", name="Add the member").click()
    members = page.locator("#members")
    expect(members).to_contain_text("Cst. Sam Okafor, Prince George Police Detachment")
    page.get_by_text("Add a member").click()
    page.get_by_label("Or the group's name").fill("Prince George Families for Change")
    page.get_by_label("Sector", exact=True).select_option("family_peer_group")
    page.get_by_label("Role in the team").select_option("lived_experience")
    page.get_by_role("button", name="Add the member").click()
    expect(members).to_contain_text("Prince George Families for Change")
    expect(members).to_contain_text("not a Cairn partner")
    assert TeamMember.objects.filter(team=team).count() == 2

    # Funding: a wrong amount is refused and kept, then corrected.
    page.get_by_text("Add funding").click()
    page.get_by_label("Funder").fill("Community Action Initiative")
    page.get_by_label("Grant or program").fill("Community Action Team grant")
    page.get_by_label("Amount").fill("a hundred thousand")
    page.get_by_label("From").fill("2026-04-01")
    page.get_by_role("button", name="Add the funding").click()
    funding = page.locator("#funding")
    expect(funding.get_by_role("alert")).to_contain_text("Amount")
    expect(page.get_by_label("Funder")).to_have_value("Community Action Initiative")
    page.get_by_label("Amount").fill("100000")
    page.get_by_role("button", name="Add the funding").click()
    expect(funding).to_contain_text("CAD 100,000.00")
    assert Funding.objects.filter(team=team).count() == 1

    # The plan: a goal for two groups, and an action under it owned by the police member.
    page.get_by_text("Add a goal").click()
    goal_form = page.locator("form[action$='/plan/goals/add/']")
    goal_form.get_by_label("The goal").fill("Naloxone within reach of people who use alone")
    goal_form.get_by_label("Area of action").select_option("naloxone")
    goal_form.get_by_label("High-functioning, hidden regular use").check()
    goal_form.get_by_label("Recreational or occasional use").check()
    goal_form.get_by_role("button", name="Add the goal").click()
    plan = page.locator("#plan")
    expect(plan).to_contain_text("Goal: Naloxone within reach of people who use alone")
    page.get_by_text("Add an action").click()
    action_form = page.locator("form[action$='/plan/actions/add/']")
    action_form.get_by_label("Towards goal").select_option(
        label="Naloxone within reach of people who use alone"
    )
    action_form.get_by_label("What will be done").fill("Kits at every downtown business")
    action_form.get_by_label("Owner").select_option(
        label="Cst. Sam Okafor, Prince George Police Detachment"
    )
    action_form.get_by_label("Due").fill("2026-12-31")
    action_form.get_by_role("button", name="Add the action").click()
    expect(plan).to_contain_text("Action: Kits at every downtown business")
    assert TeamGoal.objects.filter(team=team).count() == 1
    action = TeamAction.objects.get(team=team)
    assert action.owner.person_name == "Cst. Sam Okafor" and action.area == "naloxone"
    assert _fits(page)
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "action-team-phone.png", full_page=True)

    # The progress report for the funder.
    with page.expect_download() as download:
        page.get_by_role("link", name="Progress report (PDF)").click()
    pdf = download.value
    assert pdf.suggested_filename.endswith(".pdf")
    assert Path(pdf.path()).read_bytes().startswith(b"%PDF")
    with page.expect_download() as download:
        page.get_by_role("link", name="Progress report (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Naloxone within reach of people who use alone" in text
    assert "Kits at every downtown business" in text
    assert "Community Action Initiative: Community Action Team grant" in text
    assert "Cst. Sam Okafor" not in text  # the report names organizations, not people

    # The police member opens the at-risk view: small counts suppressed.
    police = Organization.objects.get(name="Prince George Police Detachment")
    assert TeamMember.objects.filter(team=team, organization=police).exists()
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(30_000)
    other = context.new_page()
    try:
        sign_in(other, "police.liaison")
        other.goto("/teams/")
        other.get_by_role("link", name=TEAM).click()
        other.get_by_role("link", name="Who is at risk in our communities").click()
        expect(other.get_by_role("heading", level=1)).to_have_text(
            "Who is at risk in our communities"
        )
        expect(other.locator("#tier-note")).to_contain_text("Small counts are suppressed")
        expect(other.locator("tr[data-source='ed'] td.num").first).to_have_text("suppressed")
        expect(other.locator("tr[data-source='paramedic'] td.num").first).to_have_text("60")
        assert other.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if screenshot_dir:
            other.screenshot(path=screenshot_dir / "action-team-at-risk.png", full_page=True)
        # The police member may not change the plan's goals (they own only the action).
        other.goto(f"/teams/{team.slug}/")
        expect(other.get_by_text("Add a goal")).to_have_count(0)
        expect(
            other.locator(f"#action-{action.pk}").get_by_role("button", name="Set status")
        ).to_be_visible()
    finally:
        context.close()
