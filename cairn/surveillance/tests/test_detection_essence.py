"""ESSENCE detectors (Rnssp alert_ewma, alert_regression, alert_switch).

Rnssp cannot be installed here (no CRAN), so these check Cairn against the published
formulas (SURVEILLANCE.md 2.1) and their numeric anchors (2.3): a plain scalar
re-derivation of each day, statsmodels OLS for the regression, and behaviour.
"""

import datetime
import math
import statistics

import numpy as np
import pytest
import statsmodels.api as sm
from scipy.stats import t as student_t

from cairn.surveillance.detection import DetectionParameterError, detect
from cairn.surveillance.detection.essence import ewma_sigma_terms, regression_sigma_terms

START = datetime.date(2024, 1, 1)  # a Monday


def days(n, start=START):
    return [start + datetime.timedelta(days=i) for i in range(n)]


def poisson_series(n, mean=12.0, seed=7, weekday_effect=None):
    rng = np.random.default_rng(seed)
    lam = np.full(n, mean)
    if weekday_effect is not None:
        dow = np.array([d.isoweekday() for d in days(n)])
        lam = lam * np.asarray(weekday_effect)[dow - 1]
    return rng.poisson(lam).astype(float)


# -- numeric anchors --------------------------------------------------------------------


def test_ewma_constants_match_the_anchors_at_n28_g2():
    assert round(float(student_t.ppf(0.95, 27)), 5) == 1.70329
    assert round(float(student_t.ppf(0.99, 27)), 5) == 2.47266
    corr, min_sigma, const = ewma_sigma_terms(28, 2, 0.4)
    assert (round(float(corr), 6), round(float(min_sigma), 6), round(float(const), 6)) == (
        0.519890,
        0.006576,
        0.065713,
    )
    corr, min_sigma, const = ewma_sigma_terms(28, 2, 0.9)
    assert (round(float(corr), 6), round(float(min_sigma), 6), round(float(const), 6)) == (
        0.924026,
        0.005548,
        0.156516,
    )


def test_regression_sigma_terms_match_the_anchors_at_n28():
    inflation, floor = regression_sigma_terms(28)
    assert round(inflation, 6) == 1.195229
    assert round(floor, 6) == 0.005798


# -- EWMA re-derived day by day ---------------------------------------------------------


def scalar_ewma(y, B=28, g=2, w1=0.4, w2=0.9):
    """Rnssp's EWMA written out per day, straight from SURVEILLANCE.md 2.1."""
    n = len(y)
    z = {w1: [y[0]], w2: [y[0]]}
    for i in range(1, 7 + g):  # 1-based days 2 .. 7+g: smoothing only
        for w in (w1, w2):
            z[w].append(w * y[i] + (1 - w) * z[w][-1])
    out = {}
    for i in range(7 + g, n):  # 1-based day i+1 >= 7+g+1
        day = i + 1
        lo, hi = max(1, day - g - B), day - g - 1
        base = y[lo - 1 : hi]
        m = len(base)
        nu = m - 1
        mu, s = statistics.mean(base), statistics.stdev(base)
        ucl_alert = round(student_t.ppf(0.99, nu), 5)
        ucl_warn = round(student_t.ppf(0.95, nu), 5)
        ps, stats = [], []
        for w in (w1, w2):
            corr = math.sqrt(w / (2 - w) + 1 / m - 2 * (1 - w) ** (g + 1) * (1 - (1 - w) ** m) / m)
            min_sigma = (w / ucl_warn) * (0.01 + 0.05 * (1 - w) ** 2)
            const = (0.1289 - (0.2414 - 0.1826 * (1 - w) ** 4) * math.log(0.5)) * (w / ucl_warn)
            sigma = max(min_sigma, s * corr + const)
            zi = w * y[i] + (1 - w) * z[w][-1]
            stat = (zi - mu) / sigma
            if abs(stat) > ucl_alert:
                zi = mu + math.copysign(ucl_alert, stat) * sigma
            z[w].append(zi)
            stats.append(stat)
            ps.append(1 - student_t.cdf(stat, nu))
        out[i] = (ps[0] if ps[0] < ps[1] else ps[1], mu)
    return out


def test_ewma_matches_a_scalar_re_derivation_every_day():
    y = poisson_series(120).tolist()
    y[60] = 40.0  # a spike, to exercise the damping of the smoothed values
    y[61] = 35.0
    result = detect("ewma", y, freq=365)
    reference = scalar_ewma(y)
    assert result.defined.tolist() == [False] * 9 + [True] * 111
    for i, (p, mu) in reference.items():
        assert result.p_value[i] == pytest.approx(p, rel=1e-9, abs=1e-14)
        assert result.expected[i] == pytest.approx(mu, rel=1e-12)


def test_ewma_with_other_parameters_matches_the_re_derivation():
    y = poisson_series(80, mean=3, seed=3).tolist()
    result = detect("ewma", y, freq=7, B=14, g=0, w1=0.3, w2=0.8)
    reference = scalar_ewma(y, B=14, g=0, w1=0.3, w2=0.8)
    assert min(reference) == 7
    for i, (p, _) in reference.items():
        assert result.p_value[i] == pytest.approx(p, rel=1e-9, abs=1e-14)


def test_ewma_levels_and_alarm_follow_p():
    y = poisson_series(100).tolist()
    y[70] = 45.0
    result = detect("ewma", y, freq=365)
    p = result.p_value
    assert result.level[70] == "red" and result.alarm[70]
    for i in range(100):
        if not result.defined[i]:
            assert result.level[i] == "grey" and not result.alarm[i]
        elif p[i] < 0.01:
            assert result.level[i] == "red"
        elif p[i] < 0.05:
            assert result.level[i] == "yellow"
        else:
            assert result.level[i] == "blue" and not result.alarm[i]


def test_ewma_flat_series_is_blue_and_a_spike_is_red():
    flat = [6.0] * 60
    result = detect("ewma", flat, freq=365)
    assert set(result.level[9:]) == {"blue"}
    assert result.p_value[9:] == pytest.approx(0.5)  # the smoothed value equals the mean
    spiked = list(flat)
    spiked[50] = 12.0
    assert detect("ewma", spiked, freq=365).level[50] == "red"


def test_ewma_upperbound_is_the_count_where_p_is_0_05():
    y = poisson_series(90).tolist()
    result = detect("ewma", y, freq=365)
    for i in (9, 20, 40, 89):
        moved = list(y)
        moved[i] = float(result.upperbound[i])
        assert detect("ewma", moved, freq=365).p_value[i] == pytest.approx(0.05, rel=1e-9)
        moved[i] += 1e-6
        assert detect("ewma", moved, freq=365).alarm[i]


def test_ewma_rescales_a_series_of_proportions_like_rnssp():
    rng = np.random.default_rng(11)
    proportions = rng.uniform(0.01, 0.2, 70)
    scale = float(np.median(proportions))
    scaled = detect("ewma", proportions / scale, freq=365)
    result = detect("ewma", proportions, freq=365)
    np.testing.assert_allclose(result.p_value[9:], scaled.p_value[9:], rtol=1e-12)
    np.testing.assert_allclose(result.expected[9:], scaled.expected[9:] * scale, rtol=1e-12)
    np.testing.assert_allclose(result.upperbound[9:], scaled.upperbound[9:] * scale, rtol=1e-12)


# -- regression re-derived with statsmodels ---------------------------------------------


def statsmodels_day(y, dates, i, B=28, g=2):
    """p, forecast, adjusted R^2 for 0-based day i, fitted by statsmodels OLS."""
    day = i + 1
    hi = day - g - 1
    lo = max(1, hi - B + 1)
    base = np.asarray(y[lo - 1 : hi])
    n = len(base)
    base_days = dates[lo - 1 : hi]
    x = np.column_stack(
        [np.arange(1, n + 1)]
        + [[1.0 if d.isoweekday() == k else 0.0 for d in base_days] for k in range(1, 7)]
    )
    fit = sm.OLS(base, sm.add_constant(x)).fit()
    df = n - 8
    assert fit.df_resid == df
    sigma = max(
        math.sqrt(fit.mse_resid) * math.sqrt((n + 7) * (n - 4) / (n * (n - 7))),
        0.01 / round(student_t.ppf(0.95, df), 5),
    )
    dow = dates[i].isoweekday()
    forecast = fit.params[0] + fit.params[1] * (n + g + 1) + (fit.params[dow + 1] if dow < 7 else 0)
    forecast = max(0.0, forecast)
    p = 1 - student_t.cdf((y[i] - forecast) / sigma, df)
    return p, forecast, fit.rsquared_adj, forecast + student_t.ppf(0.95, df) * sigma


def test_regression_matches_statsmodels_every_day():
    n = 100
    dates = days(n)
    y = poisson_series(n, weekday_effect=[1.3, 1.1, 1, 1, 1.2, 0.7, 0.6], seed=5)
    y += np.arange(n) * 0.1  # a trend
    y = np.round(y).tolist()
    result = detect("regression", y, dates=dates, freq=365)
    assert result.defined.tolist() == [False] * 13 + [True] * 87  # first test day 11+g+1
    for i in range(13, n):
        p, forecast, _, bound = statsmodels_day(y, dates, i)
        assert result.p_value[i] == pytest.approx(p, rel=1e-7, abs=1e-12)
        assert result.expected[i] == pytest.approx(forecast, rel=1e-9, abs=1e-9)
        assert result.upperbound[i] == pytest.approx(bound, rel=1e-9)


def test_regression_flat_series_is_blue_and_a_spike_is_red():
    dates = days(60)
    flat = [10.0] * 60
    result = detect("regression", flat, dates=dates, freq=365)
    assert set(result.level[13:]) == {"blue"}
    assert result.expected[13:] == pytest.approx(10.0)
    spiked = list(flat)
    spiked[45] = 14.0
    result = detect("regression", spiked, dates=dates, freq=365)
    assert result.level[45] == "red" and result.alarm[45]


def test_regression_needs_dates_and_daily_counts():
    y = [5.0] * 40
    with pytest.raises(DetectionParameterError, match="needs the date of every count"):
        detect("regression", y, freq=365)
    with pytest.raises(DetectionParameterError, match="for daily counts"):
        detect("regression", y, dates=days(40), freq=52)
    with pytest.raises(DetectionParameterError, match="expected 40 dates"):
        detect("regression", y, dates=days(39), freq=365)
    backwards = days(40)
    backwards[10], backwards[11] = backwards[11], backwards[10]
    with pytest.raises(DetectionParameterError, match="at t=12 does not come after"):
        detect("regression", y, dates=backwards, freq=365)


def test_regression_post_filter_drops_an_alert_below_the_7_day_mean_on_a_weekday():
    # Weekdays ~10, weekends ~50. A Wednesday of 20 is far above its forecast (red by
    # p) but below the 7-day mean, which the weekend lifts: the filter turns it blue.
    n = 70
    dates = days(n)
    rng = np.random.default_rng(2)
    y = [(50.0 if d.isoweekday() >= 6 else 10.0) + float(rng.integers(-1, 2)) for d in dates]
    wednesday = next(i for i in range(50, n) if dates[i].isoweekday() == 3)
    y[wednesday] = 20.0
    result = detect("regression", y, dates=dates, freq=365)
    assert result.p_value[wednesday] < 0.01
    assert y[wednesday] < statistics.mean(y[wednesday - 6 : wednesday + 1])
    assert result.level[wednesday] == "blue" and not result.alarm[wednesday]
    y[wednesday] = 40.0  # above the 7-day mean: the alert stays
    assert detect("regression", y, dates=dates, freq=365).level[wednesday] == "red"


def test_regression_post_filter_on_saturday_compares_with_the_last_7_saturdays():
    # Weekdays ~50, weekends 10. A Saturday of 20 is far above its forecast (~10) and
    # below its 7-day mean (~40), so it is a removal candidate; on a weekend it is kept
    # unless it is also below the mean of the last 7 Saturdays (itself included). The two
    # oldest of those lie outside the 28-day regression baseline, so they move that mean
    # without moving the forecast.
    n = 84
    dates = days(n)
    rng = np.random.default_rng(4)
    base = [10.0 if d.isoweekday() >= 6 else 50.0 + float(rng.integers(-1, 2)) for d in dates]
    saturdays = [i for i in range(n) if dates[i].isoweekday() == 6]
    target = saturdays[-1]
    assert target - saturdays[-6] > 2 + 28  # outside the baseline

    def level_with_old_saturdays(old):
        y = list(base)
        y[saturdays[-7]] = y[saturdays[-6]] = old
        y[target] = 20.0
        result = detect("regression", y, dates=dates, freq=365)
        assert result.p_value[target] < 0.01
        assert y[target] < statistics.mean(y[target - 6 : target + 1])
        return result.level[target], statistics.mean(y[i] for i in saturdays[-7:])

    assert level_with_old_saturdays(10.0) == ("red", pytest.approx(80 / 7))
    assert level_with_old_saturdays(40.0) == ("red", 20.0)  # equal to the mean: kept
    assert level_with_old_saturdays(45.0)[0] == "blue"  # below the mean: removed


# -- switch -----------------------------------------------------------------------------


def test_switch_uses_the_regression_where_adjusted_r2_is_at_least_0_60():
    n = 120
    dates = days(n)
    strong = poisson_series(n, mean=40, weekday_effect=[2, 1.6, 1.4, 1.2, 1, 0.4, 0.2], seed=9)
    result = detect("switch", strong, dates=dates, freq=365)
    regression = detect("regression", strong, dates=dates, freq=365)
    ewma = detect("ewma", strong, freq=365)
    for i in range(13, n):
        _, _, adj_r2, _ = statsmodels_day(strong.tolist(), dates, i)
        chosen = regression if adj_r2 >= 0.60 else ewma
        assert result.detector[i] == ("regression" if adj_r2 >= 0.60 else "ewma")
        assert result.p_value[i] == chosen.p_value[i]
        assert result.level[i] == chosen.level[i]
        assert result.upperbound[i] == chosen.upperbound[i]
    assert (result.detector[13:] == "regression").mean() > 0.8
    # Days 10..13 have an EWMA but no regression yet.
    assert result.detector[9:13].tolist() == ["ewma"] * 4
    assert result.p_value[9:13].tolist() == ewma.p_value[9:13].tolist()

    noise = poisson_series(n, mean=3, seed=10)
    result = detect("switch", noise, dates=dates, freq=365)
    assert (result.detector[13:] == "ewma").mean() > 0.8


# -- errors like Rnssp's ----------------------------------------------------------------


@pytest.mark.parametrize(
    "method, n, params, message",
    [
        (
            "ewma",
            30,
            {},
            "not enough historical data for ewma: the series has 30 days, B \\+ g \\+ 1 = 31",
        ),
        ("regression", 30, {}, "not enough historical data"),
        ("switch", 30, {}, "not enough historical data"),
        ("ewma", 60, {"B": 6}, "B \\(baseline length\\) must be at least 7"),
        ("ewma", 60, {"g": -1}, "g \\(guard band\\) cannot be negative"),
        ("regression", 60, {"B": 30}, "must be a multiple of 7"),
        ("switch", 60, {"B": 15}, "must be a multiple of 7"),
        ("regression", 60, {"B": 7}, "must be at least 14 for regression"),
        ("ewma", 60, {"w1": 0}, "w1 must be greater than 0"),
        ("ewma", 60, {"w2": 1.2}, "w2 must be at most 1"),
        ("ewma", 60, {"B": 28.5}, "B must be a whole number"),
        (
            "regression",
            60,
            {"w1": 0.4},
            "unknown parameter 'w1' for regression; valid parameters: B, g",
        ),
    ],
)
def test_bad_parameters_and_short_series(method, n, params, message):
    with pytest.raises(DetectionParameterError, match=message):
        detect(method, [4.0] * n, dates=days(n), freq=365, **params)


def test_smallest_allowed_series_runs():
    result = detect("ewma", [3.0] * 31, freq=365)
    assert result.defined.sum() == 31 - 9
    result = detect("switch", [3.0] * 31, dates=days(31), freq=365)
    assert result.defined.sum() == 31 - 9


def test_regression_with_weekday_only_dates_leaves_the_aliased_weekday_grey():
    # Dates that skip weekends: no Saturday dummy, and Mon..Fri add up to the intercept.
    # As lm.fit, the last aliased coefficient (Friday) is dropped, so Fridays have no
    # forecast (grey) and other days are fitted without the Friday and Saturday terms.
    dates = [d for d in days(120) if d.isoweekday() <= 5]
    n = len(dates)
    rng = np.random.default_rng(8)
    y = rng.poisson([20 + 5 * (d.isoweekday() == 1) for d in dates]).astype(float).tolist()
    result = detect("regression", y, dates=dates, freq=365)
    fridays = [i for i in range(13, n) if dates[i].isoweekday() == 5]
    others = [i for i in range(13, n) if dates[i].isoweekday() != 5]
    assert not result.defined[fridays].any() and set(result.level[fridays]) == {"grey"}
    assert result.defined[others].all()
    for i in others[:10]:
        hi = i - 2
        lo = max(0, hi - 28)
        base_days = dates[lo:hi]
        m = hi - lo
        x = np.column_stack(
            [np.ones(m), np.arange(1, m + 1)]
            + [[1.0 if d.isoweekday() == k else 0.0 for d in base_days] for k in (1, 2, 3, 4)]
        )
        fit = sm.OLS(np.asarray(y[lo:hi]), x).fit()
        dow = dates[i].isoweekday()
        forecast = max(0.0, fit.params[0] + fit.params[1] * (m + 3) + fit.params[1 + dow])
        sigma = max(
            math.sqrt(fit.ssr / (m - 8)) * math.sqrt((m + 7) * (m - 4) / (m * (m - 7))),
            0.01 / round(student_t.ppf(0.95, m - 8), 5),
        )
        assert result.expected[i] == pytest.approx(forecast, rel=1e-9)
        assert result.p_value[i] == pytest.approx(
            1 - student_t.cdf((y[i] - forecast) / sigma, m - 8), rel=1e-7, abs=1e-12
        )
