"""A survey's analysis by design, subscale and segment (cairn/campaigns/evaluation/analysis.py),
and its plain-language summary (summary.py)."""

import numpy as np
import pytest

from cairn.campaigns.evaluation import stats
from cairn.campaigns.evaluation.analysis import MIN_GROUP, TOO_FEW, analyse_survey
from cairn.campaigns.models.surveys import Design
from cairn.campaigns.tests import evaluation_fixtures
from cairn.campaigns.tests.evaluation_fixtures import add_responses, make_survey, scores

pre_post_survey = evaluation_fixtures.pre_post_survey

pytestmark = pytest.mark.django_db


def test_pre_post_compares_after_with_before_for_the_total_and_each_subscale(pre_post_survey):
    analysis = analyse_survey(pre_post_survey)
    assert analysis.n_responses == 230
    assert [m.key for m in analysis.measures] == ["total", "health", "distance"]
    headline = analysis.headline
    assert headline.measure.key == "total" and headline.segment == ""
    assert headline.title == "After the campaign vs Before the campaign"
    assert (headline.n_compared, headline.n_reference, headline.paired) == (110, 120, False)
    # The same numbers as the statistics module on the same scores.
    expected = stats.welch_difference(scores(110, 2.9, seed=2), scores(120, 3.2, seed=1))
    assert headline.estimate == pytest.approx(expected.estimate)
    assert (headline.low, headline.high) == pytest.approx((expected.low, expected.high))
    assert headline.interval_method == "welch"
    assert headline.effect.kind == "d" and headline.effect.d < 0
    health = analysis.for_measure("health")[0]
    assert health.estimate == pytest.approx(headline.estimate)


def test_wave_means_carry_their_interval(pre_post_survey):
    means = analyse_survey(pre_post_survey).groups["total"]
    assert [m.label for m in means] == ["Before the campaign", "After the campaign"]
    before = means[0]
    assert before.n == 120 and before.low < before.mean < before.high
    assert before.mean == pytest.approx(np.mean(scores(120, 3.2, seed=1)))


def test_panel_members_who_answered_both_waves_are_compared_as_pairs(
    campaign, communications_officer
):
    survey = make_survey(campaign, communications_officer)
    ids = [f"panel-{i}" for i in range(30)]
    before = scores(30, 3.4, seed=3)
    after = [round(b - 0.3 + 0.05 * ((i % 5) - 2), 3) for i, b in enumerate(before)]
    add_responses(survey, "pre", before, panel_ids=ids)
    add_responses(survey, "post", list(reversed(after)), panel_ids=list(reversed(ids)))
    headline = analyse_survey(survey).headline
    assert headline.paired and headline.n_pairs == 30
    assert (headline.n_compared, headline.n_reference) == (30, 30)
    expected = stats.paired_difference(after, before)
    assert (headline.low, headline.high) == pytest.approx((expected.low, expected.high))
    assert headline.effect.kind == "d_z"


def test_exposed_and_unexposed_are_compared_within_the_wave(campaign, communications_officer):
    survey = make_survey(campaign, communications_officer, design=Design.EXPOSED_UNEXPOSED)
    add_responses(survey, "post", scores(60, 2.8, seed=4), group="exposed")
    add_responses(survey, "post", scores(70, 3.1, seed=5), group="unexposed")
    analysis = analyse_survey(survey)
    headline = analysis.headline
    assert headline.title == "Saw the campaign vs did not"
    assert (headline.n_compared, headline.n_reference) == (60, 70)
    assert [m.label for m in analysis.groups["total"]] == [
        "Saw the campaign",
        "Did not see the campaign",
    ]
    assert "People who said they saw the campaign" in analysis.summary[0]
    assert any("not proof that the campaign changed" in p for p in analysis.summary)


def test_repeated_waves_compare_each_later_wave_with_the_first(campaign, communications_officer):
    survey = make_survey(campaign, communications_officer, design=Design.WAVES)
    for seed, (key, mean) in enumerate([("wave_1", 3.3), ("wave_2", 3.1), ("wave_3", 2.9)]):
        add_responses(survey, key, scores(40, mean, seed=seed))
    analysis = analyse_survey(survey)
    titles = [r.title for r in analysis.for_measure("total")]
    assert titles == ["Wave 2 vs Wave 1", "Wave 3 vs Wave 1"]
    # The summary leads with the latest wave.
    assert analysis.headline.title == "Wave 3 vs Wave 1"
    assert "in “Wave 3” than in “Wave 1”" in analysis.summary[0]


def test_segments_with_too_few_responses_are_withheld(campaign, communications_officer):
    survey = make_survey(
        campaign,
        communications_officer,
        segments=[("family", "Family and friends"), ("trades", "Employers and the trades")],
    )
    add_responses(survey, "pre", scores(40, 3.2, seed=6), segment="family")
    add_responses(survey, "post", scores(45, 2.9, seed=7), segment="family")
    add_responses(survey, "pre", scores(12, 3.2, seed=8), segment="trades")
    add_responses(survey, "post", scores(MIN_GROUP - 1, 2.9, seed=9), segment="trades")
    analysis = analyse_survey(survey)
    by_segment = {r.segment: r for r in analysis.by_segment("total")}
    assert by_segment["family"].segment_label == "Family and friends"
    assert not by_segment["family"].withheld
    trades = by_segment["trades"]
    assert trades.withheld and trades.withheld_reason == TOO_FEW
    assert trades.estimate is None and trades.low is None
    # Everyone together is still compared.
    assert not analysis.headline.withheld and analysis.headline.n_compared == 54


def test_wave_means_of_small_groups_are_withheld_too(campaign, communications_officer):
    survey = make_survey(campaign, communications_officer)
    add_responses(survey, "pre", scores(MIN_GROUP - 1, 3.0))
    means = analyse_survey(survey).groups["total"]
    assert means[0].withheld and means[0].n == MIN_GROUP - 1
    assert means[1].withheld and means[1].n == 0


def test_missing_scores_are_left_out_of_their_measure(campaign, communications_officer):
    survey = make_survey(campaign, communications_officer)
    add_responses(survey, "pre", [*scores(20, 3.2), None, None])
    add_responses(survey, "post", scores(20, 2.9, seed=2))
    assert analyse_survey(survey).headline.n_reference == 20


def test_summary_states_the_difference_with_its_interval_and_never_claims_a_cause(
    pre_post_survey,
):
    analysis = analyse_survey(pre_post_survey)
    text = " ".join(analysis.summary)
    assert "points lower in “After the campaign” than in “Before the campaign”" in text
    assert "95% confidence interval" in text
    assert "Higher scores mean more stigmatizing attitudes" in text
    assert "association" in text and "not proof that the campaign caused it" in text
    for overstatement in ("caused a", "led to", "because of the campaign", "proved", "reduced"):
        assert overstatement not in text.lower()


def test_summary_says_when_the_interval_includes_zero(campaign, communications_officer):
    survey = make_survey(campaign, communications_officer)
    add_responses(survey, "pre", scores(30, 3.0, sd=0.8, seed=10))
    add_responses(survey, "post", scores(30, 3.0, sd=0.8, seed=11))
    analysis = analyse_survey(survey)
    assert not analysis.headline.interval_excludes_zero
    assert any("consistent with no difference" in p for p in analysis.summary)


def test_a_survey_without_responses_or_a_second_wave_says_so(campaign, communications_officer):
    survey = make_survey(campaign, communications_officer)
    assert analyse_survey(survey).summary == ["No responses yet."]
    waves = make_survey(campaign, communications_officer, design=Design.WAVES)
    waves.waves.exclude(key="wave_1").delete()
    add_responses(waves, "wave_1", scores(15, 3.0))
    assert "a comparison needs a second wave" in analyse_survey(waves).summary[0]


def test_withheld_headline_names_the_group_sizes(campaign, communications_officer):
    survey = make_survey(campaign, communications_officer)
    add_responses(survey, "pre", scores(25, 3.0))
    add_responses(survey, "post", scores(4, 3.0))
    summary = analyse_survey(survey).summary
    assert summary == [
        "Total score, after the campaign vs before the campaign: too few responses to compare "
        "yet (4 and 25; each group needs at least 10)."
    ]


def test_a_few_pairs_among_many_single_answers_do_not_throw_the_others_away(
    campaign, communications_officer
):
    survey = make_survey(campaign, communications_officer)
    ids = [f"panel-{i}" for i in range(12)]
    add_responses(survey, "pre", scores(12, 3.3, seed=12), panel_ids=ids)
    add_responses(survey, "post", scores(12, 3.0, seed=13), panel_ids=ids)
    add_responses(survey, "pre", scores(100, 3.3, seed=14))
    add_responses(survey, "post", scores(100, 3.0, seed=15))
    headline = analyse_survey(survey).headline
    assert not headline.paired
    assert (headline.n_compared, headline.n_reference) == (112, 112)
    assert headline.interval_method == "welch"
