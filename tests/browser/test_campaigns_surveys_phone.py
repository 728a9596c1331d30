"""A member of the public answers a campaign survey on a phone, from an invitation link.

A phone-sized context (375 × 740, mobile, touch), no sign-in. The consent text comes
first; a skipped question is named and the answers given are kept; the answers are
sent once, and a double tap on "Send" never stores a second response.
"""

import pytest
from playwright.sync_api import expect

from cairn.campaigns.models.surveys import Response
from cairn.campaigns.tests import surveys_fixtures
from cairn.campaigns.tests.conftest import make_campaign
from cairn.campaigns.tests.surveys_fixtures import make_tokens

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

sample_instrument = surveys_fixtures.sample_instrument
pre_post_survey = surveys_fixtures.pre_post_survey

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
    communications_officer, pre_post_survey, phone, screenshot_dir
):
    first, second = make_tokens(communications_officer, pre_post_survey, "pre", 2)
    page = phone
    loaded = []
    page.on("response", lambda r: loaded.append(r))
    page.goto(f"/survey/{first}/")
    weight = sum(len(r.body()) for r in loaded if r.ok)
    assert weight < 150_000, f"the consent page weighs {weight} bytes"
    expect(page.get_by_role("heading", level=1)).to_have_text("What do you think?")
    expect(page.locator("#consent-text")).to_contain_text("It is anonymous")
    expect(page.get_by_role("radio")).to_have_count(0)  # consent before any question
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    start = page.get_by_role("button", name="I agree: start the survey")
    assert start.bounding_box()["height"] >= 44
    start.tap()

    expect(page.get_by_role("group")).to_have_count(8)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    answers = ["Agree", "Strongly agree", "Agree", "Disagree", "Agree", "Agree", "Disagree"]
    for number, label in zip([1, 2, 3, 4, 5, 6, 8], answers, strict=True):
        question = page.get_by_role("group", name=f"{number} of 8.")
        choice = question.get_by_label(label, exact=True)
        assert choice.locator("xpath=..").bounding_box()["height"] >= 44
        choice.check()
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "campaign-survey-phone.png", full_page=True)
    page.get_by_role("button", name="Send my answers").tap()

    # Question 7 was skipped: named, and every other answer kept.
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "Question 7 (“I would avoid talking with someone if I knew they used drugs.”): "
        "choose an answer."
    )
    expect(
        page.get_by_role("group", name="1 of 8.").get_by_label("Agree", exact=True)
    ).to_be_checked()
    assert Response.objects.count() == 0
    alert.get_by_role("link").click()
    page.get_by_role("group", name="7 of 8.").get_by_label("Strongly disagree").check()
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    response = Response.objects.get()
    # Agreeing with the respectful statements scores low (less stigma).
    assert response.scores == {"moral_view": 1.75, "social_distance": 1.75}
    page.goto(f"/survey/{first}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    # A double tap on "Send" with the second invitation: one response, not two.
    page.goto(f"/survey/{second}/?consent=yes")
    for number in range(1, 9):
        page.get_by_role("group", name=f"{number} of 8.").get_by_label(
            "Neither agree nor disagree"
        ).check()
    page.get_by_role("button", name="Send my answers").dblclick()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert Response.objects.count() == 2
