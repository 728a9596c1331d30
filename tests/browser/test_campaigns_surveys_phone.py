"""A member of the public answers a campaign survey on a phone, from an invitation link.

A phone-sized context (375 × 740, mobile, touch), no sign-in. The consent text comes
first; a statement may be skipped, but the question that decides the compared group is
named when unanswered, with every answer kept; the answers are sent once, and a double
tap on "Send" never stores a second response.
"""

import pytest
from playwright.sync_api import expect

from cairn.campaigns.models.surveys import Response
from cairn.campaigns.tests import surveys_fixtures
from cairn.campaigns.tests.conftest import make_campaign
from cairn.campaigns.tests.surveys_fixtures import make_tokens

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

sample_instrument = surveys_fixtures.sample_instrument
exposure_survey = surveys_fixtures.exposure_survey

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def campaign(communications_officer):
    return make_campaign(communications_officer)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_person_answers_a_survey_on_a_phone(
    communications_officer, exposure_survey, phone, screenshot_dir
):
    first, second = make_tokens(communications_officer, exposure_survey, "post", 2)
    page = phone
    loaded = []
    page.on("response", lambda r: loaded.append(r))
    page.goto(f"/survey/{first}/")
    weight = sum(len(r.body()) for r in loaded if r.ok)
    assert weight < 150_000, f"the consent page weighs {weight} bytes"
    expect(page.get_by_role("heading", level=1)).to_have_text("Did you see it?")
    expect(page.locator("#consent-text")).to_contain_text("It is anonymous")
    expect(page.get_by_role("radio")).to_have_count(0)  # consent before any question
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    start = page.get_by_role("button", name="I agree: start the survey")
    assert start.bounding_box()["height"] >= 44
    start.tap()

    # Eight statements, the exposure question and the optional segment question.
    expect(page.get_by_role("group")).to_have_count(10)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.get_by_text("You may skip any question")).to_be_visible()
    answers = ["Agree", "Strongly agree", "Agree", "Disagree", "Agree", "Agree", "Disagree"]
    for number, label in zip([1, 2, 3, 4, 5, 6, 8], answers, strict=True):
        question = page.get_by_role("group", name=f"{number} of 8.")
        choice = question.get_by_label(label, exact=True)
        assert choice.locator("xpath=..").bounding_box()["height"] >= 44
        choice.check()
    page.get_by_role("group", name="7 of 8.").get_by_label("Prefer not to answer").check()
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "campaign-survey-phone.png", full_page=True)
    page.get_by_role("button", name="Send my answers").tap()

    # The exposure question was not answered: named, and every answer kept.
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "“In the last month, did you see or hear this campaign?”: choose Yes, No or Not sure."
    )
    expect(
        page.get_by_role("group", name="1 of 8.").get_by_label("Agree", exact=True)
    ).to_be_checked()
    assert Response.objects.count() == 0
    alert.get_by_role("link").click()
    exposure = page.get_by_role("group", name="In the last month, did you see or hear")
    exposure.get_by_label("Yes").check()
    page.get_by_label("A family member of a person who uses drugs").check()
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    response = Response.objects.get()
    assert (response.group, response.segment) == ("exposed", "family")
    # Agreeing with the respectful statements scores low (less stigma); question 7,
    # skipped, is left out of the means.
    assert response.scores == {"moral_view": 1.75, "social_distance": 2.0}
    page.goto(f"/survey/{first}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    # A double tap on "Send" with the second invitation: one response, not two.
    page.goto(f"/survey/{second}/?consent=yes")
    for number in range(1, 9):
        page.get_by_role("group", name=f"{number} of 8.").get_by_label(
            "Neither agree nor disagree"
        ).check()
    page.get_by_role("group", name="In the last month, did you see or hear").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Send my answers").dblclick()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert Response.objects.count() == 2
