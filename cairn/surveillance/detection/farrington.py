"""Farrington flexible and classic Farrington, as R package surveillance (1.20.x) computes them.

- farrington_flexible: surveillance::farringtonFlexible (Noufaily et al. 2013 improvements).
- farrington_classic: surveillance::algo.farrington (Farrington et al. 1996).
- farrington_flexible_many / farrington_classic_many: the same over many series that share
  their length and dates (rows of a 2-D array), fitted together, much faster per series.

Implemented from the formulas in ../shared/SURVEILLANCE.md section 2.2 and from reading R's
behaviour, and checked against R output (scripts/reference/farrington_fixtures.R,
cairn/surveillance/tests/fixtures/farrington/); docs/detection-farrington.md explains the
method, the parameters and where R's behaviour is surprising.

For each monitored time point t (R's `range`, 1-based):
1. reference counts b years back, +/- w periods (farrington_design.py);
2. a quasi-Poisson GLM with trend, reweighting and the trend test (farrington_fit.py, glm.py);
3. mu0 = the model's prediction at t; the upper bound from the 2/3-power (or 1/2, none)
   transformation ("delta": Farrington's) or from negative binomial quantiles ("nbPlugin",
   "muan", flexible only);
4. an alarm when y_t exceeds the bound, and (limit54) at least 5 counts in the last 4 periods.

Outputs per time point: expected = mu0 (wherever the model could be fitted), upperbound and
alarm exactly as R (flexible: NaN bound where R gives NA; classic: 0 where there are too few
cases, as R), p_value = P(a count at least as high as y_t) under the method's distribution.
"""

import functools
from dataclasses import dataclass

import numpy as np
from scipy import stats

from cairn.surveillance.detection.base import (
    DetectionParameterError,
    DetectionResult,
    as_observed,
)
from cairn.surveillance.detection.farrington_design import (
    ReferenceDesign,
    classic_design,
    flexible_design,
)
from cairn.surveillance.detection.farrington_fit import (
    FitRules,
    Model,
    Problems,
    fit_models,
)
from cairn.surveillance.detection.farrington_params import (
    choice,
    dates_as_days,
    flag,
    limit54_pair,
    monitored_range,
    number,
    population_matrix,
    power_transform,
    series_matrix,
    whole,
)
from cairn.surveillance.detection.glm import inverse_link

__all__ = [
    "farrington_classic",
    "farrington_classic_many",
    "farrington_flexible",
    "farrington_flexible_many",
]

THRESHOLD_METHODS = ("delta", "nbPlugin", "muan")
FLEXIBLE_FIT = "algo.farrington.fitGLM.flexible"
CLASSIC_FITS = (
    "algo.farrington.fitGLM.fast",
    "algo.farrington.fitGLM",
    "algo.farrington.fitGLM.populationOffset",
)
# Problems fitted together: time points x series x reference counts stays near this many.
BATCH_NUMBERS = 1_500_000


# Public functions ------------------------------------------------------------------------------


def farrington_flexible(
    observed,
    *,
    freq=52,
    dates=None,
    population=None,
    range=None,  # noqa: A002 - R's name
    b=5,
    w=3,
    reweight=True,
    weightsThreshold=2.58,
    alpha=0.05,
    trend=True,
    pThresholdTrend=0.05,
    limit54=(5, 4),
    powertrans="2/3",
    populationOffset=False,
    noPeriods=1,
    pastWeeksNotIncluded=None,
    thresholdMethod="delta",
    fitFun=FLEXIBLE_FIT,
    verbose=False,
    glmWarnings=True,
) -> DetectionResult:
    """surveillance::farringtonFlexible on one series (R's defaults).

    range: 1-based time points to monitor (default (freq*b + w + 1):n). dates: one per count
    (weekly: R's epochAsDate rules); population: one per count, used with populationOffset.
    verbose and glmWarnings are accepted and ignored.
    """
    y = as_observed(observed)
    return farrington_flexible_many(
        y[None, :],
        freq=freq,
        dates=dates,
        population=None if population is None else np.asarray(population)[None, :],
        range=range,
        b=b,
        w=w,
        reweight=reweight,
        weightsThreshold=weightsThreshold,
        alpha=alpha,
        trend=trend,
        pThresholdTrend=pThresholdTrend,
        limit54=limit54,
        powertrans=powertrans,
        populationOffset=populationOffset,
        noPeriods=noPeriods,
        pastWeeksNotIncluded=pastWeeksNotIncluded,
        thresholdMethod=thresholdMethod,
        fitFun=fitFun,
        verbose=verbose,
        glmWarnings=glmWarnings,
    )[0]


def farrington_classic(
    observed,
    *,
    freq=52,
    dates=None,
    population=None,
    range=None,  # noqa: A002 - R's name
    b=5,
    w=3,
    reweight=True,
    alpha=0.05,
    trend=True,
    limit54=(5, 4),
    powertrans="2/3",
    fitFun="algo.farrington.fitGLM.fast",
    populationOffset=False,
    verbose=False,
    plot=False,
) -> DetectionResult:
    """surveillance::algo.farrington on one series (R's defaults).

    range: 1-based time points to monitor (default (freq*b - w):n). populationOffset=True is
    fitFun="algo.farrington.fitGLM.populationOffset" (needs population). verbose is ignored;
    plot must be False.
    """
    y = as_observed(observed)
    return farrington_classic_many(
        y[None, :],
        freq=freq,
        dates=dates,
        population=None if population is None else np.asarray(population)[None, :],
        range=range,
        b=b,
        w=w,
        reweight=reweight,
        alpha=alpha,
        trend=trend,
        limit54=limit54,
        powertrans=powertrans,
        fitFun=fitFun,
        populationOffset=populationOffset,
        verbose=verbose,
        plot=plot,
    )[0]


def farrington_flexible_many(
    observed,
    *,
    freq=52,
    dates=None,
    population=None,
    range=None,  # noqa: A002 - R's name
    b=5,
    w=3,
    reweight=True,
    weightsThreshold=2.58,
    alpha=0.05,
    trend=True,
    pThresholdTrend=0.05,
    limit54=(5, 4),
    powertrans="2/3",
    populationOffset=False,
    noPeriods=1,
    pastWeeksNotIncluded=None,
    thresholdMethod="delta",
    fitFun=FLEXIBLE_FIT,
    verbose=False,
    glmWarnings=True,
) -> list[DetectionResult]:
    """farringtonFlexible on every row of `observed` (series x time), one result per row.

    All series share freq, dates and parameters; population is (series x time) or one row for
    all. Results are identical to calling farrington_flexible on each row.
    """
    Y = series_matrix(observed)
    n = Y.shape[1]
    freq = whole("freq", freq, minimum=1)
    b = whole("b", b, minimum=1)
    w = whole("w", w, minimum=0)
    options = _Options(
        classic=False,
        alpha=number("alpha", alpha, low=0, high=1),
        trend=flag("trend", trend),
        p_threshold_trend=number("pThresholdTrend", pThresholdTrend, low=0, high=1, closed=True),
        limit54=limit54_pair(limit54),
        power=power_transform(powertrans),
        threshold_method=choice("thresholdMethod", thresholdMethod, THRESHOLD_METHODS),
        b=b,
        rules=FitRules(
            weights_threshold=number("weightsThreshold", weightsThreshold),
            reweight=flag("reweight", reweight),
            null_when_not_converged=True,
            use_offset=flag("populationOffset", populationOffset),
            summary_sees_prior_weights=True,
        ),
    )
    choice("fitFun", fitFun, (FLEXIBLE_FIT,))
    flag("verbose", verbose)
    flag("glmWarnings", glmWarnings)
    no_periods = whole("noPeriods", noPeriods, minimum=1)
    past = w if pastWeeksNotIncluded is None else pastWeeksNotIncluded
    past = whole("pastWeeksNotIncluded", past, minimum=0)
    days = dates_as_days(dates, n, freq)
    population = population_matrix(population, Y.shape, options.rules.use_offset)
    monitored = monitored_range(range, n, default_start=freq * b + w + 1)
    layouts = _layouts("flexible", n, b, w, freq, tuple(monitored), _key(days), no_periods, past)
    return _run(Y, population, layouts, options)


def farrington_classic_many(
    observed,
    *,
    freq=52,
    dates=None,
    population=None,
    range=None,  # noqa: A002 - R's name
    b=5,
    w=3,
    reweight=True,
    alpha=0.05,
    trend=True,
    limit54=(5, 4),
    powertrans="2/3",
    fitFun="algo.farrington.fitGLM.fast",
    populationOffset=False,
    verbose=False,
    plot=False,
) -> list[DetectionResult]:
    """algo.farrington on every row of `observed` (series x time), one result per row."""
    Y = series_matrix(observed)
    n = Y.shape[1]
    freq = whole("freq", freq, minimum=1)
    b = whole("b", b, minimum=1)
    w = whole("w", w, minimum=0)
    fit = choice("fitFun", fitFun, CLASSIC_FITS)
    use_offset = flag("populationOffset", populationOffset) or fit == CLASSIC_FITS[2]
    if flag("plot", plot):
        raise DetectionParameterError("plot=TRUE is not supported (there is nothing to plot to).")
    flag("verbose", verbose)
    options = _Options(
        classic=True,
        alpha=number("alpha", alpha, low=0, high=1),
        trend=flag("trend", trend),
        p_threshold_trend=0.05,
        limit54=limit54_pair(limit54),
        power=power_transform(powertrans),
        threshold_method="delta",
        b=b,
        rules=FitRules(
            weights_threshold=1.0,
            reweight=flag("reweight", reweight),
            null_when_not_converged=use_offset or fit == CLASSIC_FITS[1],
            fallback_drops_offset=use_offset,
            use_offset=use_offset,
        ),
    )
    days = dates_as_days(dates, n, freq)
    population = population_matrix(population, Y.shape, use_offset)
    monitored = monitored_range(range, n, default_start=freq * b - w)
    layouts = _layouts("classic", n, b, w, freq, tuple(monitored), _key(days))
    return _run(Y, population, layouts, options)


# The computation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Options:
    classic: bool
    alpha: float
    trend: bool
    p_threshold_trend: float
    limit54: tuple[int, int]
    power: float
    threshold_method: str
    b: int
    rules: FitRules


def _key(days: np.ndarray | None) -> bytes | None:
    return None if days is None else days.astype(np.int64).tobytes()


@functools.lru_cache(maxsize=32)
def _layouts(method, n, b, w, freq, monitored, days_key, no_periods=1, past=0) -> tuple:
    """The stacked designs of every monitored time point, grouped by shape (cached: they
    depend only on the series length, dates and parameters, and one call per series of a
    province would otherwise rebuild the same ones)."""
    days = None if days_key is None else np.frombuffer(days_key, dtype=np.int64)
    if method == "flexible":
        designs = [
            flexible_design(
                t,
                n=n,
                b=b,
                w=w,
                freq=freq,
                no_periods=no_periods,
                past_weeks_not_included=past,
                days=days,
            )
            for t in monitored
        ]
    else:
        designs = [classic_design(t, n=n, b=b, w=w, freq=freq, days=days) for t in monitored]
    layouts = []
    for group in _by_shape(designs):
        layout = _layout(group)
        layout["times"] = np.array([design.t for design in group])
        for array in layout.values():
            if isinstance(array, np.ndarray):
                array.setflags(write=False)
        layouts.append(layout)
    return tuple(layouts)


def _run(
    Y: np.ndarray,
    population: np.ndarray | None,
    layouts: tuple[dict, ...],
    options: _Options,
) -> list[DetectionResult]:
    n_series, n = Y.shape
    expected = np.full((n_series, n), np.nan)
    upperbound = np.full((n_series, n), np.nan)
    p_value = np.full((n_series, n), np.nan)
    alarm = np.zeros((n_series, n), dtype=bool)
    defined = np.zeros((n_series, n), dtype=bool)
    null_series = np.zeros(n_series, dtype=bool)
    recent = _recent_sums(Y, options.limit54[1])
    log_population = None if population is None else np.log(population)

    for layout in layouts:
        times = layout["times"]
        defined[:, times] = True
        rows, real = layout["rows"], layout["groups"] >= 0
        chunk = max(1, BATCH_NUMBERS // rows.size)
        for start in np.arange(0, n_series, chunk):
            series = np.arange(start, min(n_series, start + chunk))
            # (K, S, m): the reference counts of each time point for each series
            y = np.where(real[:, None, :], Y[series][:, rows].transpose(1, 0, 2), 0.0)
            problems = Problems(
                groups=layout["groups"],
                time=layout["time"],
                n_groups=layout["n_groups"],
                y=y,
                offset=(
                    None
                    if log_population is None
                    else log_population[series][:, rows].transpose(1, 0, 2)
                ),
                group0=layout["group0"],
                time0=layout["time0"],
                offset0=None if log_population is None else log_population[series][:, times].T,
            )
            y_now = Y[series][:, times].T
            out = _monitor(problems, y_now, recent[series][:, times].T, options)
            expected[np.ix_(series, times)] = out["expected"].T
            upperbound[np.ix_(series, times)] = out["upperbound"].T
            alarm[np.ix_(series, times)] = out["alarm"].T
            p_value[np.ix_(series, times)] = out["p_value"].T
            null_series[series[out["null"].any(axis=0)]] = True

    if options.classic and null_series.any():
        # algo.farrington returns NULL when a fitGLM / populationOffset model cannot be fitted
        # at some time point, and farrington() then leaves the whole series without results.
        for array in (expected, upperbound, p_value):
            array[null_series] = np.nan
        alarm[null_series] = False
    return [
        DetectionResult(
            expected=expected[i],
            upperbound=upperbound[i],
            alarm=alarm[i],
            defined=defined[i],
            p_value=p_value[i],
        )
        for i in np.arange(n_series)
    ]


def _monitor(
    problems: Problems, y: np.ndarray, recent: np.ndarray, options: _Options
) -> dict[str, np.ndarray]:
    """Fit, test the trend, and compute the bound, alarm and p-value of each (K, S) problem."""
    everyone = np.ones(y.shape, dtype=bool)
    model = fit_models(problems, everyone, trend=options.trend, rules=options.rules)
    if options.trend:
        _drop_unhelpful_trends(problems, model, options)

    eta0, se_unscaled = model.predict_link(problems)
    # algo.farrington passes dispersion = phi to predict.glm; farringtonFlexible does not,
    # so its se.fit uses summary.glm's dispersion
    scale = model.phi if options.classic else model.dispersion
    se_eta = se_unscaled * np.sqrt(scale)
    enough = recent >= options.limit54[0]
    with np.errstate(all="ignore"):
        if options.threshold_method == "delta":
            mu0 = inverse_link(eta0)
            z = stats.norm.ppf(1 - options.alpha / 2 if options.classic else 1 - options.alpha)
            upper, p_value = _delta_threshold(mu0, se_eta * mu0, model.phi, y, options.power, z)
            expected = mu0
            score = (y - mu0) / (upper - mu0)
        else:
            upper, p_value = _negative_binomial_threshold(
                eta0, se_eta, model.phi, y, options.alpha, options.threshold_method
            )
            expected = np.exp(eta0)
            # farringtonFlexible scores against the linear predictor here, as R does
            score = (y - eta0) / (upper - eta0)
        if options.classic:
            alarm = enough & (score > 1)
            upper = np.where(enough, upper, 0.0)
        else:
            alarm = enough & (score > 1) & (y != 0)
            upper = np.where(enough, upper, np.nan)
    fitted = model.ok
    return {
        "expected": np.where(fitted, expected, np.nan),
        "upperbound": np.where(fitted, upper, np.nan),
        "alarm": fitted & alarm,
        "p_value": np.where(fitted, p_value, np.nan),
        "null": ~fitted if options.rules.null_when_not_converged else np.zeros_like(fitted),
    }


def _drop_unhelpful_trends(problems: Problems, model: Model, options: _Options) -> None:
    """Refit without the trend where it is not significant, or would extrapolate (in place).

    The trend stays only when b >= 3, its p-value is below the threshold (0.05 in
    algo.farrington) and the prediction at t is at most the largest reference count.
    """
    tested = model.ok & model.has_trend
    if not tested.any():
        return
    eta, _ = model.predict_link(problems)
    prediction = inverse_link(eta)
    largest = np.max(np.where(problems.real[:, None, :], problems.y, -np.inf), axis=-1)
    with np.errstate(invalid="ignore"):
        significant = model.slope_p_value < options.p_threshold_trend
    keep = (options.b >= 3) & significant & (prediction <= largest)
    redo = tested & ~keep
    if redo.any():
        model.put(redo, fit_models(problems, redo, trend=False, rules=options.rules))


def _delta_threshold(mu0, se_mu0, phi, y, power, z):
    """Farrington's bound on the power-transformed scale (algo.farrington.threshold)."""
    tau = phi + se_mu0**2 / mu0
    if power == 1.0:
        se = np.sqrt(mu0 * tau)
    elif power == 0.5:
        se = np.sqrt(1 / 4 * tau)
    else:
        se = np.sqrt(4 / 9 * mu0 ** (1 / 3) * tau)
    centre = mu0**power
    # R sorts both ends and keeps the larger (a negative base to a fractional power is NaN)
    ends = np.stack([(centre - z * se) ** (1 / power), (centre + z * se) ** (1 / power)])
    upper = np.where(np.isnan(ends).all(axis=0), np.nan, np.nanmax(_nan_to_low(ends), axis=0))
    p_value = stats.norm.sf(y**power, loc=centre, scale=se)
    return upper, p_value


def _nan_to_low(ends: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(ends), -np.inf, ends)


def _negative_binomial_threshold(eta0, se_eta, phi, y, alpha, method):
    """algo.farrington.threshold.noufaily: quantile of NB(mean, phi), or Poisson if phi = 1."""
    if method == "nbPlugin":
        mean = np.exp(eta0)
    else:
        mean = np.exp(stats.norm.ppf(1 - alpha, loc=eta0, scale=se_eta))
    finite = np.isfinite(mean)
    over = phi > 1
    size = mean / (phi - 1)
    upper = np.where(
        over,
        stats.nbinom.ppf(1 - alpha, size, 1 / phi),
        stats.poisson.ppf(1 - alpha, mean),
    )
    p_value = np.where(
        phi != 1,
        stats.nbinom.sf(y - 1, size, 1 / phi),
        stats.poisson.sf(y - 1, mean),
    )
    return np.where(finite, upper, np.nan), np.where(finite, p_value, np.nan)


def _by_shape(designs: list[ReferenceDesign]) -> list[list[ReferenceDesign]]:
    """Designs grouped by their number of columns (season groups present)."""
    groups: dict[int, list[ReferenceDesign]] = {}
    for design in designs:
        levels = 0 if design.groups is None else np.unique(design.groups).size
        groups.setdefault(levels, []).append(design)
    return list(groups.values())


def _layout(group: list[ReferenceDesign]) -> dict:
    """The designs of a group stacked (K, m), padded with group -1.

    The time covariate is centred on each design's reference counts (the same model as R's
    uncentred time, better conditioned); season groups are numbered 0..G-1 in level order.
    """
    m = max(design.rows.size for design in group)
    K = len(group)
    rows = np.zeros((K, m), dtype=int)
    groups = np.full((K, m), -1)
    time = np.zeros((K, m))
    group0 = np.zeros(K, dtype=int)
    time0 = np.zeros(K)
    n_groups = 1
    for i, design in enumerate(group):
        size = design.rows.size
        rows[i, :size] = design.rows
        centre = design.wtime.mean()
        time[i, :size] = design.wtime - centre
        time0[i] = design.wtime_now - centre
        if design.groups is None:
            groups[i, :size] = 0
            continue
        present = np.unique(design.groups)
        if design.group_now not in present:
            raise DetectionParameterError(
                f"t={design.t + 1}: no reference counts in the current season group."
            )
        groups[i, :size] = np.searchsorted(present, design.groups)
        group0[i] = int(np.searchsorted(present, design.group_now))
        n_groups = present.size
    return {
        "rows": rows,
        "groups": groups,
        "time": time,
        "n_groups": n_groups,
        "group0": group0,
        "time0": time0,
    }


def _recent_sums(Y: np.ndarray, periods: int) -> np.ndarray:
    """Sum of the last `periods` counts up to and including each t (fewer at the start)."""
    cumulative = np.concatenate([np.zeros((Y.shape[0], 1)), np.cumsum(Y, axis=1)], axis=1)
    ends = np.arange(1, Y.shape[1] + 1)
    starts = np.maximum(ends - periods, 0)
    return cumulative[:, ends] - cumulative[:, starts]
