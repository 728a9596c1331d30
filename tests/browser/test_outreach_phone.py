"""An outreach worker records encounters on a phone, on a connection that drops.

A phone-sized context (375 × 740, mobile, touch). On a server error, then offline, a
submission fails: the inputs stay, the page says so, and the retry records exactly one
encounter. When the
server records it but the answer is lost, the draft kept in the browser sends the same
creation key again and the server returns the first encounter, not a second.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cairn.outreach.models import Encounter
from cairn.outreach.tests import encounter_fixtures
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

northern_nurse = encounter_fixtures.northern_nurse
pg_team = encounter_fixtures.pg_team

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)  # a loaded machine: the first page is slow
    page = context.new_page()
    yield page
    context.close()


def test_an_outreach_worker_records_encounters_on_a_phone_with_a_poor_connection(
    personas, pg_team, phone, screenshot_dir
):
    page = phone
    sign_in(page, "outreach.worker")
    form_url = f"/teams/{pg_team.slug}/encounters/new/"
    page.goto(form_url)
    page.wait_for_load_state("load")
    # What this page loaded, from its own performance entries: counting responses as they
    # arrive would also catch the dashboard's late ones, whose bodies are gone by then.
    weight = page.evaluate(
        """() => [...performance.getEntriesByType("navigation"),
                  ...performance.getEntriesByType("resource")]
                 .reduce((sum, entry) => sum + entry.decodedBodySize, 0)"""
    )
    assert weight < 150_000, f"the form page weighs {weight} bytes"

    expect(page.get_by_role("heading", level=1)).to_have_text("Record an encounter")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.get_by_label("Date")).to_have_value(timezone.localdate().isoformat())
    expect(page.get_by_label("Community")).to_have_value("bc-lha-prince-george")

    # First encounter: steppers for the kits, big touch targets.
    page.get_by_label("Street-involved regular use").check()
    plus = page.get_by_role("button", name="One kit more")
    assert plus.bounding_box()["height"] >= 44
    plus.tap()
    plus.tap()
    expect(page.get_by_label("Naloxone kits given")).to_have_value("2")
    page.get_by_label("Naloxone training").check()
    page.get_by_label("Treatment").check()
    box = page.get_by_label("Naloxone training").locator("xpath=..").bounding_box()
    assert box["height"] >= 44
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "outreach-encounter-phone.png", full_page=True)
    page.get_by_role("button", name="Record encounter").tap()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recorded")
    assert Encounter.objects.count() == 1
    first = Encounter.objects.get()
    assert (first.naloxone_kits, first.group, first.connected_to_treatment) == (
        2,
        "street_involved",
        True,
    )
    expect(page.get_by_role("link", name="Record another")).to_be_visible()
    if page.get_by_role("link", name="Refer to a service").count():
        expect(page.get_by_role("link", name="Refer to a service")).to_have_attribute(
            "href", re.compile(rf"\?encounter={first.pk}$")
        )

    # Second encounter: the connection drops while sending.
    page.get_by_role("link", name="Record another").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an encounter")
    page.get_by_label("First Nations").check()
    page.get_by_role("button", name="One kit more").tap()
    page.get_by_label("Housing").check()
    page.get_by_label("Place (optional)").fill("Near the Fifth Avenue bridge")
    # Cairn fails on its side first (a 500 that never reached the database) ...
    form_post = re.compile(r"/encounters/new/$")
    page.route(form_post, lambda route: route.fulfill(status=500, body="Server Error"))
    page.get_by_role("button", name="Record encounter").tap()
    failed = page.locator("#send-failed")
    expect(failed).to_be_visible()
    expect(failed).to_contain_text("Cairn had a problem on its side (500)")
    page.unroute(form_post)
    # ... then the phone loses its connection while retrying.
    page.context.set_offline(True)
    page.get_by_role("button", name="Try again").tap()

    expect(failed).to_be_visible()
    expect(failed).to_contain_text("Not sent")
    expect(failed).to_contain_text("No connection")
    expect(failed).to_contain_text("Everything you entered is still here")
    expect(page.get_by_label("First Nations")).to_be_checked()
    expect(page.get_by_label("Naloxone kits given")).to_have_value("1")
    expect(page.get_by_label("Housing")).to_be_checked()
    expect(page.get_by_label("Place (optional)")).to_have_value("Near the Fifth Avenue bridge")
    assert Encounter.objects.count() == 1

    page.context.set_offline(False)
    expect(failed).to_contain_text("You are back online")
    page.get_by_role("button", name="Try again").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recorded")
    assert Encounter.objects.count() == 2
    second = Encounter.objects.exclude(pk=first.pk).get()
    assert (second.group, second.naloxone_kits, second.connected_to_housing) == (
        "first_nations",
        1,
        True,
    )

    # Third: the server records it but its answer never arrives. The draft (with its
    # creation key) survives a reload and sending it again returns the same encounter.
    page.get_by_role("link", name="Record another").tap()
    page.get_by_label("Recreational or occasional use").check()
    page.get_by_label("Drug-checking referral").check()

    def lose_the_answer(route):
        route.fetch()  # reaches the server, which records the encounter
        route.abort("connectionreset")

    page.route(form_post, lose_the_answer)
    page.get_by_role("button", name="Record encounter").tap()
    expect(page.locator("#send-failed")).to_be_visible()
    assert Encounter.objects.count() == 3
    page.unroute(form_post)

    page.reload()
    expect(page.locator("#send-status")).to_contain_text("restored")
    expect(page.get_by_label("Recreational or occasional use")).to_be_checked()
    expect(page.get_by_label("Drug-checking referral")).to_be_checked()
    page.get_by_role("button", name="Record encounter").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recorded")
    assert Encounter.objects.count() == 3
    third = Encounter.objects.order_by("pk").last()
    expect(page).to_have_url(re.compile(rf"/encounters/{third.pk}/recorded/$"))

    # A fresh form has no draft left.
    page.get_by_role("link", name="Record another").tap()
    expect(page.locator("#send-status")).to_have_text("")
    expect(page.get_by_label("Recreational or occasional use")).not_to_be_checked()

    # The indicators show them.
    page.goto(f"/teams/{pg_team.slug}/encounters/indicators/")
    table = page.locator("table.indicators").first
    total = table.locator("tfoot tr")
    expect(total.locator("td").nth(0)).to_have_text("3")  # encounters
    expect(total.locator("td").nth(1)).to_have_text("3")  # kits: 2 + 1
    expect(total.locator("td").nth(4)).to_have_text("1")  # connected to treatment
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "outreach-indicators-phone.png", full_page=True)

    # The team's list shows all three, newest first, each correctable by its recorder.
    page.goto(f"/teams/{pg_team.slug}/encounters/")
    expect(page.locator("li.encounter")).to_have_count(3)
    expect(page.get_by_role("link", name="Correct or void")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "outreach-encounter-list-phone.png", full_page=True)


def test_without_javascript_the_form_posts_and_a_mistake_keeps_the_input(
    browser, live_server, personas, pg_team
):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    try:
        sign_in(page, "peer.worker")
        page.goto(f"/teams/{pg_team.slug}/encounters/new/")
        expect(page.get_by_role("button", name="One kit more")).to_be_hidden()
        page.get_by_label("Naloxone kits given").fill("30")
        page.get_by_label("Follow-up needed").check()
        page.get_by_label("Date").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
        page.get_by_role("button", name="Record encounter").click()

        expect(page.get_by_role("alert").first).to_contain_text("The encounter was not recorded")
        expect(page.locator("#error-naloxone_kits")).to_have_text(
            "Naloxone kits are at most 20 per encounter."
        )
        expect(page.locator("#error-follow_up_note")).to_have_text("Say what follow-up is needed.")
        expect(page.get_by_label("Naloxone kits given")).to_have_value("30")
        expect(page.get_by_label("Follow-up needed")).to_be_checked()
        assert Encounter.objects.count() == 0

        page.get_by_label("Naloxone kits given").fill("3")
        page.get_by_label("What follow-up (no names)").fill("Bring a kit on Friday")
        page.get_by_role("button", name="Record encounter").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Recorded")
        encounter = Encounter.objects.get()
        assert encounter.naloxone_kits == 3
        assert encounter.occurred_on == timezone.localdate() - dt.timedelta(days=1)
    finally:
        context.close()
