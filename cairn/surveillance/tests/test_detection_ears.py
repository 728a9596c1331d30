"""EARS C1/C2/C3 against R surveillance 1.20.3 earsC output.

The fixtures in fixtures/detection/ears_*.csv were made by scripts/reference/ears_fixtures.R
(datasets shipped with surveillance, the SURVEILLANCE.md 2.3 anchor, constructed series).
"""

import csv
import statistics
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

from cairn.surveillance.detection import DetectionParameterError, detect
from cairn.surveillance.detection.ears import ears_c1, ears_c2, ears_c3

FIXTURES = Path(__file__).parent / "fixtures" / "detection"
ANCHOR = [5, 7, 6, 8, 5, 6, 7, 9, 6, 5, 8, 7, 6, 15, 20, 7, 6, 5, 30, 8]
FUNCTIONS = {"C1": ears_c1, "C2": ears_c2, "C3": ears_c3}


def _read(name):
    with open(FIXTURES / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _load():
    series = defaultdict(list)
    for row in _read("ears_series.csv"):
        series[row["series"]].append(float(row["observed"]))
    results = defaultdict(list)
    for row in _read("ears_results.csv"):
        results[row["case"]].append(row)
    return series, _read("ears_cases.csv"), results


SERIES, CASES, RESULTS = _load()


def _control(case):
    control = {}
    if case["baseline"]:
        control["baseline"] = int(case["baseline"])
    for name in ("minSigma", "alpha"):
        if case[name]:
            control[name] = float(case[name])
    return control


def _case_id(case):
    control = ",".join(f"{k}={v}" for k, v in _control(case).items())
    return f"{case['case']}-{case['series']}-{case['method']}" + (f"-{control}" if control else "")


def test_fixtures_cover_datasets_and_constructed_series():
    assert len(CASES) > 200
    assert sum(len(rows) for rows in RESULTS.values()) > 30_000
    names = {case["series"] for case in CASES}
    assert {"salmonella.agona", "ha_total", "m1", "k1", "abattoir", "anchor"} <= names
    assert {"zeros", "constant", "constant_spikes", "sparse", "noninteger"} <= names
    statuses = {row["alarm"] for rows in RESULTS.values() for row in rows}
    assert statuses == {"TRUE", "FALSE", "NA"}


@pytest.mark.parametrize("case", [c for c in CASES if not c["error"]], ids=lambda c: _case_id(c))
def test_ears_matches_r_earsc(case):
    y = SERIES[case["series"]]
    result = FUNCTIONS[case["method"]](y, **_control(case))
    rows = RESULTS[case["case"]]
    first = int(case["first"]) - 1
    t = np.array([int(row["t"]) for row in rows]) - 1
    assert t.tolist() == list(range(first, len(y)))  # earsC's range: first .. n

    assert not result.defined[:first].any()
    assert np.isnan(result.upperbound[:first]).all()
    r_bound = np.array([float(row["upperbound"]) for row in rows])
    ours = result.upperbound[first:]
    assert np.array_equal(np.isnan(ours), np.isnan(r_bound))
    finite = np.isfinite(r_bound)
    assert np.array_equal(ours[~finite & ~np.isnan(r_bound)], r_bound[~finite & ~np.isnan(r_bound)])
    np.testing.assert_allclose(ours[finite], r_bound[finite], rtol=1e-9, atol=0)

    r_alarm = [row["alarm"] for row in rows]
    ours_alarm = [
        ("TRUE" if alarm else "FALSE") if defined else "NA"
        for alarm, defined in zip(result.alarm[first:], result.defined[first:], strict=True)
    ]
    assert ours_alarm == r_alarm


def test_r_earsc_c3_fails_on_a_single_monitored_point_and_cairn_does_not():
    # earsC's C3 breaks when its range has one point (R drops a matrix dimension);
    # Cairn computes that point with the same formula as for longer series.
    failed = [c for c in CASES if c["error"]]
    assert [(c["series"], c["method"]) for c in failed] == [("short_c3", "C3")]
    y = SERIES["short_c3"]
    assert len(y) == 7 + 5
    short = ears_c3(y)
    longer = ears_c3([*y, 0.0])
    assert short.defined.tolist() == [False] * 11 + [True]
    assert short.upperbound[11] == longer.upperbound[11]
    assert short.alarm[11] == longer.alarm[11]


def test_anchor_series_matches_the_published_table():
    # SURVEILLANCE.md 2.3, upper bounds to 4 decimals and alarm days (1-based).
    table = {
        "C1": (
            8,
            [
                9.7242,
                11.0141,
                10.9792,
                11.2434,
                11.2434,
                11.0141,
                11.0141,
                18.4033,
                27.1303,
                26.9859,
                26.7292,
                27.1678,
                42.0153,
            ],
            [14, 15, 19],
        ),
        "C2": (
            10,
            [
                9.7242,
                11.0141,
                10.9792,
                11.2434,
                11.2434,
                11.0141,
                11.0141,
                18.4033,
                27.1303,
                26.9859,
                26.7292,
            ],
            [14, 15, 19],
        ),
        "C3": (
            12,
            [9.705, 8.9632, 17.9632, 16.4823, 0, 0, 16.1366, 40.9544, 4.3444],
            [15, 16, 17, 20],
        ),
    }
    for method, (first, bounds, alarms) in table.items():
        result = detect(f"ears-{method.lower()}", ANCHOR)
        assert np.round(result.upperbound[first - 1 :], 4).tolist() == bounds
        assert (np.flatnonzero(result.alarm) + 1).tolist() == alarms
        assert result.defined.tolist() == [False] * (first - 1) + [True] * (21 - first)


def test_c1_by_hand():
    reference = ANCHOR[0:7]
    mean, sd = statistics.mean(reference), statistics.stdev(reference)
    result = ears_c1(ANCHOR)
    assert result.expected[7] == pytest.approx(mean, rel=1e-15)
    assert result.upperbound[7] == pytest.approx(mean + norm.ppf(0.999) * sd, rel=1e-14)
    assert result.alarm[7] == (ANCHOR[7] > mean + norm.ppf(0.999) * sd)


def test_c2_uses_a_two_period_guard_band():
    result = ears_c2(ANCHOR, baseline=5, alpha=0.01)
    i = 13  # t = 14, the 15: reference t = 7..11
    reference = ANCHOR[6:11]
    expected = statistics.mean(reference) + norm.ppf(0.99) * statistics.stdev(reference)
    assert result.upperbound[i] == pytest.approx(expected, rel=1e-14)
    assert result.expected[i] == pytest.approx(statistics.mean(reference), rel=1e-15)


def test_c3_as_coded_uses_only_the_two_previous_c2_values():
    # upperbound_t = y_t + sd2_t * (z - excess_{t-1} - excess_{t-2}): the current
    # day's C2 does not enter, so the bound moves with y_t.
    i = 14  # t = 15
    z = norm.ppf(0.975)

    def c2_stats(j):
        reference = ANCHOR[j - 9 : j - 2]
        return statistics.mean(reference), statistics.stdev(reference)

    excess = []
    for j in (i - 1, i - 2):
        mean, sd = c2_stats(j)
        excess.append(max(0.0, (ANCHOR[j] - mean) / sd - 1))
    _, sd = c2_stats(i)
    expected = max(0.0, ANCHOR[i] + sd * (z - sum(excess)))
    result = ears_c3(ANCHOR)
    assert result.upperbound[i] == pytest.approx(expected, rel=1e-13)
    bumped = list(ANCHOR)
    bumped[i] += 10
    assert ears_c3(bumped).upperbound[i] == pytest.approx(expected + 10, rel=1e-13)


def test_c3_alpha_defaults_to_0_025_and_c1_to_0_001():
    assert np.array_equal(
        ears_c3(ANCHOR).upperbound, ears_c3(ANCHOR, alpha=0.025).upperbound, equal_nan=True
    )
    assert np.array_equal(
        ears_c1(ANCHOR).upperbound, ears_c1(ANCHOR, alpha=0.001).upperbound, equal_nan=True
    )
    assert not np.array_equal(
        ears_c3(ANCHOR).upperbound, ears_c3(ANCHOR, alpha=0.001).upperbound, equal_nan=True
    )


def test_zero_reference_sd_gives_the_mean_as_bound_for_c1_and_undefined_c3():
    flat = [4.0] * 20
    c1 = ears_c1(flat)
    assert c1.upperbound[7:].tolist() == [4.0] * 13
    assert not c1.alarm.any()
    c3 = ears_c3(flat)  # C2 = 0/0 = NaN, as in R: no decision
    assert not c3.defined.any()
    assert ears_c3(flat, minSigma=1).defined[12:].all()


def test_minsigma_floors_the_sd():
    sparse = [0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    loose = ears_c1(sparse, minSigma=1)
    reference = sparse[6:13]
    assert statistics.stdev(reference) < 1
    assert loose.upperbound[13] == pytest.approx(statistics.mean(reference) + norm.ppf(0.999))


def test_series_shorter_than_the_first_monitored_point_gives_nothing():
    for function, n in ((ears_c1, 7), (ears_c2, 9), (ears_c3, 11)):
        result = function(list(range(n)))
        assert not result.defined.any() and not result.alarm.any()
        assert np.isnan(result.upperbound).all() and len(result.upperbound) == n
        assert function(list(range(n + 1))).defined.tolist() == [False] * n + [True]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"baseline": 2}, "baseline must be at least 3"),
        ({"baseline": 7.5}, "baseline must be a whole number"),
        ({"baseline": True}, "baseline must be a whole number"),
        ({"minSigma": -1}, "minSigma must be at least 0"),
        ({"alpha": 0}, "alpha must be greater than 0"),
        ({"alpha": 1.5}, "alpha must be less than 1"),
        ({"alpha": "0.05"}, "alpha must be a number"),
        (
            {"limit54": [5, 4]},
            "unknown parameter 'limit54' for ears-c2; valid parameters: baseline, minSigma, alpha",
        ),
    ],
)
def test_bad_parameters_are_named(params, message):
    with pytest.raises(DetectionParameterError, match=message.replace("(", r"\(")):
        detect("ears-c2", ANCHOR, **params)


def test_bad_series_is_named():
    with pytest.raises(DetectionParameterError, match="at t=3 is not a finite number >= 0"):
        detect("ears-c1", [1, 2, -3, 4])
    with pytest.raises(DetectionParameterError, match="one-dimensional"):
        detect("ears-c1", [[1, 2], [3, 4]])
    with pytest.raises(DetectionParameterError, match="unknown detection method 'ears-c4'"):
        detect("ears-c4", ANCHOR)


def test_baseline_as_whole_float_is_accepted():
    assert np.array_equal(
        ears_c1(ANCHOR, baseline=5.0).upperbound,
        ears_c1(ANCHOR, baseline=5).upperbound,
        equal_nan=True,
    )
