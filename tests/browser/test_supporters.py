"""On a phone: the ER nurse links a peer worker as a supporter and records the person's
consent to share the care plan; the peer worker sees the plan and nothing else; once
the consent is revoked, the peer worker's page is gone at the next load."""

import pytest
from playwright.sync_api import expect

from cairn.cases import plans
from cairn.cases.tests.conftest import make_client
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_supporter_sees_what_is_consented_until_it_is_revoked(page, personas, screenshot_dir):
    nurse = personas["er_nurse"]
    person = make_client(nurse, given_name="Robin", family_name="Lake")
    plans.add_goal(actor=nurse, client=person, text="Stay on treatment")
    plans.add_referral(actor=nurse, client=person, kind="housing", to_whom="BC Housing")
    page.set_viewport_size(PHONE)
    page.set_default_timeout(30_000)  # a shared two-core machine can be slow

    sign_in(page, "er.nurse")
    page.goto(f"/cases/clients/{person.pk}/")
    expect(page.get_by_role("heading", name="Supporters")).to_be_visible()
    page.get_by_role("link", name="Supporters and consent").click()
    page.get_by_label("Name", exact=True).fill("Sam Rivers")
    page.get_by_label("Who they are to the person").select_option(
        label="Peer with lived experience"
    )
    page.get_by_label("Their Cairn account (username, optional)").fill("peer.worker")
    page.get_by_role("button", name="Link the supporter").click()
    expect(page.get_by_role("heading", name="Sam Rivers")).to_be_visible()
    expect(page.get_by_text("No consent recorded: they are told and see nothing.")).to_be_visible()
    page.get_by_label("The person agrees that Sam Rivers may").select_option(
        label="see the care plan"
    )
    page.get_by_label("How consent was given").select_option(label="Written, signed")
    button = page.get_by_role("button", name="Record consent")
    assert button.bounding_box()["height"] >= 44
    button.click()
    expect(page.get_by_text("in force", exact=True)).to_be_visible()
    assert _fits(page)
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "cases-supporters-phone.png", full_page=True)
    _sign_out(page)

    sign_in(page, "peer.worker")
    page.goto("/cases/supporting/")
    page.get_by_role("link", name="Robin Lake").click()
    expect(page.get_by_role("heading", name="Care plan")).to_be_visible()
    expect(page.get_by_text("Stay on treatment")).to_be_visible()
    expect(page.get_by_text("BC Housing")).to_have_count(0)  # appointments: not consented
    assert _fits(page)
    supporter_page = page.url
    _sign_out(page)

    sign_in(page, "er.nurse")
    page.goto(f"/cases/clients/{person.pk}/supporters/")
    page.get_by_label("Why it is revoked").fill("Robin asked to stop sharing")
    page.get_by_role("button", name="Revoke this consent").click()
    expect(page.get_by_text("revoked", exact=True)).to_be_visible()
    _sign_out(page)

    sign_in(page, "peer.worker")
    response = page.goto(supporter_page)
    assert response.status == 404
    page.goto("/cases/supporting/")
    expect(page.get_by_text("Nobody has shared anything with you here.")).to_be_visible()
