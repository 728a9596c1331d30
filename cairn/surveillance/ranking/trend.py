"""Trend: the rate in the period against the rate in the period before. Pure scipy.

The rate ratio (current rate ÷ previous rate) with its exact conditional interval:
given the total of both periods' events, the current period's count is binomial with
probability π = RR·P₁ / (RR·P₁ + P₀) (P = person-years), so a Clopper–Pearson interval
for π gives one for RR. This is what R's `poisson.test(c(x1, x0), c(P1, P0))` reports,
and it stays honest with small and zero counts, where a normal approximation does not.

The verdict reads the interval, not the point: "rising" when the whole interval lies
above 1, "falling" when it lies below 1, otherwise "no clear change".
"""

import math
from dataclasses import dataclass

from scipy import stats

RISING = "rising"
FALLING = "falling"
NO_CLEAR_CHANGE = "no clear change"
NO_EVENTS = "no events"


class TrendError(ValueError):
    """Input the trend cannot use; the message says which."""


@dataclass(frozen=True)
class RateRatio:
    ratio: float  # nan when neither period had an event; inf when only the current did
    low: float
    high: float
    verdict: str


def rate_ratio(
    current: int,
    previous: int,
    *,
    current_at_risk: float,
    previous_at_risk: float,
    confidence: float = 0.95,
) -> RateRatio:
    """Current rate over previous rate, with its exact conditional interval and verdict."""
    for name, value in (("current", current), ("previous", previous)):
        if value < 0 or int(value) != value:
            raise TrendError(f"{name} must be a count (0 or more), not {value!r}.")
    for name, value in (
        ("current_at_risk", current_at_risk),
        ("previous_at_risk", previous_at_risk),
    ):
        if not value > 0:
            raise TrendError(f"{name} must be above zero, not {value!r}.")
    if not 0 < confidence < 1:
        raise TrendError(f"confidence must be between 0 and 1, not {confidence!r}.")
    current, previous = int(current), int(previous)
    if current + previous == 0:
        return RateRatio(ratio=math.nan, low=math.nan, high=math.nan, verdict=NO_EVENTS)
    tail = (1 - confidence) / 2
    low_share = 0.0 if current == 0 else float(stats.beta.ppf(tail, current, previous + 1))
    high_share = 1.0 if previous == 0 else float(stats.beta.ppf(1 - tail, current + 1, previous))
    scale = previous_at_risk / current_at_risk

    def to_ratio(share: float) -> float:
        return math.inf if share >= 1 else share / (1 - share) * scale

    ratio = (
        math.inf if previous == 0 else (current / current_at_risk) / (previous / previous_at_risk)
    )
    low, high = to_ratio(low_share), to_ratio(high_share)
    if low > 1:
        verdict = RISING
    elif high < 1:
        verdict = FALLING
    else:
        verdict = NO_CLEAR_CHANGE
    return RateRatio(ratio=ratio, low=low, high=high, verdict=verdict)
