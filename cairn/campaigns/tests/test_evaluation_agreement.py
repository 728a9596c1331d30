"""The share agreeing with each item, by wave or group, and its change (agreement.py)."""

import pytest

from cairn.campaigns.evaluation import stats
from cairn.campaigns.evaluation.agreement import item_agreement
from cairn.campaigns.models.surveys import Design
from cairn.campaigns.tests.evaluation_fixtures import add_answer_sheets, make_survey

pytestmark = pytest.mark.django_db


def test_share_agreeing_per_item_with_newcombe_interval_for_the_change(
    campaign, communications_officer
):
    survey = make_survey(campaign, communications_officer)
    # Before: 20 of 40 agree with q1 (4 or 5); after: 30 of 40. q2 left unanswered by some.
    add_answer_sheets(survey, "pre", [{"q1": 4, "q2": 1}] * 15 + [{"q1": 5}] * 5 + [{"q1": 2}] * 20)
    add_answer_sheets(survey, "post", [{"q1": 5, "q2": 3}] * 30 + [{"q1": 3}] * 10)
    agreement = item_agreement(survey)
    assert agreement.agree_labels == ["4", "5"]  # the top two answers of the scale
    q1 = agreement.items[0]
    assert q1.code == "q1"
    change = q1.changes[0]
    assert change.title == "After the campaign vs Before the campaign"
    assert (change.compared_share, change.reference_share) == (0.75, 0.5)
    expected = stats.newcombe_difference(30, 40, 20, 40)
    assert (change.difference, change.low, change.high) == pytest.approx(expected)
    # q2: 15 answers before, 30 after, nobody agreeing either time.
    q2 = agreement.items[1].changes[0]
    assert (q2.reference_n, q2.compared_n, q2.difference) == (15, 30, 0.0)


def test_small_groups_are_withheld_per_item(campaign, communications_officer):
    survey = make_survey(campaign, communications_officer, design=Design.EXPOSED_UNEXPOSED)
    add_answer_sheets(survey, "post", [{"q1": 5}] * 12, group="exposed")
    add_answer_sheets(survey, "post", [{"q1": 1}] * 6, group="unexposed")
    change = item_agreement(survey).items[0].changes[0]
    assert change.title == "Saw the campaign vs did not"
    assert change.compared_share == 1.0 and change.reference_share is None
    assert change.withheld


def test_the_results_page_shows_the_agreement_table(client, campaign, communications_officer):
    from django.urls import reverse

    survey = make_survey(campaign, communications_officer)
    add_answer_sheets(survey, "pre", [{"q1": 4}] * 20 + [{"q1": 2}] * 20)
    add_answer_sheets(survey, "post", [{"q1": 5}] * 30 + [{"q1": 3}] * 10)
    client.force_login(communications_officer)
    page = client.get(reverse("campaigns:survey_results", kwargs={"survey_id": survey.pk}))
    text = page.content.decode()
    assert "Agreement with each statement" in text
    assert "75%" in text and "50%" in text and "+25" in text


def test_no_agreement_section_without_answer_sheets(client, campaign, communications_officer):
    from django.urls import reverse

    from cairn.campaigns.tests.evaluation_fixtures import add_responses, scores

    survey = make_survey(campaign, communications_officer)
    add_responses(survey, "pre", scores(20, 3.0))
    add_responses(survey, "post", scores(20, 2.8))
    assert not item_agreement(survey).has_answers
    client.force_login(communications_officer)
    page = client.get(reverse("campaigns:survey_results", kwargs={"survey_id": survey.pk}))
    assert "Agreement with each statement" not in page.content.decode()
