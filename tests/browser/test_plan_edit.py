"""The ER nurse moves an action's due date and hands it to herself, in place, on the
care plan page; an edit that names two owners is refused beside its form, kept open."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from cairn.cases import plans
from cairn.cases.models.plans import PlanAction
from cairn.cases.tests.conftest import make_client
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_an_action_is_moved_and_handed_over_on_the_plan_page(page, personas):
    nurse = personas["er_nurse"]
    person = make_client(nurse, given_name="Robin", family_name="Lake")
    action = plans.add_action(
        actor=nurse,
        client=person,
        text="Go with Robin to the clinic",
        owner_text="Robin's sister",
        due_on=dt.date(2026, 12, 1),
    )
    page.set_default_timeout(30_000)  # a shared two-core machine can be slow

    sign_in(page, "er.nurse")
    page.goto(f"/cases/clients/{person.pk}/plan/")
    row = page.locator(f"#action-{action.pk}")
    expect(row).to_contain_text("Robin's sister, due 2026-12-01")
    row.get_by_text("Edit the action").click()
    row.get_by_label("Due").fill("2026-12-08")
    row.get_by_label("Owner on the team").select_option(label=nurse.get_full_name())
    row.get_by_label("Or someone else").fill("")
    row.get_by_role("button", name="Save the action").click()

    row = page.locator(f"#action-{action.pk}")
    expect(row).to_contain_text(f"{nurse.get_full_name()}, due 2026-12-08")
    expect(row).to_contain_text("(edited")
    stored = PlanAction.objects.get(pk=action.pk)
    assert (stored.due_on, stored.owner_user_id, stored.owner_text) == (
        dt.date(2026, 12, 8),
        nurse.pk,
        "",
    )

    row.get_by_text("Edit the action").click()
    row.get_by_label("Or someone else").fill("Robin's sister")
    row.get_by_role("button", name="Save the action").click()
    row = page.locator(f"#action-{action.pk}")
    expect(row.get_by_role("alert")).to_contain_text("not both")
    expect(row.get_by_label("Or someone else")).to_have_value("Robin's sister")
    expect(row.get_by_role("button", name="Save the action")).to_be_visible()
    assert PlanAction.objects.get(pk=action.pk).owner_text == ""
