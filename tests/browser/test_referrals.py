"""On a phone: the ER nurse sends a care plan's referral to the rapid access clinic with
the person's consent to share their name and the reason; the clinic's intake
coordinator sees exactly that, accepts it and records completion; the nurse sees
"completed" on the person's care plan."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from cairn.cases import plans
from cairn.cases.tests.conftest import make_client
from cairn.directory.models import Provider, Service
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
CLINIC = "Prince George Rapid Access Addiction Clinic"


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_a_referral_from_a_case_is_received_accepted_and_completed(page, personas, screenshot_dir):
    nurse = personas["er_nurse"]
    intake = personas["service_intake"]
    clinic = intake.memberships.get().organization
    provider = Provider.objects.create(name=CLINIC, partner=clinic)
    service_name = "Same-day opioid agonist treatment start"
    Service.objects.create(
        provider=provider,
        name=service_name,
        status="active",
        search_text=f"{service_name} {CLINIC}".lower(),
    )
    person = make_client(nurse, given_name="Robin", family_name="Tallgrass")
    person.date_of_birth = dt.date(1991, 4, 12)
    person.save()
    plans.add_referral(actor=nurse, client=person, kind="treatment", to_whom="Rapid access clinic")
    page.set_viewport_size(PHONE)
    page.set_default_timeout(30_000)  # a shared two-core machine can be slow

    # The nurse sends it from the care plan.
    sign_in(page, "er.nurse")
    page.goto(f"/cases/clients/{person.pk}/plan/")
    page.get_by_role("link", name="Send to a service").click()
    page.get_by_role("link", name=service_name).click()
    expect(page.get_by_text(f"Received by {CLINIC} in Cairn", exact=False)).to_be_visible()
    page.get_by_label("Why the person is referred").fill("Wants to start OAT this week")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("How consent was given").select_option(label="Verbal, recorded by the worker")
    page.get_by_label("Name", exact=True).check()
    page.get_by_label("The reason for the referral").check()
    assert _fits(page)
    send = page.get_by_role("button", name="Send the referral")
    assert send.bounding_box()["height"] >= 44
    send.click()
    expect(page.locator("#referral-status")).to_have_text("Sent")
    reference = page.get_by_role("heading", level=1).inner_text().removeprefix("Referral ")
    _sign_out(page)

    # The clinic's intake coordinator receives it: the name and reason, nothing else.
    sign_in(page, "clinic.intake")
    page.goto("/referrals/received/")
    page.get_by_role("link", name=reference).click()
    expect(page.locator("#referral-status")).to_have_text("Received")
    shared = page.locator("#shared-details")
    expect(shared).to_contain_text("Robin Tallgrass")
    expect(shared).to_contain_text("Wants to start OAT this week")
    expect(page.get_by_text("1991-04-12")).to_have_count(0)
    assert _fits(page)
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "referrals-received-phone.png", full_page=True)
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#referral-status")).to_have_text("Accepted")
    page.get_by_label("Note (needed to decline or cancel)").fill("Started on buprenorphine")
    page.get_by_role("button", name="Record completion").click()
    expect(page.locator("#referral-status")).to_have_text("Completed")
    _sign_out(page)

    # The nurse sees it completed on the person's care plan.
    sign_in(page, "er.nurse")
    page.goto(f"/cases/clients/{person.pk}/plan/")
    row = page.locator(f"[data-closed-loop='{reference}']")
    expect(row).to_contain_text("completed")
    expect(page.get_by_role("link", name="Send to a service")).to_have_count(0)
