"""A person finds a community and reads its page: map, events and population."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_police_liaison_opens_prince_george_and_sees_its_map(page, personas, screenshot_dir):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    sign_in(page, "police.liaison")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Communities").click()
    page.get_by_role("link", name="Prince George").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Prince George")
    map_image = page.get_by_role("img", name="Map of Prince George")
    expect(map_image).to_be_visible()
    expect(map_image.locator("path.map-community")).to_have_count(1)
    box = map_image.bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    expect(page.get_by_role("heading", name="Overdose events recorded here")).to_be_visible()
    assert failed == []
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "community.png", full_page=True)
        page.set_viewport_size({"width": 375, "height": 740})
        page.screenshot(path=screenshot_dir / "community-phone.png", full_page=True)


def test_community_page_fits_a_phone(page, personas):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, "epidemiologist")

    page.goto("/communities/bc-lha-haida-gwaii/")

    expect(page.get_by_role("img", name="Map of Haida Gwaii")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_search_narrows_the_list_as_you_type(page, personas):
    sign_in(page, "epidemiologist")
    page.goto("/communities/")
    expect(page.get_by_role("link", name="Abbotsford")).to_be_visible()

    page.get_by_label("Find a community").press_sequentially("prince", delay=20)

    expect(page.get_by_text("3 communities matching “prince”")).to_be_visible()
    expect(page.get_by_role("link", name="Abbotsford")).to_have_count(0)
    expect(page.get_by_role("link", name="Prince Rupert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/communities/\?q=prince$"))


def test_another_region_is_refused_politely(page, personas):
    sign_in(page, "police.liaison")

    response = page.goto("/communities/bc-lha-vancouver-centre-north/")

    assert response.status == 403
    expect(
        page.get_by_text("Your organizations do not cover Vancouver - Centre North.")
    ).to_be_visible()
