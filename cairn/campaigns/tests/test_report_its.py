"""The segmented regression against a published example and against statsmodels.

Reference: Lopez Bernal J, Cummins S, Gasparrini A. Interrupted time series regression for
the evaluation of public health interventions: a tutorial. Int J Epidemiol
2017;46(1):348-355, doi:10.1093/ije/dyw098. Its data (`data/report_sicily_aces.csv`):
monthly acute coronary episodes in Sicily, January 2002 to November 2006, the smoking ban
from January 2005, age-standardized population as the offset; published with the paper
and in the authors' repository github.com/gasparrini/2017_lopezbernal_IJE_codedata
(sicily.csv). The model is statsmodels' Poisson GLM; these tests check that Cairn specifies
it as the tutorial does. The tutorial reports, for the step-change model:

- Poisson, linear trend, no seasonality: rate ratio 0.894 (95% CI 0.865 to 0.925);
- quasi-Poisson with two Fourier pairs over 12 months: 0.885 (0.839 to 0.933).

Both were reproduced with R's own glm() on the same file (R 4.2, `glm(aces ~
offset(log(stdpop)) + smokban + time, family = poisson)`, and with `quasipoisson` and the
two sine/cosine pairs of month), the implementation the tutorial used: 0.894 (0.865-0.925)
and 0.885 (0.839-0.933).
"""

import csv
from pathlib import Path

import numpy as np
import pytest

from cairn.campaigns.its import (
    ItsError,
    describe_fit,
    design_matrix,
    newey_west_covariance,
    newey_west_lags,
    segmented_poisson,
)

DATA = Path(__file__).parent / "data" / "report_sicily_aces.csv"


def _sicily():
    rows = list(csv.DictReader(DATA.open()))
    counts = np.array([int(r["aces"]) for r in rows])
    month = np.array([int(r["month"]) for r in rows])
    ban = np.array([int(r["smokban"]) for r in rows])
    stdpop = np.array([float(r["stdpop"]) for r in rows])
    return counts, month, int(np.argmax(ban == 1)), np.log(stdpop)


def _model_errors_poisson(counts, start, offset):
    """Plain Poisson errors: quasi with the dispersion taken out."""
    fit = segmented_poisson(
        counts, start_index=start, harmonics=0, offset=offset, slope=False, errors="quasi"
    )
    return fit, fit.standard_errors / np.sqrt(fit.dispersion)


def test_step_change_poisson_matches_the_published_rate_ratio():
    counts, _, start, offset = _sicily()
    fit, se = _model_errors_poisson(counts, start, offset)
    i = fit.names.index("level_change")
    b = fit.coefficients[i]
    assert round(np.exp(b), 3) == 0.894
    assert round(np.exp(b - 1.959964 * se[i]), 3) == 0.865
    assert round(np.exp(b + 1.959964 * se[i]), 3) == 0.925


def test_step_change_quasi_poisson_with_seasonality_matches_the_published_interval():
    counts, month, start, offset = _sicily()
    fit = segmented_poisson(
        counts,
        start_index=start,
        year_fraction=month / 12,
        harmonics=2,
        offset=offset,
        slope=False,
        errors="quasi",
    )
    r = fit.level_change
    assert (round(r.value, 3), round(r.low, 3), round(r.high, 3)) == (0.885, 0.839, 0.933)
    assert fit.slope_change is None
    assert fit.periods_before == 36 and fit.periods_after == 23


def test_newey_west_errors_are_the_bartlett_sandwich_without_small_sample_correction():
    counts, month, start, offset = _sicily()
    fit = segmented_poisson(
        counts, start_index=start, year_fraction=month / 12, harmonics=2, offset=offset
    )
    X, _ = design_matrix(len(counts), start, year_fraction=month / 12, harmonics=2)
    by_hand = newey_west_covariance(X, counts.astype(float), fit.fitted, lags=3)
    assert fit.errors == "newey_west" and fit.lags == newey_west_lags(len(counts)) == 3
    assert np.allclose(fit.standard_errors, np.sqrt(np.diag(by_hand)), rtol=1e-6)


def test_counterfactual_continues_the_trend_before_the_start():
    counts, month, start, offset = _sicily()
    fit = segmented_poisson(counts, start_index=start, harmonics=0, offset=offset)
    assert np.allclose(fit.fitted[:start], fit.counterfactual[:start])
    # The level change is the ratio of fitted to counterfactual at the first period after.
    assert fit.fitted[start] / fit.counterfactual[start] == pytest.approx(fit.level_change.value)


def test_a_known_level_change_is_recovered_from_simulated_weekly_counts():
    rng = np.random.default_rng(7)
    n, start = 156, 104
    t = np.arange(n)
    expected = 40 * np.exp(0.002 * t) * np.where(t >= start, 0.8, 1.0)
    fit = segmented_poisson(rng.poisson(expected), start_index=start, harmonics=0)
    assert fit.level_change.low < 0.8 < fit.level_change.high
    assert fit.level_change.high < 1


def test_the_description_says_association_not_proof():
    counts, month, start, offset = _sicily()
    fit = segmented_poisson(counts, start_index=start, year_fraction=month / 12, offset=offset)
    text = describe_fit(fit, outcome="acute coronary episodes", unit="month")
    assert "lower than the trend before it predicted" in text
    assert "not proof" in text
    assert "caused" in text  # only as "not proof that the campaign caused it"


@pytest.mark.parametrize(
    ("counts", "start", "message"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0], 4, "No events"),
        ([1, 2, 3, 4, 5, 6, 7, 8], 0, "start after the first period"),
        ([1, 2, -3, 4, 5, 6, 7, 8], 4, "zero or more"),
        ([1, 2, 3, 4], 2, "too few"),
    ],
)
def test_series_that_cannot_be_modelled_say_why(counts, start, message):
    with pytest.raises(ItsError, match=message):
        segmented_poisson(counts, start_index=start, harmonics=0)
