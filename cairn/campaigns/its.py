"""Interrupted time series: segmented Poisson regression of a count series around a date.

No Django, so it can be checked against published values
(`cairn/campaigns/tests/test_report_its.py`: Lopez Bernal, Cummins & Gasparrini 2017).
The model is statsmodels' Poisson GLM; this module builds its design and reads it.

The model (docs/campaigns-report.md, "Interrupted time series", says why this one):

    log E[count_t] = b0 + b1·t + b2·after_t + b3·(t − t0)·after_t
                     + Σ_k (s_k·sin(2πk·f_t) + c_k·cos(2πk·f_t)) [+ log offset_t]

t is the period's index, t0 the first period on or after the campaign start, after_t is
0 before t0 and 1 from it, f_t the period's fraction of the year (seasonality as
Fourier pairs, as the tutorial does). exp(b2) is the **level change** (the rate ratio at
the start, against the trend before), exp(b3) the **slope change** (the ratio by which
the trend per period changed). Standard errors:

- "newey_west" (the default): the sandwich with Newey–West (Bartlett) weights over
  `lags` periods, robust to over-dispersion and to autocorrelation of the residuals,
  both common in weekly counts;
- "quasi": the model's errors scaled by the Pearson dispersion (quasi-Poisson, the
  tutorial's choice), robust to over-dispersion only.

Intervals are Wald intervals on the log scale (normal quantile), exponentiated.
Everything here describes an association in time, never a cause.
"""

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

ERRORS = ("newey_west", "quasi")


class ItsError(ValueError):
    """The series cannot be modelled; the message says why in plain words."""


@dataclass(frozen=True)
class RateRatio:
    value: float
    low: float  # 95% interval (or the level asked for)
    high: float

    @property
    def percent_change(self) -> float:
        return (self.value - 1.0) * 100.0

    @property
    def interval_excludes_one(self) -> bool:
        return self.low > 1.0 or self.high < 1.0


@dataclass(frozen=True)
class ItsFit:
    level_change: RateRatio | None  # None when the model has no level term
    slope_change: RateRatio | None  # per period; None when the model has no slope term
    trend_before: RateRatio  # per period, before the start
    fitted: np.ndarray  # expected counts with the change terms
    counterfactual: np.ndarray  # expected counts had the trend before continued
    coefficients: np.ndarray
    standard_errors: np.ndarray
    names: list[str]
    dispersion: float  # Pearson chi-squared / residual degrees of freedom
    residual_autocorrelation: float  # lag 1, Pearson residuals
    errors: str
    lags: int
    periods_before: int
    periods_after: int
    harmonics: int
    confidence: float


def newey_west_lags(n: int) -> int:
    """Newey & West's (1994) rule of thumb: floor(4 · (n / 100)^(2/9))."""
    return int(math.floor(4 * (n / 100.0) ** (2.0 / 9.0)))


def design_matrix(
    n: int,
    start_index: int,
    *,
    year_fraction: np.ndarray | None,
    harmonics: int,
    level: bool = True,
    slope: bool = True,
) -> tuple[np.ndarray, list[str]]:
    t = np.arange(1, n + 1, dtype=float)
    after = (np.arange(n) >= start_index).astype(float)
    columns, names = [np.ones(n), t], ["intercept", "trend"]
    if level:
        columns.append(after)
        names.append("level_change")
    if slope:
        columns.append((t - (start_index + 1)) * after)  # 0 at the first period after
        names.append("slope_change")
    if harmonics:
        if year_fraction is None:
            raise ItsError("Seasonality needs each period's fraction of the year.")
        for k in range(1, harmonics + 1):
            columns.append(np.sin(2 * np.pi * k * year_fraction))
            columns.append(np.cos(2 * np.pi * k * year_fraction))
            names += [f"sin{k}", f"cos{k}"]
    return np.column_stack(columns), names


def newey_west_covariance(X: np.ndarray, y: np.ndarray, mu: np.ndarray, lags: int) -> np.ndarray:
    """The Newey–West sandwich written out (bread · meat · bread, Bartlett weights, no
    small-sample correction): what statsmodels' GLM cov_type="HAC" computes; the tests
    use it to check that the fit asks statsmodels for exactly this."""
    bread = np.linalg.inv((X.T * mu) @ X)
    scores = X * (y - mu)[:, None]
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        weight = 1.0 - lag / (lags + 1.0)
        cross = scores[lag:].T @ scores[:-lag]
        meat += weight * (cross + cross.T)
    return bread @ meat @ bread


def segmented_poisson(
    counts,
    *,
    start_index: int,
    year_fraction=None,
    harmonics: int = 2,
    offset=None,
    errors: str = "newey_west",
    lags: int | None = None,
    level: bool = True,
    slope: bool = True,
    confidence: float = 0.95,
) -> ItsFit:
    """Fit the segmented regression; `start_index` is the index of the first period on
    or after the interruption. `offset` is the log of an exposure (a population), or None."""
    y = np.asarray(counts, dtype=float)
    n = len(y)
    if errors not in ERRORS:
        raise ItsError(f"errors must be one of {', '.join(ERRORS)}, not {errors!r}.")
    if np.any(~np.isfinite(y)) or np.any(y < 0):
        raise ItsError("Counts must be whole numbers of zero or more, with none missing.")
    if not 0 < start_index < n:
        raise ItsError("The campaign must start after the first period and before the last.")
    if y.sum() == 0:
        raise ItsError("No events in the series.")
    fraction = None if year_fraction is None else np.asarray(year_fraction, dtype=float)
    X, names = design_matrix(
        n, start_index, year_fraction=fraction, harmonics=harmonics, level=level, slope=slope
    )
    if n - X.shape[1] < 2:
        raise ItsError(f"{n} periods are too few for a model with {X.shape[1]} terms.")
    # Imported here: statsmodels takes about a second to import, and every Cairn process
    # loads this module through the URLs, most of them never fitting a model.
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    off = None if offset is None else np.asarray(offset, dtype=float)
    model = sm.GLM(y, X, family=sm.families.Poisson(), offset=off)
    lags_used = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PerfectSeparationWarning)
            if errors == "quasi":
                result = model.fit(scale="X2")
            else:
                lags_used = newey_west_lags(n) if lags is None else int(lags)
                result = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags_used})
    except (np.linalg.LinAlgError, PerfectSeparationWarning, ValueError):
        raise ItsError("The series is too short or too flat to fit a trend.") from None
    beta, se, mu = result.params, result.bse, result.fittedvalues
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(se))):
        raise ItsError("The series is too short or too flat to fit a trend.")
    pearson = (y - mu) / np.sqrt(mu)
    dispersion = float(result.pearson_chi2 / result.df_resid)
    z = float(stats.norm.ppf(0.5 + confidence / 2))

    def ratio(name: str) -> RateRatio | None:
        if name not in names:
            return None
        i = names.index(name)
        return RateRatio(
            value=math.exp(beta[i]),
            low=math.exp(beta[i] - z * se[i]),
            high=math.exp(beta[i] + z * se[i]),
        )

    without = X.copy()
    for name in ("level_change", "slope_change"):
        if name in names:
            without[:, names.index(name)] = 0.0
    counterfactual = np.exp(without @ beta + (0.0 if off is None else off))
    autocorrelation = (
        float(np.corrcoef(pearson[:-1], pearson[1:])[0, 1]) if n > 2 and pearson.std() > 0 else 0.0
    )
    return ItsFit(
        level_change=ratio("level_change"),
        slope_change=ratio("slope_change"),
        trend_before=ratio("trend"),
        fitted=mu,
        counterfactual=counterfactual,
        coefficients=beta,
        standard_errors=se,
        names=names,
        dispersion=dispersion,
        residual_autocorrelation=autocorrelation,
        errors=errors,
        lags=lags_used,
        periods_before=start_index,
        periods_after=n - start_index,
        harmonics=harmonics,
        confidence=confidence,
    )


def _percent(ratio: RateRatio) -> str:
    change = ratio.percent_change
    if abs(change) < 0.05:
        return "about the same as"
    return f"{abs(change):.1f}% {'higher' if change > 0 else 'lower'} than"


def describe_fit(fit: ItsFit, *, outcome: str, unit: str) -> str:
    """A plain-language sentence or two about the fit; never a claim of cause."""
    parts = []
    if fit.level_change is not None:
        r = fit.level_change
        parts.append(
            f"When the campaign started, {outcome} were {_percent(r)} the trend before it "
            f"predicted (rate ratio {r.value:.2f}, 95% CI {r.low:.2f} to {r.high:.2f})."
        )
    if fit.slope_change is not None:
        r = fit.slope_change
        parts.append(
            f"After the start, the trend changed by a factor of {r.value:.3f} per {unit} "
            f"(95% CI {r.low:.3f} to {r.high:.3f})."
        )
    if fit.level_change is not None and not fit.level_change.interval_excludes_one:
        parts.append("The interval includes no change.")
    parts.append(
        "This is an association in time, not proof that the campaign caused it: other "
        "changes at the same time (the drug supply, services, reporting) could explain it."
    )
    return " ".join(parts)
