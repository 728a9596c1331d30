"""A directory curator, on a phone, imports the official HSDS example files, sees what came
in, then uploads a file with a mistake and sees the record and field named."""

import json

import pytest
from playwright.sync_api import expect

from cairn.directory.models import Service
from cairn.directory.tests.hsds_helpers import CSV_EXAMPLES, JSON_EXAMPLES
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 375, "height": 812}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_curator_imports_hsds_files_on_a_phone(page, personas, tmp_path):
    page.set_viewport_size(PHONE)
    sign_in(page, "admin")
    page.goto("/directory/hsds/")
    expect(page.get_by_role("heading", name="Import and export the directory")).to_be_visible()
    assert _fits(page)

    page.get_by_label("HSDS files").set_input_files(sorted(CSV_EXAMPLES.glob("*.csv")))
    page.get_by_role("button", name="Import").click()

    expect(page.locator("#import-summary")).to_contain_text(
        "21 new, 0 changed, 0 unchanged, 0 left out"
    )
    expect(page.get_by_text("None: every record was imported.")).to_be_visible()
    assert Service.objects.get().name == "Community Counselling"
    assert _fits(page)

    service = json.loads((JSON_EXAMPLES / "service_full.json").read_text())
    service["id"] = "2c4e6a80-1b2c-4d3e-8f4a-5b6c7d8e9f02"
    service["minimum_age"] = "twelve"
    bad = tmp_path / "service_full.json"
    bad.write_text(json.dumps(service))
    page.goto("/directory/hsds/")
    page.get_by_label("HSDS files").set_input_files([bad])
    page.get_by_role("button", name="Import").click()

    problems = page.locator("#problems")
    expect(problems).to_contain_text("service / (id 2c4e6a80-1b2c-4d3e-8f4a-5b6c7d8e9f02)")
    expect(problems).to_contain_text("minimum_age")
    expect(problems).to_contain_text("'twelve' is not of type 'number'")
    assert Service.objects.count() == 1
    assert _fits(page)
