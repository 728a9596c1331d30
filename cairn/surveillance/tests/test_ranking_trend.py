"""The trend's rate ratio and exact interval against R's poisson.test (two samples)."""

import json
import math
from pathlib import Path

import pytest

from cairn.surveillance.ranking.trend import (
    FALLING,
    NO_CLEAR_CHANGE,
    NO_EVENTS,
    RISING,
    TrendError,
    rate_ratio,
)

REFERENCE = json.loads(
    (Path(__file__).resolve().parents[1] / "ranking" / "reference" / "r_reference.json").read_text()
)


def _number(value):
    return math.inf if value == "Inf" else float(value)


@pytest.mark.parametrize(
    "case", REFERENCE["trend"], ids=lambda c: f"{c['current']}v{c['previous']}"
)
def test_rate_ratio_matches_r_poisson_test(case):
    result = rate_ratio(
        case["current"],
        case["previous"],
        current_at_risk=case["current_population"],
        previous_at_risk=case["previous_population"],
    )
    for name in ("ratio", "low", "high"):
        expected = _number(case[name])
        if math.isinf(expected):
            assert math.isinf(getattr(result, name))
        else:
            assert getattr(result, name) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_the_verdict_reads_the_interval():
    def verdict(current, previous):
        return rate_ratio(current, previous, current_at_risk=1e5, previous_at_risk=1e5).verdict

    assert verdict(60, 30) == RISING
    assert verdict(30, 60) == FALLING
    assert verdict(33, 30) == NO_CLEAR_CHANGE
    assert verdict(4, 1) == NO_CLEAR_CHANGE  # four times the rate, but too few to tell
    assert verdict(0, 0) == NO_EVENTS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 2, 10, 10), "current must be a count"),
        ((1, 2.5, 10, 10), "previous must be a count"),
        ((1, 2, 0, 10), "current_at_risk must be above zero"),
        ((1, 2, 10, -5), "previous_at_risk must be above zero"),
    ],
)
def test_bad_input_is_refused(args, message):
    current, previous, current_at_risk, previous_at_risk = args
    with pytest.raises(TrendError, match=message):
        rate_ratio(
            current,
            previous,
            current_at_risk=current_at_risk,
            previous_at_risk=previous_at_risk,
        )
