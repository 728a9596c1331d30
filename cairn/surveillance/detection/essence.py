"""CDC ESSENCE detectors as CDCgov/Rnssp (v0.3.1) computes them, for daily counts.

- alert_ewma: two exponentially weighted moving averages (w1 for gradual, w2 for sudden
  rises) tested against a baseline of up to B days that ends g days before the test day.
- alert_regression: an adaptive regression on the baseline (linear trend + Mon..Sat
  dummies, Sunday the reference) forecasting the test day, then Rnssp's post-filter that
  drops alerts on low days.
- alert_switch: the regression where its adjusted R^2 >= 0.60, else the EWMA.

Implemented from the published formulas (../shared/SURVEILLANCE.md section 2.1); Rnssp
cannot be installed here, so these are checked against those formulas, its numeric
anchors, independent re-derivations and statsmodels, not against Rnssp output.

Every detector returns, per day: p (one-sided Student t: 1 - pt(T, df)), the level
red (p < 0.01), yellow (0.01 <= p < 0.05), blue (p >= 0.05) or grey (not tested),
expected (the baseline mean for the EWMA, the forecast for the regression), the upper
bound = the count at which p would be exactly 0.05, and alarm = red or yellow.
"""

import math
from functools import lru_cache

import numpy as np
from scipy.special import stdtr, stdtrit

from cairn.surveillance.detection.base import (
    DetectionParameterError,
    DetectionResult,
    as_dates,
    as_observed,
    float_param,
    int_param,
)

DAILY_FREQS = (7, 365)
EWMA_MIN_BASELINE = 7  # the EWMA baseline grows from 7 days to B
REGRESSION_MIN_BASELINE = 11  # the regression baseline grows from 11 days to B
SWITCH_R2 = 0.60
SATURDAY, SUNDAY = 6, 7  # ISO weekday numbers (%u)


def alert_ewma(
    observed, *, B=28, g=2, w1=0.4, w2=0.9, freq=365, dates=None, population=None
) -> DetectionResult:
    """Rnssp alert_ewma. `dates` are optional (checked when given); counts are per day."""
    y = as_observed(observed)
    B, g = _check_common("ewma", y, B, g, freq, regression=False)
    w1 = float_param("w1", w1, minimum=0, maximum=1, open_low=True)
    w2 = float_param("w2", w2, minimum=0, maximum=1, open_low=True)
    if dates is not None:
        as_dates(dates, y.shape[0])
    fit = _ewma(y, B, g, w1, w2)
    return _result(fit["expected"], fit["upperbound"], fit["p"], fit["tested"])


def alert_regression(
    observed, *, B=28, g=2, freq=365, dates=None, population=None
) -> DetectionResult:
    """Rnssp alert_regression (ungrouped), with its post-filter. Needs `dates`."""
    y = as_observed(observed)
    B, g = _check_common("regression", y, B, g, freq, regression=True)
    weekday = _weekdays("regression", dates, y.shape[0])
    fit = _regression(y, weekday, B, g)
    level = _levels(fit["p"])
    _post_filter(level, y, weekday)
    return _result(fit["expected"], fit["upperbound"], fit["p"], fit["tested"], level=level)


def alert_switch(
    observed, *, B=28, g=2, w1=0.4, w2=0.9, freq=365, dates=None, population=None
) -> DetectionResult:
    """Rnssp alert_switch: regression where adjusted R^2 >= 0.60, EWMA elsewhere."""
    y = as_observed(observed)
    B, g = _check_common("switch", y, B, g, freq, regression=True)
    w1 = float_param("w1", w1, minimum=0, maximum=1, open_low=True)
    w2 = float_param("w2", w2, minimum=0, maximum=1, open_low=True)
    weekday = _weekdays("switch", dates, y.shape[0])
    reg = _regression(y, weekday, B, g)
    reg_level = _levels(reg["p"])
    _post_filter(reg_level, y, weekday)
    ewm = _ewma(y, B, g, w1, w2)
    use_reg = reg["adjusted_r2"] >= SWITCH_R2  # NaN (not fitted) compares False
    expected = np.where(use_reg, reg["expected"], ewm["expected"])
    upperbound = np.where(use_reg, reg["upperbound"], ewm["upperbound"])
    p = np.where(use_reg, reg["p"], ewm["p"])
    tested = np.where(use_reg, reg["tested"], ewm["tested"])
    level = np.where(use_reg, reg_level, _levels(ewm["p"]))
    detector = np.full(y.shape[0], "", dtype=object)
    detector[tested & use_reg] = "regression"
    detector[tested & ~use_reg] = "ewma"
    return _result(expected, upperbound, p, tested, level=level, detector=detector)


# -- checks -----------------------------------------------------------------------------


def _check_common(name: str, y: np.ndarray, B, g, freq, *, regression: bool) -> tuple[int, int]:
    if freq not in DAILY_FREQS:
        raise DetectionParameterError(
            f"{name} is an ESSENCE detector for daily counts; the series has freq={freq} "
            "(use freq=365, or --freq day on the command line)."
        )
    B = int_param("B", B)
    if B < 7:
        raise DetectionParameterError(f"B (baseline length) must be at least 7, got {B}.")
    if regression and B % 7 != 0:
        raise DetectionParameterError(f"B (baseline length) must be a multiple of 7, got {B}.")
    if regression and B < 14:
        # Rnssp fails with B = 7: its regression baseline starts at 11 days.
        raise DetectionParameterError(
            f"B (baseline length) must be at least 14 for {name}, whose regression "
            f"baseline starts at {REGRESSION_MIN_BASELINE} days; got {B}."
        )
    g = int_param("g", g)
    if g < 0:
        raise DetectionParameterError(f"g (guard band) cannot be negative, got {g}.")
    if y.shape[0] < B + g + 1:
        raise DetectionParameterError(
            f"not enough historical data for {name}: the series has {y.shape[0]} days, "
            f"B + g + 1 = {B + g + 1} are needed."
        )
    return B, g


def _weekdays(name: str, dates, n: int) -> np.ndarray:
    """ISO weekday numbers (1 = Monday .. 7 = Sunday) of the dates."""
    if dates is None:
        raise DetectionParameterError(
            f"{name} needs the date of every count (its regression has day-of-week terms)."
        )
    days = as_dates(dates, n)
    return (days.astype(np.int64) + 3) % 7 + 1  # 1970-01-01 was a Thursday


# -- Student t --------------------------------------------------------------------------
# scipy.special's stdtr/stdtrit are what scipy.stats.t.cdf/ppf compute, without the
# per-call overhead of the distribution objects; quantiles repeat, so they are cached.


@lru_cache(maxsize=1024)
def _t_quantile(q: float, df: int) -> float:
    return float(stdtrit(df, q))


def _t_quantiles(q: float, df: np.ndarray) -> np.ndarray:
    values, inverse = np.unique(df, return_inverse=True)
    return np.array([_t_quantile(q, int(d)) for d in values.tolist()])[inverse]


def _upper_tail(stat: np.ndarray, df) -> np.ndarray:
    """1 - pt(stat, df), as Rnssp computes p (not the more precise upper tail)."""
    return 1.0 - stdtr(df, stat)


# -- EWMA -------------------------------------------------------------------------------


def _ewma(y: np.ndarray, B: int, g: int, w1: float, w2: float) -> dict:
    n = y.shape[0]
    scale = 1.0
    positive = y[y > 0]
    if y.max() < 1 and positive.size:
        # Rnssp rescales a series of proportions by the median of its positive values.
        scale = float(np.median(positive))
        y = y / scale
    first = EWMA_MIN_BASELINE + g  # 0-based index of the first tested day
    tested = np.zeros(n, dtype=bool)
    tested[first:] = True
    ends = np.arange(first, n) - g  # baseline is y[ends - length : ends]
    lengths = np.minimum(ends, B)
    mu, sd = _window_mean_sd(y, ends - lengths, lengths)
    nu = lengths - 1
    ucl_alert = np.round(_t_quantiles(0.99, nu), 5)
    t95 = _t_quantiles(0.95, nu)

    sigmas, decays = [], []
    for w in (w1, w2):
        corr, min_sigma, const = ewma_sigma_terms(lengths, g, w)
        sigmas.append(np.maximum(min_sigma, sd * corr + const))
        decays.append(1.0 - w)

    # The recursion is sequential: a smoothed value beyond the alert limit is pulled back
    # to it before the next day, so each day depends on the previous one.
    stats, previous = _ewma_recursion(
        y.tolist(),
        first,
        w1,
        w2,
        mu.tolist(),
        sigmas[0].tolist(),
        sigmas[1].tolist(),
        ucl_alert.tolist(),
    )
    p1 = _upper_tail(stats[0], nu)
    p2 = _upper_tail(stats[1], nu)
    p = np.where(p1 < p2, p1, p2)  # ties go to w2, as in Rnssp
    bound = [
        (mu + t95 * sigma - decay * prev) / w
        for sigma, decay, prev, w in zip(sigmas, decays, previous, (w1, w2), strict=True)
    ]
    out_p = np.full(n, np.nan)
    out_p[first:] = p
    expected = np.full(n, np.nan)
    expected[first:] = mu * scale
    upperbound = np.full(n, np.nan)
    upperbound[first:] = np.minimum(bound[0], bound[1]) * scale
    return {"expected": expected, "upperbound": upperbound, "p": out_p, "tested": tested}


def ewma_sigma_terms(length, g: int, w: float):
    """Rnssp's sigma correction, minimum sigma and constant for a baseline of `length` days.

    sigma = max(min_sigma, sd * correction + constant); length may be an array.
    """
    length = np.asarray(length)
    decay = 1.0 - w
    ucl_warning = np.round(_t_quantiles(0.95, np.atleast_1d(length) - 1), 5).reshape(length.shape)
    length = length.astype(np.float64)
    correction = np.sqrt(
        w / (2 - w) + 1 / length - 2 * decay ** (g + 1) * (1 - decay**length) / length
    )
    min_sigma = (w / ucl_warning) * (0.01 + 0.05 * decay**2)
    constant = (0.1289 - (0.2414 - 0.1826 * decay**4) * math.log(10 * 0.05)) * (w / ucl_warning)
    return correction, min_sigma, constant


def _ewma_recursion(y, first, w1, w2, mu, sigma1, sigma2, ucl):
    z1 = z2 = y[0]
    for value in y[1:first]:
        z1 = w1 * value + (1 - w1) * z1
        z2 = w2 * value + (1 - w2) * z2
    m = len(y) - first
    t1, t2, prev1, prev2 = [0.0] * m, [0.0] * m, [0.0] * m, [0.0] * m
    for k in range(m):
        value, mean, limit = y[first + k], mu[k], ucl[k]
        prev1[k], prev2[k] = z1, z2
        z1 = w1 * value + (1 - w1) * z1
        z2 = w2 * value + (1 - w2) * z2
        s1 = (z1 - mean) / sigma1[k]
        s2 = (z2 - mean) / sigma2[k]
        if abs(s1) > limit:
            z1 = mean + math.copysign(limit, s1) * sigma1[k]
        if abs(s2) > limit:
            z2 = mean + math.copysign(limit, s2) * sigma2[k]
        t1[k], t2[k] = s1, s2
    return (np.array(t1), np.array(t2)), (np.array(prev1), np.array(prev2))


# -- regression -------------------------------------------------------------------------


def _regression(y: np.ndarray, weekday: np.ndarray, B: int, g: int) -> dict:
    n = y.shape[0]
    first = REGRESSION_MIN_BASELINE + g
    tests = np.arange(first, n)
    ends = tests - g  # baseline is y[starts:ends]
    lengths = np.minimum(ends, B)
    starts = ends - lengths
    m = tests.shape[0]
    forecast = np.full(m, np.nan)
    sigma = np.full(m, np.nan)
    adjusted_r2 = np.full(n, np.nan)

    for members, length in _windows_by_design(weekday, starts, lengths):
        pattern = weekday[starts[members[0]] : starts[members[0]] + length].astype(np.int8)
        kept, x, solve = _design(length, pattern.tobytes())
        window = y[starts[members, None] + np.arange(length)]
        beta_kept = window @ solve
        fitted = beta_kept @ x.T
        residuals = window - fitted
        rss = np.einsum("ij,ij->i", residuals, residuals)
        centred = fitted - fitted.mean(axis=1, keepdims=True)
        mss = np.einsum("ij,ij->i", centred, centred)
        constant = (window == window[:, :1]).all(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = mss / (rss + mss)
        r2[constant] = np.nan  # a constant baseline has no R^2 (0/0 in exact arithmetic)
        adj = 1 - (1 - r2) * (length - 1) / (length - kept.size)
        adjusted_r2[tests[members]] = np.where(np.isnan(adj), 0.0, adj)

        inflation, floor = regression_sigma_terms(length)
        sigma[members] = np.maximum(np.sqrt(rss / (length - 8)) * inflation, floor)

        beta = np.full((members.size, 8), np.nan)
        beta[:, kept] = beta_kept
        test_days = weekday[tests[members]]
        dow_effect = np.where(
            test_days == SUNDAY, 0.0, beta[np.arange(members.size), np.minimum(test_days, 6) + 1]
        )
        forecast[members] = beta[:, 0] + beta[:, 1] * (length + g + 1) + dow_effect

    forecast = np.maximum(0.0, forecast)  # NaN (weekday not in the baseline) stays NaN
    df = lengths - 8
    expected = np.full(n, np.nan)
    expected[first:] = forecast
    p = np.full(n, np.nan)
    p[first:] = _upper_tail((y[first:] - forecast) / sigma, df)
    upperbound = np.full(n, np.nan)
    upperbound[first:] = forecast + _t_quantiles(0.95, df) * sigma
    return {
        "expected": expected,
        "upperbound": upperbound,
        "p": p,
        "tested": ~np.isnan(p),
        "adjusted_r2": adjusted_r2,
    }


def _windows_by_design(weekday: np.ndarray, starts: np.ndarray, lengths: np.ndarray):
    """Groups of windows (indices into starts) that share length and weekday pattern."""
    if (np.diff(weekday) % 7 == 1).all():
        # Consecutive days (the usual case): the first weekday fixes the pattern.
        codes = lengths * 8 + weekday[starts]
        values, inverse = np.unique(codes, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(values.size + 1))
        for k, code in enumerate(values.tolist()):
            yield order[bounds[k] : bounds[k + 1]], code // 8
        return
    groups: dict[tuple[int, bytes], list[int]] = {}
    weekday8 = weekday.astype(np.int8)
    for k, (start, length) in enumerate(zip(starts.tolist(), lengths.tolist(), strict=True)):
        groups.setdefault((length, weekday8[start : start + length].tobytes()), []).append(k)
    for (length, _), members in groups.items():
        yield np.asarray(members), length


@lru_cache(maxsize=4096)
def _design(length: int, pattern: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kept columns, design matrix and least-squares solver for one baseline shape.

    Columns: intercept, time 1..length, Mon..Sat dummies (Sunday is the reference).
    beta = window @ solver for each window (row) of counts.
    """
    days = np.frombuffer(pattern, dtype=np.int8)
    design = np.zeros((length, 8))
    design[:, 0] = 1.0
    design[:, 1] = np.arange(1, length + 1)
    for d in range(1, 7):
        design[:, 1 + d] = days == d
    kept = _independent_columns(design)
    x = design[:, kept]
    solver = np.linalg.pinv(x).T
    for array in (kept, x, solver):
        array.setflags(write=False)
    return kept, x, solver


def _independent_columns(design: np.ndarray, tol: float = 1e-7) -> np.ndarray:
    """Columns lm.fit keeps: each one not (nearly) a combination of the ones before it.

    With dates that skip days a weekday can be absent from a baseline (an all-zero
    column), or the dummies can add up to the intercept (no Sunday); lm.fit then leaves
    the later column's coefficient NA, and a forecast for that weekday is NA (grey).
    """
    kept: list[int] = []
    basis = np.zeros((design.shape[0], 0))
    for j in range(design.shape[1]):
        column = design[:, j]
        size = np.linalg.norm(column)
        if size == 0:
            continue
        residual = column - basis @ (basis.T @ column)
        if np.linalg.norm(residual) > tol * size:
            kept.append(j)
            basis = np.column_stack([basis, residual / np.linalg.norm(residual)])
    return np.asarray(kept)


def regression_sigma_terms(length: int) -> tuple[float, float]:
    """Rnssp's inflation of the regression's standard error and its floor (df = length - 8).

    sigma = max(sqrt(RSS / df) * inflation, floor).
    """
    inflation = math.sqrt((length + 7) * (length - 4) / (length * (length - 7)))
    floor = 0.01 / round(_t_quantile(0.95, length - 8), 5)
    return inflation, floor


def _post_filter(level: np.ndarray, y: np.ndarray, weekday: np.ndarray) -> None:
    """Rnssp's filter of regression alerts on low days (in place: removed alerts -> blue).

    An alert (red/yellow) on a day whose count is below its right-aligned 7-day mean is
    removed, except on Saturday and Sunday when the count is at least the mean of the
    last 7 counts on that weekday (or fewer than 7 such days exist yet). Rnssp's ungrouped
    path turns removed alerts blue (its grouped path grey). Days that were not tested stay
    grey here (Rnssp's ungrouped path would also turn some of those blue).
    """
    n = y.shape[0]
    if n < 7:
        return
    ma7 = np.full(n, np.nan)
    ma7[6:] = np.lib.stride_tricks.sliding_window_view(y, 7).mean(axis=1)
    alert = (level == "red") | (level == "yellow")
    candidate = alert & (y < np.where(np.isnan(ma7), -np.inf, ma7))
    remove = candidate & (weekday < SATURDAY)
    for day in (SATURDAY, SUNDAY):
        positions = np.flatnonzero(weekday == day)
        if positions.size < 7:
            continue
        same_day_mean = np.lib.stride_tricks.sliding_window_view(y[positions], 7).mean(axis=1)
        at = positions[6:]
        remove[at] |= candidate[at] & (y[at] < same_day_mean)
    level[remove] = "blue"


# -- shared -----------------------------------------------------------------------------


def _window_mean_sd(
    y: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd (n - 1) of y[start : start + length] for each window."""
    mean = np.empty(starts.shape[0])
    sd = np.empty(starts.shape[0])
    for length in np.unique(lengths).tolist():
        at = np.flatnonzero(lengths == length)
        window = y[starts[at, None] + np.arange(length)]
        m = window.mean(axis=1)
        dev = window - m[:, None]
        mean[at] = m
        sd[at] = np.sqrt(np.einsum("ij,ij->i", dev, dev) / (length - 1))
    return mean, sd


def _levels(p: np.ndarray) -> np.ndarray:
    level = np.full(p.shape[0], "grey", dtype=object)
    level[p >= 0.05] = "blue"
    level[(p >= 0.01) & (p < 0.05)] = "yellow"
    level[p < 0.01] = "red"
    return level


def _result(expected, upperbound, p, tested, *, level=None, detector=None) -> DetectionResult:
    if level is None:
        level = _levels(p)
    defined = tested & ~np.isnan(p)
    alarm = defined & ((level == "red") | (level == "yellow"))
    return DetectionResult(
        expected=expected,
        upperbound=upperbound,
        alarm=alarm,
        defined=defined,
        p_value=p,
        level=level,
        detector=detector,
    )
