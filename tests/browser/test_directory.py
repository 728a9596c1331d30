"""On a phone: a person without an account finds an OAT clinic near them that is open
now, and sees its capacity; the clinic's intake coordinator confirms its stale listing
in one click."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cairn.access.models import Organization
from cairn.directory.listings import update_capacity
from cairn.directory.models import ListingConfirmation
from cairn.directory.tests.builders import build_service
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
PRINCE_GEORGE = (53.9171, -122.7497)
EVERY_HOUR = ((1, 2, 3, 4, 5, 6, 7), "00:00", "00:00")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def directory(personas):
    from django.db import transaction

    clinic = Organization.objects.get(name="Prince George Rapid Access Addiction Clinic")
    lat, lon = PRINCE_GEORGE
    listing = build_service(
        "Rapid access addiction clinic: same-day OAT starts",
        partner=clinic,
        types=("oat",),
        point=(lat + 0.004, lon + 0.004),
        hours=EVERY_HOUR,
        assured=timezone.localdate() - dt.timedelta(days=120),
        eligibility_description="Adults and youth 16 and over who want to start OAT.",
        application_process="Walk in, or come with a referral.",
    )
    with transaction.atomic():
        update_capacity(
            actor=personas["service_intake"],
            service=listing,
            kind="same_day_oat",
            is_available=True,
        )
    build_service(
        "Downtown shelter", types=("shelter",), point=(lat + 0.002, lon), hours=EVERY_HOUR
    )
    build_service("OAT clinic in Quesnel", types=("oat",), point=(52.9784, -122.4927))
    build_service(
        "Downtown Eastside OAT", types=("oat",), point=(49.281, -123.100), hours=EVERY_HOUR
    )
    return listing


def test_a_person_finds_an_open_clinic_near_them_and_the_clinic_confirms_it(
    page, live_server, directory, screenshot_dir
):
    page.set_viewport_size(PHONE)
    page.set_default_timeout(30_000)  # a shared two-core machine can be slow
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": PRINCE_GEORGE[0], "longitude": PRINCE_GEORGE[1]})

    # Anyone, without signing in: OAT near me.
    page.goto("/directory/")
    expect(page.get_by_role("heading", name="Find a service")).to_be_visible()
    page.get_by_label("Opioid agonist treatment").check()
    expect(page.locator("#result-count")).to_contain_text("3 services found")
    page.get_by_role("button", name="Use my location").click()
    expect(page.locator("#result-count")).to_have_text("1 service found, nearest first.")
    result = page.locator("li.result").first
    expect(result).to_contain_text("Rapid access addiction clinic")
    expect(result.locator(".distance")).to_have_text(re.compile(r"^0\.[0-9] km$"))
    expect(result).to_contain_text("Open now")
    expect(result).to_contain_text("Same-day OAT start: Yes")
    expect(result).to_contain_text("May be out of date")
    expect(page).to_have_url(re.compile(r"^(?=.*type=oat)(?=.*lat=53\.9171)(?=.*km=10)"))
    assert _fits(page)
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "directory-search-phone.png", full_page=True)

    result.get_by_role("link", name=re.compile("^Rapid access addiction clinic")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rapid access addiction clinic")
    expect(page.locator("#open-now")).to_have_text("Open now")
    expect(page.locator("#capacity")).to_contain_text("Same-day OAT start: Yes")
    expect(page.get_by_text("Adults and youth 16 and over who want to start OAT.")).to_be_visible()
    expect(page.locator("#stale-warning")).to_be_visible()
    assert _fits(page)
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "directory-service-phone.png", full_page=True)

    # The clinic's intake coordinator confirms the stale listing in one click.
    sign_in(page, "clinic.intake")
    page.goto("/directory/yours/")
    expect(page.locator("#stale-summary")).to_contain_text("1 listing needs confirming")
    row = page.locator(f"#listing-{directory.pk}")
    expect(row).to_contain_text("Needs confirming")
    button = row.get_by_role("button", name="Still correct")
    assert button.bounding_box()["height"] >= 44
    button.click()
    expect(page.locator(f"#listing-{directory.pk}")).to_contain_text("Confirmed today")
    expect(page.locator(f"#listing-{directory.pk}")).not_to_contain_text("Needs confirming")
    assert _fits(page)
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "directory-your-listings-phone.png", full_page=True)
    confirmation = ListingConfirmation.objects.get(service=directory)
    assert confirmation.confirmed_by_name == "clinic.intake"

    page.goto(f"/directory/services/{directory.pk}/")
    expect(page.locator("#last-verified")).to_have_text("Verified today")
    expect(page.locator("#stale-warning")).to_have_count(0)
