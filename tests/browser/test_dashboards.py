"""People read the surveillance dashboards: a chart, a map, a sorted table, a CSV download;
and anyone reads the public dashboard without signing in."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from cairn.surveillance.dashboards.testing import load_dashboard_counts
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def counts(bc_geography):
    return load_dashboard_counts()


def test_epidemiologist_reads_the_province_dashboard(page, personas, counts, screenshot_dir):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    sign_in(page, "epidemiologist")
    page.goto("/surveillance/dashboard/")

    expect(page).to_have_url(re.compile(r"/surveillance/dashboard/bc/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("British Columbia")
    page.get_by_label("Case definition").select_option("opioid")
    page.get_by_label("Year").select_option("2024")
    page.get_by_role("button", name="Show").click()

    # Read the chart: an image named by its title, its description in words, and the
    # value of a week from its point's tooltip.
    chart = page.get_by_role("img", name=re.compile(r"^Weekly events: Opioid"))
    expect(chart).to_be_visible()
    expect(chart.locator("path.band")).to_have_count(1)
    tooltip = chart.locator('circle[data-period="2024-03-04"] title').text_content()
    assert re.match(r"week of 4 Mar 2024: [\d,]+ events, expected [\d.,]+", tooltip)
    page.get_by_text("Show the figures as a table").click()
    expect(page.get_by_role("row", name=re.compile(r"^4 Mar 2024 "))).to_be_visible()

    # The map shades every community, each named with its rate.
    map_image = page.get_by_role("img", name=re.compile(r"^Rate per 100,000 people by local"))
    expect(map_image).to_be_visible()
    assert map_image.locator("path[data-class]").count() >= 85

    # Sort the communities by events, largest first, without reloading the page.
    table = page.locator("#community-table")
    table.get_by_role("link", name="Events").click()
    expect(page.locator("#community-table th[aria-sort='descending']")).to_have_text(
        re.compile("Events")
    )
    expect(page).to_have_url(re.compile(r"sort=events&order=desc"))
    events = [
        int(v)
        for v in page.locator("#community-table tbody .count").evaluate_all(
            "cells => cells.map(c => c.dataset.count)"
        )
    ]
    assert events == sorted(events, reverse=True) and len(events) == 89

    # Download the table as CSV.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the table (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "cairn-bc-opioid-all-sources-2024-table.csv"
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert rows[0]["area"] == "British Columbia"
    assert len([r for r in rows if r["level"] == "community"]) == 89
    assert failed == []
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "dashboard-province.png", full_page=True)


def test_police_liaison_sees_prince_george_suppressed(page, personas, counts):
    sign_in(page, "police.liaison")
    page.goto("/surveillance/dashboard/?definition=stimulant&year=2024")

    expect(page).to_have_url(re.compile(r"/surveillance/dashboard/bc-lha-prince-george/"))
    expect(page.get_by_text("Counts from 1 to 4 are suppressed").first).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Yearly events: Stimulant"))).to_be_visible()
    # The province is not theirs to open.
    assert page.goto("/surveillance/dashboard/bc/").status == 403


def test_anyone_reads_the_public_dashboard(page, counts, screenshot_dir):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto("/public/?definition=stimulant&year=2024")

    expect(page.get_by_role("heading", level=1)).to_have_text("Overdoses in British Columbia")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_role("heading", name="What these numbers mean")).to_be_visible()
    expect(page.locator("#community-table .suppressed").first).to_be_visible()
    shown = page.locator("[data-count]").evaluate_all("cells => cells.map(c => +c.dataset.count)")
    assert shown and not [n for n in shown if 1 <= n <= 4]

    page.get_by_role("link", name="Northern").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdoses in Northern")
    assert failed == []
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "public-northern.png", full_page=True)
