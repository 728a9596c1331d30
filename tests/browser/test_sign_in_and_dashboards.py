"""A person signs in, sees the dashboard for their role, and signs out."""

import re

import pytest
from playwright.sync_api import expect

from cairn.access.personas import PERSONAS
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# A panel each persona must see on their dashboard.
FIRST_PANEL = {
    "er_nurse": "New ED overdose visits to open as cases",
    "outreach_worker": "My team's encounters",
    "epidemiologist": "Communities ranked by burden",
    "regional_epidemiologist": "Alerts",
    "first_responder": "Report an overdose you attended",
    "police_liaison": "Community overdose figures (suppressed aggregates)",
    "municipal_coordinator": "Community overdose figures (suppressed aggregates)",
    "first_nations_partner": "First Nations data under First Nations data governance",
    "peer_worker": "Resources",
    "service_intake": "Referrals to your organization",
    "communications_officer": "Campaigns",
    "administrator": "Audit log",
}


@pytest.mark.parametrize("key", PERSONAS)
def test_persona_signs_in_and_sees_their_dashboard(page, personas, key):
    persona = PERSONAS[key]

    sign_in(page, persona.username)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{persona.role_class.name} dashboard"
    )
    expect(page.get_by_role("heading", level=2, name=FIRST_PANEL[key], exact=True)).to_be_visible()
    expect(page.get_by_text(persona.role_class.data_tier.label, exact=True)).to_be_visible()
    if key != "er_nurse":
        expect(page.get_by_role("heading", name="Follow-ups due")).to_have_count(0)
    admin_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin")
    expect(admin_link).to_have_count(1 if key == "administrator" else 0)


def test_wrong_password_keeps_the_person_on_sign_in(page, personas):
    sign_in(page, "police.liaison", "not-the-password", succeeds=False)

    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    expect(page).to_have_url(re.compile(r"/login/"))


def test_police_liaison_cannot_reach_admin(page, personas):
    sign_in(page, "police.liaison")

    response = page.goto("/admin/")

    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You don't have access to this page")


def test_administrator_reaches_admin_and_the_audit_log(page, personas):
    sign_in(page, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()

    expect(page.get_by_role("link", name="Audit events")).to_be_visible()
    page.get_by_role("link", name="Audit events").click()
    expect(page.get_by_text("admin signed in")).to_be_visible()


def test_sign_out_ends_the_session(page, personas):
    sign_in(page, "peer.worker")

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))


def test_skip_link_is_the_first_tab_stop(page, personas):
    sign_in(page, "peer.worker")

    page.keyboard.press("Tab")

    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to main content")
    expect(focused).to_be_visible()


def test_dashboard_fits_a_phone(page, personas, screenshot_dir):
    sign_in(page, "er.nurse")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "dashboard.png", full_page=True)

    page.set_viewport_size({"width": 375, "height": 740})

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "dashboard-phone.png", full_page=True)
