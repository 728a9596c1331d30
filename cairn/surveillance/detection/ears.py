"""EARS C1, C2 and C3 as R package `surveillance` (1.20.x) `earsC` computes them.

Implemented from the formulas in ../shared/SURVEILLANCE.md section 2.2 and checked against
earsC output (cairn/surveillance/tests/fixtures/detection, scripts/reference/ears_fixtures.R):

- C1: reference = the `baseline` counts before t; upper bound = mean + z * max(sd, minSigma).
- C2: the same on the `baseline` counts ending 3 periods before t (a 2-period guard band).
- C3, as earsC codes it (its help page says otherwise, see docs/detection.md):
  upper bound = y_t + max(sd2_t, minSigma) * (z - max(0, C2_{t-1} - 1) - max(0, C2_{t-2} - 1)),
  clipped below at 0, where C2_i = (y_i - mean2_i) / max(sd2_i, minSigma).
- z = qnorm(1 - alpha), alpha 0.001 for C1/C2 and 0.025 for C3 when not given; sd with n - 1;
  alarm when observed > upper bound (strict).
- Monitoring starts at t = baseline + 1 (C1), + 3 (C2), + 5 (C3), 1-based.
- freq, dates and population are accepted for a common signature and not used.

Where earsC's arithmetic gives NaN (C3 when a reference sd is 0 and minSigma is 0), the
upper bound is NaN and the time point is not defined (earsC's alarm is NA there).
A series too short for the first monitored point gives a result with nothing defined
(earsC stops with an error instead).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import ndtri

from cairn.surveillance.detection.base import (
    DetectionResult,
    as_observed,
    float_param,
    int_param,
)

DEFAULT_ALPHA = {"C1": 0.001, "C2": 0.001, "C3": 0.025}
# Periods between the last reference count and t: 1 for C1, 3 for C2 (guard band of 2).
REFERENCE_LAG = {"C1": 1, "C2": 3, "C3": 3}
# First monitored index (0-based) minus baseline: earsC's default range.
FIRST_OFFSET = {"C1": 0, "C2": 2, "C3": 4}


def ears_c1(
    observed, *, baseline=7, minSigma=0, alpha=None, freq=52, dates=None, population=None
) -> DetectionResult:
    """EARS C1: mean and sd of the `baseline` periods just before t."""
    return _ears("C1", observed, baseline=baseline, minSigma=minSigma, alpha=alpha)


def ears_c2(
    observed, *, baseline=7, minSigma=0, alpha=None, freq=52, dates=None, population=None
) -> DetectionResult:
    """EARS C2: as C1 with a guard band of 2 periods between the reference and t."""
    return _ears("C2", observed, baseline=baseline, minSigma=minSigma, alpha=alpha)


def ears_c3(
    observed, *, baseline=7, minSigma=0, alpha=None, freq=52, dates=None, population=None
) -> DetectionResult:
    """EARS C3 as coded in earsC: C2's bound moved by the two previous C2 excesses."""
    return _ears("C3", observed, baseline=baseline, minSigma=minSigma, alpha=alpha)


def _ears(method: str, observed, *, baseline, minSigma, alpha) -> DetectionResult:
    y = as_observed(observed)
    baseline = int_param("baseline", baseline, minimum=3)
    min_sigma = float_param("minSigma", minSigma, minimum=0)
    if alpha is None:
        alpha = DEFAULT_ALPHA[method]
    alpha = float_param("alpha", alpha, minimum=0, maximum=1, open_low=True, open_high=True)
    z = float(ndtri(1 - alpha))  # qnorm(1 - alpha)

    n = y.shape[0]
    first = baseline + FIRST_OFFSET[method]
    expected = np.full(n, np.nan)
    upperbound = np.full(n, np.nan)
    if n <= first:
        none = np.zeros(n, dtype=bool)
        return DetectionResult(expected, upperbound, none, none.copy())

    mean, sd = _reference_stats(y, baseline, REFERENCE_LAG[method])
    sigma = np.maximum(sd, min_sigma)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "C3":
            c2 = (y - mean) / sigma
            excess = np.maximum(0.0, c2 - 1.0)  # NaN stays NaN, as R's pmax
            lagged = excess[first - 1 : n - 1] + excess[first - 2 : n - 2]
            upperbound[first:] = np.maximum(0.0, y[first:] + sigma[first:] * (z - lagged))
        else:
            upperbound[first:] = mean[first:] + z * sigma[first:]
    expected[first:] = mean[first:]
    defined = ~np.isnan(upperbound)
    alarm = np.zeros(n, dtype=bool)
    alarm[defined] = y[defined] > upperbound[defined]
    return DetectionResult(expected, upperbound, alarm, defined)


def _reference_stats(y: np.ndarray, baseline: int, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd (n - 1) of y[i - lag - baseline + 1 .. i - lag] for every index i.

    NaN where the window would start before the series.
    """
    n = y.shape[0]
    mean = np.full(n, np.nan)
    sd = np.full(n, np.nan)
    start = baseline + lag - 1
    if n > start:
        windows = sliding_window_view(y[: n - lag], baseline)
        window_mean = windows.mean(axis=1)
        mean[start:] = window_mean
        deviations = windows - window_mean[:, None]
        sd[start:] = np.sqrt(np.einsum("ij,ij->i", deviations, deviations) / (baseline - 1))
    return mean, sd
