"""Scoring an answer sheet: reverse-scored items, subscales and totals by mean or sum,
prorating, and the minimum number of answered items."""

import pytest

from cairn.campaigns.surveys.scoring import ScoringRule, SubscaleRule, score_answers
from cairn.campaigns.tests import surveys_fixtures

sample_instrument = surveys_fixtures.sample_instrument


def rule(*, scoring="mean", reverse=(), min_answered=4, total=None, subscales=()):
    codes = ("a", "b", "c", "d")
    return ScoringRule(
        item_codes=codes,
        reverse_codes=frozenset(reverse),
        option_values=frozenset({1, 2, 3, 4, 5}),
        lowest=1,
        highest=5,
        subscales=tuple(subscales),
        total=SubscaleRule("total", "Total", codes, total or scoring, min_answered),
    )


def test_a_reverse_scored_item_counts_from_the_other_end_of_the_scale():
    total, _ = score_answers(rule(scoring="sum", reverse={"a"}), {"a": 5, "b": 1, "c": 1, "d": 1})
    assert total == 4  # 5 counts as 1


def test_the_mean_is_over_the_answered_items():
    total, _ = score_answers(rule(min_answered=3), {"a": 2, "b": 4, "c": 3, "d": None})
    assert total == 3


def test_a_sum_with_a_skipped_item_is_prorated_not_lowered():
    total, _ = score_answers(rule(scoring="sum", min_answered=3), {"a": 2, "b": 4, "c": 3})
    assert total == 12  # mean 3 × 4 items


def test_too_few_answered_items_give_no_score_rather_than_a_guess():
    total, _ = score_answers(rule(min_answered=4), {"a": 2, "b": 4, "c": 3})
    assert total is None
    assert score_answers(rule(), {})[0] is None


def test_subscales_are_scored_from_their_own_items():
    subscales = [SubscaleRule("first", "First", ("a", "b"), "sum", 2)]
    total, scores = score_answers(
        rule(subscales=subscales, reverse={"b"}), {"a": 2, "b": 2, "c": 5, "d": 5}
    )
    assert scores == {"first": 6}  # 2 + (6 − 2)
    assert total == 4.0  # (2 + 4 + 5 + 5) / 4


def test_the_sample_instrument_scores_higher_for_more_stigmatizing_answers(sample_instrument):
    # Strongly disagreeing with everything: the five reverse-scored (respectful)
    # statements count 5, the three stigmatizing ones 1.
    answers = {f"q{n}": 1 for n in range(1, 9)}
    total, scores = score_answers(sample_instrument, answers)
    assert scores == {"moral_view": 4.0, "social_distance": 3.0}
    assert total == pytest.approx(28 / 8)
    respectful = {**{f"q{n}": 5 for n in (1, 2, 3, 5, 6)}, **{f"q{n}": 1 for n in (4, 7, 8)}}
    assert score_answers(sample_instrument, respectful) == (
        1.0,
        {"moral_view": 1.0, "social_distance": 1.0},
    )


def test_a_subscale_needs_its_minimum_of_answers(sample_instrument):
    answers = {"q1": 1, "q2": 1, "q5": 3, "q6": 3, "q7": 3, "q8": 3}
    total, scores = score_answers(sample_instrument, answers)
    assert scores["moral_view"] is None  # 2 of 4 answered, 3 needed
    assert scores["social_distance"] == 3.0
    assert total == pytest.approx((5 + 5 + 3 * 4) / 6)  # 6 answered: enough for the total
