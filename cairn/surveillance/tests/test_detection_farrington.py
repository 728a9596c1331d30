"""Farrington flexible and classic Farrington against R surveillance 1.20.3.

The fixtures (cairn/surveillance/tests/fixtures/farrington/) were written by
scripts/reference/farrington_fixtures.R: R's upper bounds, alarms, fitted means, p-values and
trend decisions for series shipped with `surveillance` and for constructed series, with the
default control and with each option. No database is needed.
"""

import csv
import functools
from pathlib import Path

import numpy as np
import pytest

from cairn.surveillance.detection import DetectionParameterError, detect
from cairn.surveillance.detection.farrington import (
    farrington_classic,
    farrington_classic_many,
    farrington_flexible,
    farrington_flexible_many,
)
from cairn.surveillance.detection.glm import GroupDesign, fit_poisson

FIXTURES = Path(__file__).parent / "fixtures" / "farrington"
RELATIVE = 1e-4


def _number(text: str) -> float:
    return np.nan if text in ("NA", "NaN", "") else float(text)


@functools.cache
def _series() -> dict[str, dict]:
    grouped: dict[str, dict] = {}
    with open(FIXTURES / "farrington_series.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            entry = grouped.setdefault(
                row["series"], {"y": [], "dates": [], "population": [], "freq": int(row["freq"])}
            )
            entry["y"].append(float(row["observed"]))
            entry["dates"].append(row["date"])
            entry["population"].append(row["population"])
    series = {}
    for name, entry in grouped.items():
        series[name] = {
            "y": np.array(entry["y"]),
            "dates": np.array(entry["dates"], dtype="datetime64[D]") if entry["dates"][0] else None,
            "population": (
                np.array([float(p) for p in entry["population"]])
                if entry["population"][0]
                else None
            ),
            "freq": entry["freq"],
        }
    return series


@functools.cache
def _cases() -> dict[int, dict]:
    with open(FIXTURES / "farrington_cases.csv", newline="") as handle:
        cases = {int(row["case"]): row for row in csv.DictReader(handle)}
    with open(FIXTURES / "farrington_results.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            cases[int(row["case"])].setdefault("results", []).append(row)
    return cases


def _params(text: str) -> dict:
    params = {}
    for item in filter(None, text.split(";")):
        name, _, value = item.partition("=")
        if value in ("TRUE", "FALSE"):
            params[name] = value == "TRUE"
        elif "," in value:
            params[name] = tuple(int(v) for v in value.split(","))
        else:
            try:
                number = float(value)
                params[name] = int(number) if number == int(number) else number
            except ValueError:
                params[name] = value
    return params


def _run_case(case: dict):
    series = _series()[case["series"]]
    params = _params(case["params"])
    function = farrington_flexible if case["method"] == "flexible" else farrington_classic
    return function(
        series["y"],
        freq=series["freq"],
        dates=series["dates"] if case["dates"] == "TRUE" else None,
        population=series["population"],
        range=np.arange(int(case["first"]), int(case["last"]) + 1),
        **params,
    )


def _assert_close(name, ours, theirs, t, *, absolute=0.0):
    both_missing = np.isnan(ours) & np.isnan(theirs)
    close = np.isclose(ours, theirs, rtol=RELATIVE, atol=absolute) | both_missing
    if not close.all():
        i = int(np.flatnonzero(~close)[0])
        raise AssertionError(
            f"{name} at t={t[i]}: ours {ours[i]!r}, R {theirs[i]!r} "
            f"({np.count_nonzero(~close)} of {close.size} differ)"
        )


CASE_IDS = sorted(_cases())


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_farrington_matches_r(case_id):
    case = _cases()[case_id]
    if case["error"]:
        with pytest.raises(DetectionParameterError):
            _run_case(case)
        return
    result = _run_case(case)
    rows = case["results"]
    t = np.array([int(r["t"]) for r in rows])
    index = t - 1
    upper = np.array([_number(r["upperbound"]) for r in rows])
    expected = np.array([_number(r["expected"]) for r in rows])
    p_value = np.array([_number(r["p_value"]) for r in rows])
    alarm = np.array([r["alarm"] == "TRUE" for r in rows])
    if case["method"] == "flexible":
        # where farringtonFlexible has no model (no p-value), control$expected keeps the 0
        # it was initialised with; Cairn has no expected value there
        expected[np.isnan(p_value) & (expected == 0)] = np.nan

    _assert_close("upperbound", result.upperbound[index], upper, t)
    _assert_close("expected", result.expected[index], expected, t)
    # classic: R stores the lower tail; 1 - it is only good to about 1e-16 absolute
    _assert_close("p_value", result.p_value[index], p_value, t, absolute=1e-12)
    mismatched = np.flatnonzero(result.alarm[index] != alarm)
    assert mismatched.size == 0, f"alarms differ at t={t[mismatched].tolist()}"

    assert result.defined[index].all()
    outside = np.setdiff1d(np.arange(result.alarm.size), index)
    assert not result.defined[outside].any()
    assert not result.alarm[outside].any()
    assert np.isnan(result.upperbound[outside]).all()


def test_fixtures_cover_the_options():
    cases = _cases().values()
    params = {name for case in cases for name in _params(case["params"])}
    assert {
        "thresholdMethod",
        "noPeriods",
        "pastWeeksNotIncluded",
        "populationOffset",
        "trend",
        "alpha",
        "b",
        "w",
        "powertrans",
        "reweight",
        "weightsThreshold",
        "pThresholdTrend",
        "limit54",
        "fitFun",
    } <= params
    assert sum(len(case.get("results", [])) for case in cases) > 10_000
    alarms = sum(r["alarm"] == "TRUE" for case in cases for r in case.get("results", []))
    assert alarms > 100


# The batched helper -------------------------------------------------------------------------------


def test_many_series_at_once_equal_one_at_a_time():
    series = _series()
    names = ["salmonella.agona", "influMen_influenza", "fluBYBW_1"]
    Y = np.stack([series[name]["y"][:290] for name in names] + [np.zeros(290)])
    for many, one in (
        (farrington_flexible_many, farrington_flexible),
        (farrington_classic_many, farrington_classic),
    ):
        together = many(Y, thresholdMethod="nbPlugin") if one is farrington_flexible else many(Y)
        for row, result in zip(Y, together, strict=True):
            alone = one(row, thresholdMethod="nbPlugin") if one is farrington_flexible else one(row)
            np.testing.assert_array_equal(result.alarm, alone.alarm)
            np.testing.assert_allclose(result.upperbound, alone.upperbound, rtol=1e-12)
            np.testing.assert_allclose(result.expected, alone.expected, rtol=1e-12)


# Behaviour and parameters ------------------------------------------------------------------------


def test_detect_runs_both_methods_by_name():
    y = _series()["salmonella.agona"]["y"]
    flexible = detect("farrington-flexible", y, b=3, w=2)
    classic = detect("farrington", y, alpha=0.01)
    assert flexible.defined.sum() == 312 - (52 * 3 + 2)
    assert classic.defined.sum() == 312 - (52 * 5 - 3) + 1


def test_parameters_given_as_text_like_the_command_line():
    y = _series()["salmonella.agona"]["y"]
    typed = farrington_flexible(y, b=4, limit54=(3, 2), trend=False, alpha=0.01)
    text = farrington_flexible(y, b="4", limit54="c(3,2)", trend="FALSE", alpha="0.01")
    np.testing.assert_array_equal(typed.upperbound, text.upperbound)
    ranged = farrington_flexible(y, range="300:312")
    assert np.flatnonzero(ranged.defined).tolist() == list(np.arange(299, 312))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"thresholdMethod": "poisson"}, "thresholdMethod"),
        ({"powertrans": "3/4"}, "powertrans"),
        ({"alpha": 1.5}, "alpha"),
        ({"b": 0}, "b must be"),
        ({"limit54": (5,)}, "limit54"),
        ({"limit54": (5, 0)}, "limit54 periods"),
        ({"populationOffset": True}, "population"),
        ({"range": [1, 2, 3]}, "reference"),
        ({"range": [400]}, "range"),
        ({"noPeriods": 60}, "noPeriods"),
        ({"trend": "maybe"}, "trend"),
        ({"fitFun": "glm"}, "fitFun"),
    ],
)
def test_invalid_flexible_parameters_are_named(params, message):
    y = _series()["salmonella.agona"]["y"]
    with pytest.raises(DetectionParameterError, match=message):
        farrington_flexible(y, **params)


def test_a_spike_after_quiet_years_raises_an_alarm():
    rng = np.random.default_rng(11)
    y = rng.poisson(4, size=312).astype(float)
    y[300] = 30
    for method in (farrington_flexible, farrington_classic):
        result = method(y)
        assert result.alarm[300]
        assert result.upperbound[300] < 30
        assert result.expected[300] == pytest.approx(4, rel=0.3)
        assert result.p_value[300] < 1e-6


def test_too_few_recent_cases_leave_no_bound_but_an_expected_value():
    y = np.zeros(312)
    y[::7] = 1  # about one case in four weeks: below limit54 = (5 cases, 4 weeks)
    flexible = farrington_flexible(y)
    classic = farrington_classic(y)
    monitored = flexible.defined
    assert np.isnan(flexible.upperbound[monitored]).all()
    assert np.isfinite(flexible.expected[monitored]).all()
    assert (classic.upperbound[classic.defined] == 0).all()  # algo.farrington's 0
    assert not flexible.alarm.any() and not classic.alarm.any()


def test_unknown_parameter_is_refused_by_detect():
    with pytest.raises(DetectionParameterError, match="weightsThreshold"):
        detect("farrington", np.ones(300), weightsThreshold=2)


def test_series_too_short_for_the_default_range():
    with pytest.raises(DetectionParameterError, match="default range"):
        farrington_flexible(np.ones(200))


def test_dates_need_a_calendar_frequency():
    dates = np.datetime64("2018-01-01") + np.arange(300) * 7
    with pytest.raises(DetectionParameterError, match="freq"):
        farrington_flexible(np.ones(300), freq=53, dates=dates)


def test_dates_missing_a_reference_week_are_refused():
    dates = np.datetime64("2018-01-01") + np.arange(300) * 7
    dates[10:] += 3  # weeks no longer fall on the same weekday a year back
    with pytest.raises(DetectionParameterError, match="reference time points"):
        farrington_flexible(np.ones(300), dates=dates)


# glm.py -------------------------------------------------------------------------------------------


@functools.cache
def _glm_problems() -> list[dict]:
    grouped: dict[int, list[dict]] = {}
    with open(FIXTURES / "farrington_glm.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            grouped.setdefault(int(row["problem"]), []).append(row)
    return [grouped[key] for key in sorted(grouped)]


@pytest.mark.parametrize("problem", np.arange(40))
def test_glm_matches_r_glm(problem):
    rows = _glm_problems()[problem]
    column = {
        name: np.array([_number(r[name]) for r in rows]) for name in rows[0] if name != "converged"
    }
    n = len(rows)
    design = GroupDesign(np.zeros((1, n), dtype=int), column["x"][None], 1)
    y = column["y"][None, None]
    fit = fit_poisson(
        design, y, weights=column["weight"][None, None], offset=column["offset"][None, None]
    )
    dispersion = fit.dispersion(y)
    assert fit.iterations[0, 0] == int(column["iter"][0])
    assert fit.converged[0, 0] == (rows[0]["converged"] == "TRUE")
    np.testing.assert_allclose(fit.fitted[0, 0], column["mu"], rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(fit.hat_values(design)[0, 0], column["hat"], rtol=1e-7, atol=1e-15)
    # R's intercept is the level at x = 0
    intercept = fit.levels[0, 0, 0]
    np.testing.assert_allclose(
        [intercept, fit.slope[0, 0]],
        [column["coef0"][0], column["coef1"][0]],
        rtol=1e-7,
        atol=1e-10,
    )
    np.testing.assert_allclose(dispersion[0, 0], column["dispersion"][0], rtol=1e-9)
    _, intercept_variance = fit.predict(np.zeros(1, dtype=int), np.zeros(1))
    se = np.sqrt(
        np.array([intercept_variance[0, 0], fit.slope_variance()[0, 0]]) * dispersion[0, 0]
    )
    np.testing.assert_allclose(se, [column["se0"][0], column["se1"][0]], rtol=1e-7)


def test_glm_agrees_with_statsmodels_with_groups_and_a_slope():
    # imported here: statsmodels.api takes seconds to import
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    rng = np.random.default_rng(7)
    K, S, n, G = 4, 15, 40, 3
    groups = rng.integers(0, G, size=(K, n))
    groups[:, :G] = np.arange(G)  # every group present
    time = rng.normal(size=(K, n))
    levels = rng.normal(1.0, 0.4, size=(K, S, G))
    slope = rng.normal(0, 0.3, size=(K, S))
    offset = rng.normal(scale=0.1, size=(K, S, n))
    eta = (
        np.take_along_axis(levels, groups[:, None, :].repeat(S, 1), 2)
        + slope[..., None] * time[:, None]
    )
    y = rng.poisson(np.exp(eta + offset)).astype(float)
    weights = rng.uniform(0.2, 2, size=(K, S, n))
    # a tight tolerance so both sides are at the optimum (R's own 1e-8 stops a step earlier)
    fit = fit_poisson(
        GroupDesign(groups, time, G), y, weights=weights, offset=offset, epsilon=1e-14, maxit=100
    )
    dispersion = fit.dispersion(y)
    for k in np.arange(K):
        X = np.column_stack([groups[k] == g for g in np.arange(G)] + [time[k]]).astype(float)
        for s in np.arange(S):
            reference = GLM(
                y[k, s],
                X,
                family=families.Poisson(),
                var_weights=weights[k, s],
                offset=offset[k, s],
            ).fit(scale="X2", tol=1e-14, maxiter=100)
            ours = np.append(fit.levels[k, s], fit.slope[k, s])
            np.testing.assert_allclose(ours, reference.params, rtol=1e-9, atol=1e-12)
            # R's and our dispersion use the weights of the step before the last (see glm.py)
            np.testing.assert_allclose(dispersion[k, s], reference.scale, rtol=1e-6)
            slope_se = np.sqrt(fit.slope_variance()[k, s] * dispersion[k, s])
            np.testing.assert_allclose(slope_se, reference.bse[-1], rtol=1e-6)
            variance = reference.cov_params()[0, 0] / reference.scale
            _, ours_variance = fit.predict(np.array([0] * K), np.zeros(K))
            np.testing.assert_allclose(ours_variance[k, s], variance, rtol=1e-6)


def test_glm_zero_weight_rows_are_left_out():
    rng = np.random.default_rng(3)
    time = rng.normal(size=30)
    y = rng.poisson(3, size=30).astype(float)
    weights = np.ones(30)
    weights[20:] = 0
    padded = fit_poisson(
        GroupDesign(np.zeros((1, 30), dtype=int), time[None], 1),
        y[None, None],
        weights=weights[None, None],
    )
    short = fit_poisson(
        GroupDesign(np.zeros((1, 20), dtype=int), time[None, :20], 1), y[None, None, :20]
    )
    np.testing.assert_allclose(padded.levels, short.levels, rtol=1e-12)
    np.testing.assert_allclose(padded.slope, short.slope, rtol=1e-12)
    assert padded.df_residual[0, 0] == short.df_residual[0, 0] == 18
    np.testing.assert_allclose(
        padded.dispersion(y[None, None]), short.dispersion(y[None, None, :20])
    )


def test_glm_all_zero_counts_converge_like_r():
    # R: glm(rep(0, 35) ~ x, quasipoisson) converges after 24 iterations; with 240 rows it
    # needs more than 25 and does not converge
    for n, iterations, converged in ((35, 24, True), (240, 25, False)):
        design = GroupDesign(np.zeros((1, n), dtype=int), np.arange(n, dtype=float)[None], 1)
        fit = fit_poisson(design, np.zeros((1, 1, n)))
        assert fit.iterations[0, 0] == iterations
        assert fit.converged[0, 0] == converged
