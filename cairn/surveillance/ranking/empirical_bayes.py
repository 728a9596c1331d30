"""Poisson–gamma empirical Bayes smoothing of rates, region by region. Pure numpy/scipy.

The model: community i has `cases[i]` events among `at_risk[i]` person-years, and
cases ~ Poisson(rate_i × at_risk_i). The rates of the communities of one region are
modelled as draws from a gamma distribution with mean m and variance a (the "prior"),
estimated from those same communities ("empirical" Bayes). Given its own count, a
community's rate then has the gamma posterior

    shape = m²/a + cases,   rate = m/a + at_risk,

whose mean (m² + a·cases)/(m + a·at_risk) is the smoothed rate: the crude rate pulled
toward the regional mean m, the more so the smaller the community (Clayton & Kaldor
1987; Marshall 1991). Its 2.5% and 97.5% quantiles are the 95% interval.

Two estimators of (m, a), both checked against R (reference/make_reference.R):

- `marshall_moments` (the default): Marshall's (1991) global method of moments, as
  spdep::EBest computes it. Closed form, so it always gives an answer, even for a
  region of a dozen communities where a likelihood is flat.
- `clayton_kaldor_ml`: Clayton & Kaldor's (1987) maximum likelihood for the gamma
  model (the counts are then negative binomial), as MASS::glm.nb / SpatialEpi::eBayes
  fit it. More efficient with many areas, but it can fail to converge or run off to
  "no variation" in small regions.

`smooth_by_region` applies an estimator within each region (e.g. each health
authority) and falls back, where a region is too small or shows no variation beyond
chance, to the regional mean with the between-community spread of all regions pooled.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

ESTIMATORS = ("moments", "ml")
# Below this many communities a region's own spread (a) is too noisy to use.
MIN_COMMUNITIES_FOR_REGIONAL_SPREAD = 5


class SmoothingError(ValueError):
    """Input the smoother cannot use; the message names the value and where it is."""


class NoEvents(SmoothingError):
    """There is not a single event: nothing to smooth or rank."""


@dataclass(frozen=True)
class GammaPrior:
    """The distribution of rates across communities: mean and variance (per person-year).

    variance 0 means no variation beyond chance was detected: every community's
    smoothed rate is then the mean itself.
    """

    mean: float
    variance: float

    @property
    def shape(self) -> float:
        return np.inf if self.variance <= 0 else self.mean**2 / self.variance

    @property
    def rate(self) -> float:
        return np.inf if self.variance <= 0 else self.mean / self.variance


@dataclass(frozen=True)
class RegionPrior:
    region: Hashable
    prior: GammaPrior
    communities: int
    events: int
    at_risk: float
    # "region": estimated from the region's own communities; "pooled spread": the
    # region's mean with the relative spread of all regions (region too small or no
    # variation detected); "all regions": no event in the region, so the pooled prior.
    source: str


@dataclass(frozen=True)
class Smoothing:
    """Per-community gamma posteriors (arrays in input order) and each region's prior."""

    shape: np.ndarray
    rate: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    regions: dict[Hashable, RegionPrior]
    confidence: float


def _check_inputs(cases, at_risk) -> tuple[np.ndarray, np.ndarray]:
    cases = np.asarray(cases, dtype=float)
    at_risk = np.asarray(at_risk, dtype=float)
    if cases.ndim != 1 or at_risk.ndim != 1:
        raise SmoothingError("cases and at_risk must be one-dimensional sequences.")
    if cases.shape != at_risk.shape:
        raise SmoothingError(
            f"cases has {cases.size} values but at_risk has {at_risk.size}; one per community."
        )
    if cases.size == 0:
        raise SmoothingError("No communities were given.")
    for name, values in (("cases", cases), ("at_risk", at_risk)):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise SmoothingError(f"{name}[{bad[0]}] is {float(values[bad[0]])}, not a number.")
    bad = np.flatnonzero(cases < 0)
    if bad.size:
        raise SmoothingError(f"cases[{bad[0]}] is negative ({cases[bad[0]]:g}).")
    bad = np.flatnonzero(at_risk <= 0)
    if bad.size:
        raise SmoothingError(
            f"at_risk[{bad[0]}] is {at_risk[bad[0]]:g}; every community needs a population "
            "above zero (leave out communities without one)."
        )
    return cases, at_risk


def marshall_moments(cases: Sequence[float], at_risk: Sequence[float]) -> GammaPrior:
    """Marshall's (1991, p. 284-5) global method-of-moments estimate of (m, a).

    m = Σcases / Σat_risk; s² = Σ at_risk·(crude − m)² / Σat_risk;
    a = s² − m / (mean at_risk), set to 0 when negative.
    """
    cases, at_risk = _check_inputs(cases, at_risk)
    total = at_risk.sum()
    mean = cases.sum() / total
    crude = cases / at_risk
    spread = np.sum(at_risk * (crude - mean) ** 2) / total
    variance = spread - mean / (total / cases.size)
    return GammaPrior(mean=float(mean), variance=float(max(variance, 0.0)))


def _negative_binomial_loglik(params, cases, at_risk):
    """Log-likelihood (and gradient) of the counts with rates ~ Gamma(shape ν, mean μ).

    params = (log ν, log μ). Marginally, cases ~ NegBin(size ν, mean μ·at_risk).
    """
    nu, mu = np.exp(params)
    expected = mu * at_risk
    total = nu + expected
    loglik = np.sum(
        special.gammaln(cases + nu)
        - special.gammaln(nu)
        - special.gammaln(cases + 1)
        + nu * np.log(nu / total)
        + cases * np.log(expected / total)
    )
    d_nu = np.sum(special.digamma(cases + nu) - special.digamma(nu) + np.log(nu / total))
    d_nu += np.sum((expected - cases) / total)
    d_mu = np.sum(nu * (cases - expected) / (mu * total))
    return loglik, np.array([d_nu * nu, d_mu * mu])


def clayton_kaldor_ml(cases: Sequence[float], at_risk: Sequence[float]) -> GammaPrior:
    """Clayton & Kaldor's (1987) maximum-likelihood estimate of the gamma prior.

    Maximises the negative binomial likelihood of the counts over the gamma shape ν and
    mean μ (prior variance μ²/ν). When the counts vary no more than Poisson chance
    allows, ν runs off to infinity: the variance returned is then 0.
    """
    cases, at_risk = _check_inputs(cases, at_risk)
    if cases.sum() == 0:
        raise NoEvents("There are no events, so there is no rate to smooth.")
    moments = marshall_moments(cases, at_risk)
    mu0 = moments.mean
    nu0 = moments.shape if np.isfinite(moments.shape) else 1e4
    start = np.log([min(max(nu0, 1e-3), 1e6), mu0])

    def objective(params):
        value, gradient = _negative_binomial_loglik(params, cases, at_risk)
        return -value, -gradient

    result = optimize.minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[(np.log(1e-6), np.log(1e10)), (None, None)],
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 1000},
    )
    nu, mu = np.exp(result.x)
    if nu >= 1e9:
        return GammaPrior(mean=float(mu), variance=0.0)
    return GammaPrior(mean=float(mu), variance=float(mu**2 / nu))


ESTIMATOR_FUNCTIONS = {"moments": marshall_moments, "ml": clayton_kaldor_ml}


def posterior(
    cases: Sequence[float],
    at_risk: Sequence[float],
    prior: GammaPrior,
    *,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(shape, rate, mean, low, high) of each community's gamma posterior under `prior`.

    With prior variance 0 the posterior is the prior mean itself (shape and rate inf,
    low = high = mean).
    """
    cases, at_risk = _check_inputs(cases, at_risk)
    _check_confidence(confidence)
    tail = (1 - confidence) / 2
    if prior.variance <= 0 or not np.isfinite(prior.shape):
        point = np.full(cases.shape, prior.mean)
        infinite = np.full(cases.shape, np.inf)
        return infinite, infinite.copy(), point, point.copy(), point.copy()
    shape = prior.shape + cases
    rate = prior.rate + at_risk
    mean = shape / rate
    low = stats.gamma.ppf(tail, shape, scale=1 / rate)
    high = stats.gamma.ppf(1 - tail, shape, scale=1 / rate)
    return shape, rate, mean, low, high


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise SmoothingError(f"confidence must be between 0 and 1, not {confidence!r}.")


def smooth_by_region(
    cases: Sequence[float],
    at_risk: Sequence[float],
    regions: Sequence[Hashable],
    *,
    estimator: str = "moments",
    confidence: float = 0.95,
    min_communities: int = MIN_COMMUNITIES_FOR_REGIONAL_SPREAD,
) -> Smoothing:
    """Smooth each community's rate toward the mean of its region.

    Each region's prior is estimated from its own communities. Where a region has
    fewer than `min_communities`, or shows no variation beyond chance (a = 0), its
    prior keeps the region's own mean but takes its spread from all regions pooled,
    as the same coefficient of variation (a = CV² · m², CV² = a_all / m_all²). A region
    with no event at all takes the pooled prior whole.
    """
    cases, at_risk = _check_inputs(cases, at_risk)
    _check_confidence(confidence)
    if estimator not in ESTIMATOR_FUNCTIONS:
        raise SmoothingError(
            f"estimator must be one of {', '.join(ESTIMATORS)}, not {estimator!r}."
        )
    labels = list(regions)
    if len(labels) != cases.size:
        raise SmoothingError(
            f"regions has {len(labels)} values but there are {cases.size} communities."
        )
    if cases.sum() == 0:
        raise NoEvents("There are no events in this period, so there is nothing to rank.")
    estimate = ESTIMATOR_FUNCTIONS[estimator]
    pooled = estimate(cases, at_risk)
    pooled_cv2 = pooled.variance / pooled.mean**2

    shape = np.empty(cases.size)
    rate = np.empty(cases.size)
    mean = np.empty(cases.size)
    low = np.empty(cases.size)
    high = np.empty(cases.size)
    priors: dict[Hashable, RegionPrior] = {}
    for region in dict.fromkeys(labels):
        members = np.array([i for i, label in enumerate(labels) if label == region])
        region_cases, region_at_risk = cases[members], at_risk[members]
        if region_cases.sum() == 0:
            prior, source = pooled, "all regions"
        else:
            prior, source = None, "region"
            if members.size >= min_communities:
                prior = estimate(region_cases, region_at_risk)
            if prior is None or prior.variance <= 0:
                region_mean = region_cases.sum() / region_at_risk.sum()
                prior = GammaPrior(mean=region_mean, variance=pooled_cv2 * region_mean**2)
                source = "pooled spread"
        values = posterior(region_cases, region_at_risk, prior, confidence=confidence)
        for target, value in zip((shape, rate, mean, low, high), values, strict=True):
            target[members] = value
        priors[region] = RegionPrior(
            region=region,
            prior=prior,
            communities=int(members.size),
            events=int(region_cases.sum()),
            at_risk=float(region_at_risk.sum()),
            source=source,
        )
    return Smoothing(
        shape=shape,
        rate=rate,
        mean=mean,
        low=low,
        high=high,
        regions=priors,
        confidence=confidence,
    )
