"""The comparison statistics (cairn/campaigns/evaluation/stats.py) against published values.

References, each printed in the source named:
- R, stats::t.test help page, examples on the `sleep` data (Student 1908; Cushny & Peebles):
  Welch: t = -1.8608, df = 17.776, p = 0.07939, 95% CI -3.3654832 to 0.2054832;
  paired: t = -4.0621, df = 9, p = 0.002833, 95% CI -2.4598858 to -0.7001142.
- Dalgaard, Introductory Statistics with R (2nd ed., 2008), §4.6, energy intake of 11 women
  before and after menstruation (ISwR `intake`): paired t = 11.9414, df = 10,
  95% CI 1074.072 to 1566.838; the (wrong, unpaired) Welch test t = 2.6242, df = 19.92.
- R package effectsize, reference page of cohens_d() (Ben-Shachar, Lüdecke & Makowski 2020,
  JOSS 5(56):2815), mtcars mpg by transmission: Cohen's d = -1.48, 95% CI [-2.27, -0.67];
  Hedges' g = -1.44, 95% CI [-2.21, -0.65]; paired sleep data: d = -1.28, 95% CI
  [-2.12, -0.41], Hedges' g = -1.17, 95% CI [-1.94, -0.38]. (tidystats' tests give the
  unrounded d = -1.477947, g = -1.440635, d_z = -1.284558.)
- Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven
  methods. Stat Med 1998;17:857-872, example 81/263: Wilson score interval 0.2553 to 0.3662.
- Newcombe RG. Interval estimation for the difference between independent proportions:
  comparison of eleven methods. Stat Med 1998;17:873-890, example (a) 56/70 − 48/80:
  method 10 (hybrid score) 0.0524 to 0.3339.
"""

import math

import numpy as np
import pytest

from cairn.campaigns.evaluation import stats

SLEEP_DRUG_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_DRUG_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
INTAKE_PRE = [5260, 5470, 5640, 6180, 6390, 6515, 6805, 7515, 7515, 8230, 8770]
INTAKE_POST = [3910, 4220, 3885, 5160, 5645, 4680, 5265, 5975, 6790, 6900, 7335]
MTCARS_MPG_AUTOMATIC = [21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3]
MTCARS_MPG_AUTOMATIC += [15.2, 10.4, 10.4, 14.7, 21.5, 15.5, 15.2, 13.3, 19.2]
MTCARS_MPG_MANUAL = [21.0, 21.0, 22.8, 32.4, 30.4, 33.9, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0, 21.4]


def test_welch_interval_matches_r_t_test_on_the_sleep_data():
    result = stats.welch_difference(SLEEP_DRUG_1, SLEEP_DRUG_2)
    assert result.estimate == pytest.approx(0.75 - 2.33)
    assert result.t == pytest.approx(-1.8608, abs=5e-5)
    assert result.df == pytest.approx(17.776, abs=5e-4)
    assert result.p_value == pytest.approx(0.07939, abs=5e-6)
    assert (result.low, result.high) == pytest.approx((-3.3654832, 0.2054832), abs=5e-8)


def test_paired_interval_matches_r_t_test_on_the_sleep_data():
    result = stats.paired_difference(SLEEP_DRUG_1, SLEEP_DRUG_2)
    assert result.estimate == pytest.approx(-1.58)
    assert result.t == pytest.approx(-4.0621, abs=5e-5)
    assert result.df == 9
    assert result.p_value == pytest.approx(0.002833, abs=5e-7)
    assert (result.low, result.high) == pytest.approx((-2.4598858, -0.7001142), abs=5e-8)


def test_paired_and_unpaired_intervals_match_dalgaard_on_the_intake_data():
    paired = stats.paired_difference(INTAKE_PRE, INTAKE_POST)
    assert paired.t == pytest.approx(11.9414, abs=5e-5)
    assert (paired.low, paired.high) == pytest.approx((1074.072, 1566.838), abs=5e-4)
    unpaired = stats.welch_difference(INTAKE_PRE, INTAKE_POST)
    assert unpaired.t == pytest.approx(2.6242, abs=5e-5)
    assert unpaired.df == pytest.approx(19.92, abs=5e-3)


def test_cohens_d_and_hedges_g_match_effectsize_on_mtcars():
    effect = stats.cohens_d(MTCARS_MPG_AUTOMATIC, MTCARS_MPG_MANUAL)
    assert effect.kind == "d"
    assert effect.d == pytest.approx(-1.477947, abs=5e-7)
    assert (round(effect.d_low, 2), round(effect.d_high, 2)) == (-2.27, -0.67)
    assert effect.g == pytest.approx(-1.440635, abs=5e-7)
    assert (round(effect.g_low, 2), round(effect.g_high, 2)) == (-2.21, -0.65)


def test_paired_d_z_matches_effectsize_on_the_sleep_data():
    effect = stats.paired_cohens_d(SLEEP_DRUG_1, SLEEP_DRUG_2)
    assert effect.kind == "d_z"
    assert effect.d == pytest.approx(-1.284558, abs=5e-7)
    assert (round(effect.d_low, 2), round(effect.d_high, 2)) == (-2.12, -0.41)
    assert (round(effect.g, 2), round(effect.g_low, 2), round(effect.g_high, 2)) == (
        -1.17,
        -1.94,
        -0.38,
    )


def test_hedges_correction_is_the_exact_gamma_ratio():
    # J(30) is g/d of effectsize's mtcars values; J(df) → 1 − 3/(4·df − 1) for large df
    # (Hedges 1981).
    assert stats.hedges_correction(30) == pytest.approx(1.440635 / 1.477947, abs=1e-6)
    assert stats.hedges_correction(2000) == pytest.approx(1 - 3 / 7999, abs=1e-7)


def test_wilson_interval_matches_newcombe():
    assert stats.wilson_interval(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-5)


def test_newcombe_hybrid_score_interval_matches_method_10():
    estimate, low, high = stats.newcombe_difference(56, 70, 48, 80)
    assert estimate == pytest.approx(0.2)
    assert (low, high) == pytest.approx((0.0524, 0.3339), abs=5e-5)


def test_a_proportion_outside_its_range_is_refused_with_the_numbers():
    with pytest.raises(ValueError, match="5/3"):
        stats.wilson_interval(5, 3)


def test_skewed_small_groups_get_the_bootstrap_interval_and_it_is_reproducible():
    rng = np.random.default_rng(7)
    before = rng.exponential(1.0, 40)
    after = rng.exponential(1.0, 40) + 0.5
    first = stats.compare(after, before)
    assert stats.needs_bootstrap(before)  # |G1| > 1 and n = 40 < 28 + 25·G1²
    assert first.interval_method == "bootstrap_bca"
    assert (first.low, first.high) == (first.bootstrap_low, first.bootstrap_high)
    # The estimate lies inside, and a second run on the same data gives the same interval.
    assert first.low < first.estimate < first.high
    second = stats.compare(after, before)
    assert (second.low, second.high) == (first.low, first.high)


def test_bca_interval_leans_the_way_the_data_are_skewed():
    # A right-skewed sample: the interval reaches further above the mean than below it.
    rng = np.random.default_rng(11)
    changes = rng.lognormal(0.0, 1.0, 30)
    low, high = stats.bootstrap_difference(changes, np.zeros(30), paired=True)
    assert high - changes.mean() > changes.mean() - low


def test_bca_agrees_with_the_t_interval_on_symmetric_data():
    rng = np.random.default_rng(3)
    a, b = rng.normal(3.2, 0.6, 60), rng.normal(3.0, 0.6, 60)
    low, high = stats.bootstrap_difference(a, b)
    welch = stats.welch_difference(a, b)
    assert low == pytest.approx(welch.low, abs=0.03)
    assert high == pytest.approx(welch.high, abs=0.03)


def test_symmetric_or_large_groups_keep_the_t_interval():
    rng = np.random.default_rng(5)
    symmetric = stats.compare(rng.normal(3, 1, 30), rng.normal(3, 1, 30))
    assert symmetric.interval_method == "welch"
    assert symmetric.bootstrap_low is None
    # Skewed but large: n ≥ 28 + 25·G1², the t interval is adequate (Cochran's rule).
    large = rng.exponential(1.0, 5000)
    assert abs(stats.skewness(large)) > 1
    assert not stats.needs_bootstrap(large)
    assert stats.compare(large, rng.exponential(1.0, 5000)).interval_method == "welch"


def test_paired_comparison_judges_skew_on_the_changes():
    rng = np.random.default_rng(9)
    pre = rng.normal(3, 1, 25)
    post = pre + rng.lognormal(0.0, 1.0, 25)
    comparison = stats.compare(post, pre, paired=True)
    assert comparison.paired and comparison.effect.kind == "d_z"
    assert comparison.skewed_group == "changes"
    assert comparison.interval_method == "bootstrap_bca"


def test_groups_without_any_spread_give_a_point_interval_not_an_error():
    comparison = stats.compare([4.0] * 12, [3.0] * 12)
    assert (comparison.low, comparison.high) == (1.0, 1.0)
    assert math.isnan(comparison.effect.d)


def test_a_group_of_one_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="at least 2 values"):
        stats.welch_difference([3.0], [2.0, 4.0])
    with pytest.raises(ValueError, match="in pairs"):
        stats.paired_difference([1.0, 2.0], [1.0])


def test_missing_scores_are_left_out():
    result = stats.welch_difference([*SLEEP_DRUG_1, math.nan], SLEEP_DRUG_2)
    assert (result.low, result.high) == pytest.approx((-3.3654832, 0.2054832), abs=5e-8)
