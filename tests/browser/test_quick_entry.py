"""A first responder reports an overdose from a phone, and re-sending it counts it once."""

import re

import pytest
from playwright.sync_api import expect

from cairn.surveillance.models import Event
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}


def test_first_responder_reports_an_overdose_on_a_phone(page, personas, screenshot_dir):
    page.set_viewport_size(PHONE)
    sign_in(page, "first.responder")

    page.get_by_role("link", name="Report an overdose").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report an overdose")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.get_by_label("Date and time")).not_to_have_value("")  # defaults to now

    page.get_by_label("Community").select_option(label="Prince George")
    page.get_by_label("Non-fatal").check()
    page.get_by_label("Naloxone doses given").fill("2")
    page.get_by_label("Fentanyl").check()
    page.get_by_label("Stimulants").check()
    page.get_by_label("Transported to hospital").check()
    fentanyl_box = page.get_by_label("Fentanyl").locator("xpath=..").bounding_box()
    assert fentanyl_box["height"] >= 44  # a touch target, not a 13px checkbox
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "quick-entry-phone.png", full_page=True)

    with page.expect_request(lambda r: r.method == "POST") as sent:
        page.get_by_role("button", name="Send report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Report received")
    expect(page.get_by_text("Prince George")).to_be_visible()
    event = Event.objects.get()
    assert event.source == "first_responder"
    assert event.naloxone_doses == 2
    assert event.suspected_substances == ["fentanyl", "stimulant"]

    # The same form again (a double tap, a retry on a bad connection): counted once.
    again = page.request.post(
        sent.value.url,
        data=sent.value.post_data,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert again.ok
    assert "Report already received" in again.text()
    assert Event.objects.count() == 1

    page.get_by_role("link", name="Report another").click()
    expect(page).to_have_url(re.compile(r"/report/overdose/$"))
    expect(page.get_by_label("Community")).to_have_value("")


def test_a_mistake_is_shown_next_to_the_field_and_the_input_kept(page, personas):
    page.set_viewport_size(PHONE)
    sign_in(page, "first.responder")
    page.goto("/report/overdose/")

    page.get_by_label("Naloxone doses given").fill("12")
    page.get_by_label("Fentanyl").check()
    page.get_by_role("button", name="Send report").click()

    expect(page.get_by_role("alert")).to_contain_text("The report was not sent")
    expect(page.get_by_text("Naloxone doses are at most 10.")).to_be_visible()
    expect(page.get_by_text("Choose the community, or use your location")).to_be_visible()
    expect(page.get_by_text("Say whether the overdose was fatal.")).to_be_visible()
    expect(page.get_by_label("Naloxone doses given")).to_have_value("12")
    expect(page.get_by_label("Fentanyl")).to_be_checked()
    assert Event.objects.count() == 0
