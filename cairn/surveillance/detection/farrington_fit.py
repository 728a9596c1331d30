"""The model-fitting steps of Farrington's methods, for many (time point, series) problems at once.

A problem is one monitored time point of one series: the quasi-Poisson GLM of its reference
counts, with a time trend, optionally a population offset (log population) and season groups.
Problems are laid out (K time points x S series); the design of a time point is shared by all
series. The steps follow surveillance:::algo.farrington.fitGLM.flexible (farringtonFlexible),
algo.farrington.fitGLM.fast, algo.farrington.fitGLM and algo.farrington.fitGLM.populationOffset
(algo.farrington):

1. Fit with the trend if asked. If that does not converge, fit without it; the flexible,
   plain and populationOffset fits give up when that does not converge either (R: NULL).
2. phi = max(1, dispersion), the dispersion being summary.glm's Pearson estimate.
3. Reweighting: Anscombe residuals s = 3/2 (y^(2/3) mu^(-1/6) - mu^(1/2)) / sqrt(phi (1 - h));
   weights gamma s^-2 where s > threshold, gamma elsewhere, gamma = n / sum(those s^-2 or 1);
   refit with those prior weights (its convergence is not checked) and recompute phi.

The trend test (farrington.py) then decides whether to repeat 1-3 without the trend.

A model is kept as what the methods use: the prediction at t with its variance, the time
coefficient and its p-value, the dispersion and phi.
"""

from dataclasses import dataclass, fields

import numpy as np

from cairn.surveillance.detection.glm import (
    GroupDesign,
    PoissonFits,
    fit_poisson,
    pearson_dispersion,
)


@dataclass
class Problems:
    """K time points x S series; the design of a time point (m rows, G groups) is shared."""

    groups: np.ndarray  # (K, m) season group index 0..G-1 of each reference count; -1 padding
    time: np.ndarray  # (K, m) time covariate (centred); 0 on padding
    n_groups: int
    y: np.ndarray  # (K, S, m) reference counts, 0 on padding
    offset: np.ndarray | None  # (K, S, m) log population, or None
    group0: np.ndarray  # (K,) the season group predicted at t
    time0: np.ndarray  # (K,) the time covariate of t
    offset0: np.ndarray | None  # (K, S)

    @property
    def real(self) -> np.ndarray:
        return self.groups >= 0

    def design(self, trend: bool) -> GroupDesign:
        return GroupDesign(self.groups, self.time if trend else None, self.n_groups)


@dataclass
class Model:
    """The fitted model of each problem, as far as the methods use it; arrays (K, S)."""

    ok: np.ndarray  # a usable model (R did not return NULL, numbers finite)
    eta0: np.ndarray  # linear predictor at t, without the offset
    variance0: np.ndarray  # its unscaled variance
    slope: np.ndarray  # the time coefficient (0 without trend)
    slope_p_value: np.ndarray  # summary.glm's p-value for it (NaN without trend)
    dispersion: np.ndarray  # what summary.glm(model) reports (see FitRules)
    phi: np.ndarray  # max(1, Pearson dispersion of the final fit)
    has_trend: np.ndarray  # bool
    has_offset: np.ndarray  # bool

    @classmethod
    def empty(cls, K: int, S: int) -> "Model":
        nan = np.full((K, S), np.nan)
        no = np.zeros((K, S), dtype=bool)
        return cls(no, nan, nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy(), no.copy(),
                   no.copy())  # fmt: skip

    def put(self, where: np.ndarray, other: "Model") -> None:
        """Take `other`'s values for the problems `where` (a (K, S) mask)."""
        for field in fields(self):
            getattr(self, field.name)[where] = getattr(other, field.name)[where]

    def predict_link(self, problems: Problems) -> tuple[np.ndarray, np.ndarray]:
        """eta at t and its unscaled standard error (times sqrt(dispersion) gives R's)."""
        eta = self.eta0
        if problems.offset0 is not None:
            eta = eta + np.where(self.has_offset, problems.offset0, 0.0)
        return eta, np.sqrt(np.maximum(self.variance0, 0.0))


@dataclass(frozen=True)
class FitRules:
    """How a method fits: the differences between R's fitFun functions."""

    weights_threshold: float
    reweight: bool
    # flexible, fitGLM and populationOffset return NULL when even the model without trend
    # does not converge (fitGLM.fast carries on with the unconverged fit)
    null_when_not_converged: bool
    use_offset: bool = False
    # algo.farrington.fitGLM.populationOffset's fallback is glm(response ~ 1): no offset; its
    # reweighted refit then goes back to the original formula (trend and offset)
    fallback_drops_offset: bool = False
    # algo.farrington.fitGLM.flexible stores the reweighting weights in model$weights, where
    # summary.glm expects the working weights; the dispersion that summary.glm (and so the
    # trend test and predict's se.fit) then reports is sum(omega ((y - mu) / mu)^2) / df.
    summary_sees_prior_weights: bool = False


def _max_one(dispersion: np.ndarray) -> np.ndarray:
    """R's max(dispersion, 1): NaN stays NaN."""
    return np.where(np.isnan(dispersion) | (dispersion > 1), dispersion, 1.0)


def _fit(problems: Problems, where, formula: tuple[bool, bool], weights=None):
    """Fit the problems `where` with formula (trend, offset); returns (fits, design)."""
    trend, offset = formula
    design = problems.design(trend)
    fits = fit_poisson(
        design,
        problems.y,
        weights=weights,
        offset=problems.offset if offset else None,
        where=where,
    )
    return fits, design


def _anscombe_weights(y, fits: PoissonFits, design: GroupDesign, phi, threshold) -> np.ndarray:
    """algo.farrington.assign.weights(anscombe.residuals(model, phi), threshold)."""
    mu = fits.fitted
    hat = fits.hat_values(design)
    real = (design.groups >= 0)[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = 1.5 * (np.cbrt(y * y) / np.sqrt(np.cbrt(mu)) - np.sqrt(mu))
        s = s / np.sqrt(phi[..., None] * (1 - hat))
        inverse_square = np.where(s > threshold, s**-2.0, 1.0)
        gamma = real.sum(axis=-1) / np.sum(np.where(real, inverse_square, 0.0), axis=-1)
        omega = gamma[..., None] * inverse_square
    return np.where(real, omega, 0.0)


def _finish(problems, where, fitted, formula, refit_formula, rules: FitRules) -> Model:
    """Steps 2-3 from a first fit (with `formula`) of the problems `where`."""
    fits, design = fitted
    y = problems.y
    usable = where & ~fits.failed
    has_offset = formula[1]
    omega = None
    if rules.reweight:
        phi = _max_one(fits.dispersion(y))
        omega = _anscombe_weights(y, fits, design, phi, rules.weights_threshold)
        fits, design = _fit(problems, usable, refit_formula, weights=omega)
        usable &= ~fits.failed
        has_offset = refit_formula[1]
    phi = _max_one(fits.dispersion(y))
    if omega is not None and rules.summary_sees_prior_weights:
        dispersion = pearson_dispersion(y, fits.fitted, omega, fits.df_residual)
    else:
        dispersion = fits.dispersion(y)
    has_trend = design.time is not None
    eta0, variance0 = fits.predict(problems.group0, problems.time0 if has_trend else None)
    K, S = where.shape
    return Model(
        ok=usable,
        eta0=eta0,
        variance0=variance0,
        slope=fits.slope,
        slope_p_value=(fits.slope_p_value(dispersion) if has_trend else np.full((K, S), np.nan)),
        dispersion=dispersion,
        phi=phi,
        has_trend=np.full((K, S), has_trend),
        has_offset=np.full((K, S), has_offset),
    )


def fit_models(problems: Problems, where: np.ndarray, *, trend: bool, rules: FitRules) -> Model:
    """Steps 1-3 for the problems `where` (a (K, S) mask); others are left not ok."""
    K, S = where.shape
    model = Model.empty(K, S)
    if not where.any():
        return model
    formula = (trend, rules.use_offset)
    first = _fit(problems, where, formula)
    converged = first[0].converged
    keep = where & (converged if trend else np.ones_like(where))
    done = _finish(problems, keep, first, formula, formula, rules)
    if rules.null_when_not_converged:
        done.ok &= converged
    model.put(keep, done)
    retry = where & ~keep
    if retry.any():
        fallback = (False, rules.use_offset and not rules.fallback_drops_offset)
        second = _fit(problems, retry, fallback)
        # fitGLM.populationOffset refits its original formula after the fallback
        refit = formula if rules.fallback_drops_offset else fallback
        retried = _finish(problems, retry, second, fallback, refit, rules)
        if rules.null_when_not_converged:
            retried.ok &= second[0].converged
        model.put(retry, retried)
    return model
