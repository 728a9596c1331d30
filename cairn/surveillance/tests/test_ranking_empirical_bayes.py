"""Empirical Bayes smoothing against R, on published data.

Reference data (cairn/surveillance/ranking/reference/r_reference.json, made by
make_reference.R beside it, R 4.2.2 with spdep 1.2-7 and MASS 7.3-58.2):
- Scottish lip cancer 1975-80, 56 districts: observed and expected cases from Clayton &
  Kaldor (1987), Biometrics 43:671-681, Table 1 (as redistributed in the WinBUGS "Lip"
  example and IowaBiostat/data-sets lip-cancer/lip-cancer.txt). Copied below too.
- Auckland child deaths 1977-85, 167 area units, the data of Marshall (1991), Applied
  Statistics 40:283-294 (spData::auckland), with 9 × the 1981 under-5 population at risk.
Marshall's estimator is checked against spdep::EBest, Clayton & Kaldor's maximum
likelihood against MASS::glm.nb, the posterior intervals against qgamma.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from cairn.surveillance.ranking.empirical_bayes import (
    GammaPrior,
    NoEvents,
    SmoothingError,
    clayton_kaldor_ml,
    marshall_moments,
    posterior,
    smooth_by_region,
)

REFERENCE = json.loads(
    (Path(__file__).resolve().parents[1] / "ranking" / "reference" / "r_reference.json").read_text()
)

# Clayton & Kaldor (1987), Table 1: observed and expected lip cancer cases, district 1-56.
LIP_OBSERVED = [9, 39, 11, 9, 15, 8, 26, 7, 6, 20, 13, 5, 3, 8, 17, 9, 2, 7, 9, 7, 16, 31, 11, 7,
                19, 15, 7, 10, 16, 11, 5, 3, 7, 8, 11, 9, 11, 8, 6, 4, 10, 8, 2, 6, 19, 3, 2, 3,
                28, 6, 1, 1, 1, 1, 0, 0]  # fmt: skip
LIP_EXPECTED = [1.4, 8.7, 3.0, 2.5, 4.3, 2.4, 8.1, 2.3, 2.0, 6.6, 4.4, 1.8, 1.1, 3.3, 7.8, 4.6,
                1.1, 4.2, 5.5, 4.4, 10.5, 22.7, 8.8, 5.6, 15.5, 12.5, 6.0, 9.0, 14.4, 10.2, 4.8,
                2.9, 7.0, 8.5, 12.3, 10.1, 12.7, 9.4, 7.2, 5.3, 18.8, 15.8, 4.3, 14.6, 50.7, 8.2,
                5.6, 9.3, 88.7, 19.6, 3.4, 3.6, 5.7, 7.0, 4.2, 1.8]  # fmt: skip


def test_reference_file_holds_the_published_lip_cancer_data():
    assert REFERENCE["lip"]["observed"] == LIP_OBSERVED
    assert REFERENCE["lip"]["expected"] == pytest.approx(LIP_EXPECTED)
    assert sum(LIP_OBSERVED) == 536  # the total Clayton & Kaldor report


@pytest.mark.parametrize(
    ("dataset", "cases_key", "at_risk_key"),
    [("lip", "observed", "expected"), ("auckland", "cases", "at_risk")],
)
def test_marshall_moments_match_spdep_ebest(dataset, cases_key, at_risk_key):
    data = REFERENCE[dataset]
    reference = data["marshall"]
    prior = marshall_moments(data[cases_key], data[at_risk_key])
    assert prior.mean == pytest.approx(reference["mean"], rel=1e-12)
    assert prior.variance == pytest.approx(reference["variance"], rel=1e-12)
    _, _, mean, low, high = posterior(data[cases_key], data[at_risk_key], prior)
    np.testing.assert_allclose(mean, reference["smoothed"], rtol=1e-12)
    np.testing.assert_allclose(low, reference["low"], rtol=1e-10)
    np.testing.assert_allclose(high, reference["high"], rtol=1e-10)


def test_clayton_kaldor_maximum_likelihood_matches_glm_nb():
    reference = REFERENCE["lip"]["clayton_kaldor"]
    prior = clayton_kaldor_ml(LIP_OBSERVED, LIP_EXPECTED)
    assert prior.shape == pytest.approx(reference["shape"], rel=1e-6)  # ν ≈ 1.88
    assert prior.mean == pytest.approx(reference["mean"], rel=1e-6)  # μ ≈ 1.42
    _, _, mean, low, high = posterior(LIP_OBSERVED, LIP_EXPECTED, prior)
    np.testing.assert_allclose(mean, reference["smoothed"], rtol=1e-6)
    np.testing.assert_allclose(low, reference["low"], rtol=1e-6)
    np.testing.assert_allclose(high, reference["high"], rtol=1e-6)


def test_smaller_communities_are_pulled_harder_toward_the_mean():
    # Same crude rate (0.003), populations from 100 to 100,000.
    at_risk = np.array([100, 1_000, 10_000, 100_000] + [5_000] * 6, dtype=float)
    cases = np.array([0.3, 3, 30, 300] + [5, 10, 15, 20, 10, 5], dtype=float).round()
    prior = marshall_moments(cases, at_risk)
    _, _, mean, _, _ = posterior(cases, at_risk, prior)
    crude = cases / at_risk
    distance = np.abs(mean[1:4] - crude[1:4])
    assert distance[0] > distance[1] > distance[2]
    # Smoothed rates lie between the crude rate and the mean.
    lower = np.minimum(crude, prior.mean) - 1e-15
    upper = np.maximum(crude, prior.mean) + 1e-15
    assert np.all((mean >= lower) & (mean <= upper))


def test_no_variation_beyond_chance_gives_the_mean_with_a_point_interval():
    cases = [10, 10, 10, 10, 10]
    at_risk = [1000] * 5
    prior = marshall_moments(cases, at_risk)
    assert prior.variance == 0
    shape, rate, mean, low, high = posterior(cases, at_risk, prior)
    assert np.all(np.isinf(shape)) and np.all(np.isinf(rate))
    np.testing.assert_allclose(mean, 0.01)
    np.testing.assert_allclose(low, 0.01)
    np.testing.assert_allclose(high, 0.01)


def test_one_region_is_the_same_as_the_global_estimator():
    smoothing = smooth_by_region(LIP_OBSERVED, LIP_EXPECTED, ["Scotland"] * 56)
    reference = REFERENCE["lip"]["marshall"]
    np.testing.assert_allclose(smoothing.mean, reference["smoothed"], rtol=1e-12)
    assert smoothing.regions["Scotland"].source == "region"
    assert smoothing.regions["Scotland"].events == 536


def test_each_region_is_smoothed_toward_its_own_mean():
    regions = ["north"] * 28 + ["south"] * 28
    smoothing = smooth_by_region(LIP_OBSERVED, LIP_EXPECTED, regions)
    for name, part in (("north", slice(0, 28)), ("south", slice(28, 56))):
        prior = marshall_moments(LIP_OBSERVED[part], LIP_EXPECTED[part])
        _, _, mean, low, high = posterior(LIP_OBSERVED[part], LIP_EXPECTED[part], prior)
        np.testing.assert_allclose(smoothing.mean[part], mean, rtol=1e-12)
        np.testing.assert_allclose(smoothing.high[part], high, rtol=1e-12)
        assert smoothing.regions[name].prior == prior
    assert smoothing.regions["north"].prior.mean > smoothing.regions["south"].prior.mean


def test_a_small_region_keeps_its_mean_with_the_pooled_spread():
    regions = ["big"] * 52 + ["small"] * 4
    smoothing = smooth_by_region(LIP_OBSERVED, LIP_EXPECTED, regions)
    pooled = marshall_moments(LIP_OBSERVED, LIP_EXPECTED)
    small = smoothing.regions["small"]
    assert small.source == "pooled spread"
    small_mean = sum(LIP_OBSERVED[52:]) / sum(LIP_EXPECTED[52:])
    assert small.prior.mean == pytest.approx(small_mean)
    cv2 = pooled.variance / pooled.mean**2
    assert small.prior.variance == pytest.approx(cv2 * small_mean**2)


def test_a_region_without_events_takes_the_pooled_prior():
    cases = [5, 9, 12, 20, 3, 0, 0, 0, 0, 0]
    at_risk = [1000, 2000, 1500, 3000, 800, 500, 700, 400, 900, 600]
    regions = ["a"] * 5 + ["b"] * 5
    smoothing = smooth_by_region(cases, at_risk, regions)
    assert smoothing.regions["b"].source == "all regions"
    assert smoothing.regions["b"].prior == marshall_moments(cases, at_risk)
    assert np.all(smoothing.mean[5:] > 0)


def test_the_maximum_likelihood_estimator_can_be_chosen_per_region():
    smoothing = smooth_by_region(LIP_OBSERVED, LIP_EXPECTED, ["s"] * 56, estimator="ml")
    np.testing.assert_allclose(
        smoothing.mean, REFERENCE["lip"]["clayton_kaldor"]["smoothed"], rtol=1e-6
    )


def test_no_events_at_all_is_reported_not_smoothed():
    with pytest.raises(NoEvents, match="no events"):
        smooth_by_region([0, 0, 0], [10, 20, 30], ["a", "a", "a"])


@pytest.mark.parametrize(
    ("cases", "at_risk", "regions", "message"),
    [
        ([1, 2], [10], ["a", "a"], "cases has 2 values but at_risk has 1"),
        ([1, -2], [10, 10], ["a", "a"], r"cases\[1\] is negative"),
        ([1, 2], [10, 0], ["a", "a"], r"at_risk\[1\] is 0"),
        ([1, float("nan")], [10, 10], ["a", "a"], r"cases\[1\] is nan"),
        ([1, 2], [10, 10], ["a"], "regions has 1 values but there are 2"),
        ([], [], [], "No communities"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_it(cases, at_risk, regions, message):
    with pytest.raises(SmoothingError, match=message):
        smooth_by_region(cases, at_risk, regions)


def test_unknown_estimator_and_confidence_are_refused():
    with pytest.raises(SmoothingError, match="estimator must be one of moments, ml"):
        smooth_by_region([1, 2], [10, 10], ["a", "a"], estimator="bayes")
    with pytest.raises(SmoothingError, match="confidence must be between 0 and 1"):
        posterior([1], [10], GammaPrior(0.1, 0.01), confidence=95)
