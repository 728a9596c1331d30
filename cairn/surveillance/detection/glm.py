"""Many small Poisson / quasi-Poisson GLMs (log link) fitted at once, the way R's glm.fit does.

Farrington's methods fit one small GLM per monitored time point and series; fitting them one at
a time (statsmodels, or R itself) dominates the run time. Their models all have the form

    log mu_i = a_g(i) + b t_i [+ offset_i]

one level per season group g (the intercept, or the intercept plus R's dummies for the other
groups: the same model) and an optional common slope b on time. Problems are laid out as K
designs (one per monitored time point: groups and times of its reference counts) each shared by
S series:

    groups, time (K, n)     y, weights, offset (K, S, n)

and iterated together with iteratively reweighted least squares. Each weighted least-squares
step has a closed form (within-group regression: b from the times centred on their group's
weighted mean, then each a_g), so a step costs a few passes over the data whatever the number
of groups, and the covariance matrix, hat values and predictions follow from the same sums.

R's choices are repeated so that results agree with R to floating-point precision:
- starting values mu = y + 0.1 and eta = log(mu), ignoring the offset (poisson()$initialize);
- mu = max(exp(eta), machine epsilon), as R's log link clamps it;
- convergence when |dev - dev_old| / (|dev| + 0.1) < epsilon (1e-8), at most 25 iterations;
  a fit that has not converged keeps its last iteration (R returns it with converged FALSE);
- step halving when the deviance is not finite (on the first iteration R gives up: failed);
- rows with prior weight 0 take no part in the fit, the residual degrees of freedom or the
  dispersion (R drops them the same way), which also lets designs of different lengths share
  a batch: pad them with rows of weight 0 (group -1).
- the working weights and the covariance reported for a fit (and so the hat values and
  dispersion) come from the last iteration's weighted least-squares step, i.e. from the means
  before its final update, as R's glm object holds them.
A group whose rows all have weight 0, or a time that is constant within every group, makes the
design rank deficient (R would drop a column); such a fit is reported as failed (NaN).
"""

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

EPSILON = 1e-8
MAXIT = 25
_DOUBLE_EPS = np.finfo(float).eps
_LOG_DOUBLE_EPS = float(np.log(_DOUBLE_EPS))
# Narrow the arrays to the series still iterating when fewer than this share of them are.
_NARROW_BELOW = 0.7
# Steps skipped for problems whose counts are all 0 (see _Irls._head_start).
_ZERO_HEAD_START = 15


@dataclass(frozen=True)
class GroupDesign:
    """K designs: the season group and time of each of n rows (group -1 on padding rows)."""

    groups: np.ndarray  # (K, n) int
    time: np.ndarray | None  # (K, n) float, None for no slope
    n_groups: int

    @property
    def indicator(self) -> np.ndarray:
        """(K, n, G) one column per group, 0 on padding rows."""
        return (self.groups[:, :, None] == np.arange(self.n_groups)).astype(float)


@dataclass(frozen=True)
class PoissonFits:
    """The result of fit_poisson for K designs x S series (n rows, G groups)."""

    levels: np.ndarray  # (K, S, G) a_g
    slope: np.ndarray  # (K, S) b (0 without a slope)
    fitted: np.ndarray  # (K, S, n) mu
    working_weights: np.ndarray  # (K, S, n) prior weight x mu of the last step; 0 unused rows
    group_weight: np.ndarray  # (K, S, G) sum of working weights per group (last step)
    group_time: np.ndarray  # (K, S, G) working-weighted mean time per group (last step)
    time_spread: np.ndarray  # (K, S) sum of ww (t - group mean)^2; inf without a slope
    deviance: np.ndarray  # (K, S)
    df_residual: np.ndarray  # (K, S) rows with positive prior weight minus parameters
    converged: np.ndarray  # (K, S) bool
    failed: np.ndarray  # (K, S) bool: no usable coefficients (R stopped, or rank deficient)
    iterations: np.ndarray  # (K, S) int

    def dispersion(self, y: np.ndarray) -> np.ndarray:
        """Quasi-Poisson dispersion as summary.glm estimates it (Pearson chi-square / df).

        NaN where there are no residual degrees of freedom.
        """
        return pearson_dispersion(y, self.fitted, self.working_weights, self.df_residual)

    def hat_values(self, design: GroupDesign) -> np.ndarray:
        """Diagonal of the hat matrix of the last weighted step (stats::hatvalues)."""
        indicator = design.indicator
        with np.errstate(divide="ignore", invalid="ignore"):
            leverage = (1 / self.group_weight) @ indicator.transpose(0, 2, 1)
            if design.time is not None:
                centred = design.time[:, None, :] - self.group_time @ indicator.transpose(0, 2, 1)
                leverage = leverage + centred**2 / self.time_spread[..., None]
        hat = self.working_weights * np.where(design.groups[:, None, :] >= 0, leverage, 0.0)
        return np.where(hat >= 1 - 10 * _DOUBLE_EPS, 1.0, hat)

    def slope_variance(self) -> np.ndarray:
        """Unscaled variance of b (the (time, time) entry of (X'WX)^-1)."""
        with np.errstate(divide="ignore"):
            return 1 / self.time_spread

    def slope_p_value(self, dispersion: np.ndarray) -> np.ndarray:
        """summary.glm's two-sided p-value of b: t test on df_residual (quasi families)."""
        se = np.sqrt(self.slope_variance() * dispersion)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = self.slope / se
            df = np.where(self.df_residual > 0, self.df_residual, np.nan)
            return 2 * stats.t.sf(np.abs(t), df)

    def predict(self, group0: np.ndarray, time0: np.ndarray | None) -> tuple[np.ndarray, ...]:
        """Linear predictor (without offset) at group0, time0 (one per design, (K,)), and its
        unscaled variance (times the dispersion: R's se.fit squared on the link scale)."""
        k = np.arange(group0.size)
        level = self.levels[k, :, group0]
        weight = self.group_weight[k, :, group0]
        with np.errstate(divide="ignore", invalid="ignore"):
            variance = 1 / weight
            eta = level
            if time0 is not None:
                eta = eta + self.slope * time0[:, None]
                centred = time0[:, None] - self.group_time[k, :, group0]
                variance = variance + centred**2 / self.time_spread
        return eta, variance


def pearson_dispersion(y, mu, weights, df_residual) -> np.ndarray:
    """sum(weights * ((y - mu) / mu)^2) / df_residual over the last axis; NaN if df <= 0."""
    resid = (y - mu) / np.maximum(mu, _DOUBLE_EPS)
    total = np.sum(weights * resid * resid, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(df_residual > 0, total / df_residual, np.nan)


def inverse_link(eta: np.ndarray) -> np.ndarray:
    """R's poisson(link = "log")$linkinv: exp(eta), at least machine epsilon."""
    with np.errstate(over="ignore"):
        return np.maximum(np.exp(eta), _DOUBLE_EPS)


def fit_poisson(
    design: GroupDesign,
    y: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    offset: np.ndarray | None = None,
    where: np.ndarray | None = None,
    maxit: int = MAXIT,
    epsilon: float = EPSILON,
) -> PoissonFits:
    """Fit log mu = a_group + b time (+ offset) for the S series of each of the K designs.

    y (K, S, n); weights and offset (K, S, n) or broadcastable to it. Rows whose prior weight
    is 0 are ignored (their y must still be finite). where (K, S) selects the problems to fit;
    the others are returned failed.
    """
    y = np.asarray(y, dtype=float)
    K, n = design.groups.shape
    if y.ndim != 3 or y.shape[0] != K or y.shape[2] != n:
        raise ValueError(f"y has shape {y.shape}, expected (K={K}, S, n={n})")
    S, G = y.shape[1], design.n_groups
    weights = np.broadcast_to(1.0 if weights is None else weights, y.shape).astype(float)
    weights = np.where(design.groups[:, None, :] >= 0, weights, 0.0)
    selected = np.ones((K, S), dtype=bool) if where is None else np.asarray(where, dtype=bool)
    n_parameters = G + (design.time is not None)
    out = PoissonFits(
        levels=np.full((K, S, G), np.nan),
        slope=np.full((K, S), np.nan),
        fitted=np.full((K, S, n), np.nan),
        working_weights=np.zeros((K, S, n)),
        group_weight=np.full((K, S, G), np.nan),
        group_time=np.full((K, S, G), np.nan),
        time_spread=np.full((K, S), np.nan),
        deviance=np.full((K, S), np.nan),
        df_residual=(weights > 0).sum(axis=2) - n_parameters,
        converged=np.zeros((K, S), dtype=bool),
        failed=~selected,
        iterations=np.zeros((K, S), dtype=int),
    )
    series = np.flatnonzero(selected.any(axis=0))
    if series.size:
        offset = None if offset is None else np.broadcast_to(offset, y.shape).astype(float)
        _Irls(design, y, weights, offset, selected, out, maxit=maxit, epsilon=epsilon).run(series)
    return out


class _Irls:
    """IRLS for K designs x S series at once.

    Every problem of the kept series is iterated; a problem's results are recorded when it
    converges (or fails, or reaches maxit) and its later iterations are ignored. When most kept
    series have nothing left to fit, the arrays are narrowed to the series that do.
    """

    def __init__(self, design, y, weights, offset, selected, out, *, maxit, epsilon):
        self.design, self.y, self.weights, self.offset = design, y, weights, offset
        self.selected, self.out = selected, out
        self.maxit, self.epsilon = maxit, epsilon
        self.M = design.indicator  # (K, n, G)
        self.Mt = np.ascontiguousarray(self.M.transpose(0, 2, 1))
        self.t = None if design.time is None else design.time[:, None, :]  # (K, 1, n)

    def _step(self, w, wy, eta, mu, off):
        """One weighted least-squares step; returns its sums and the new coefficients."""
        ww = w * mu  # mu.eta^2 / variance = mu for the log link
        wz = ww * eta if off is None else ww * (eta - off)
        wz += wy
        wz -= ww  # ww * z with z = eta - offset + (y - mu) / mu
        with np.errstate(divide="ignore", invalid="ignore"):
            group_weight = ww @ self.M
            group_mean_z = (wz @ self.M) / group_weight
            if self.t is None:
                shape = group_weight.shape[:2]
                return ww, group_weight, group_mean_z, np.zeros(shape), None, np.full(shape, np.inf)
            group_time = ((ww * self.t) @ self.M) / group_weight
            centred = self.t - group_time @ self.Mt
            weighted = ww * centred
            spread = _row_dot(weighted, centred)
            slope = _row_dot(wz, centred) / spread
            levels = group_mean_z - slope[..., None] * group_time
        return ww, group_weight, levels, slope, group_time, spread

    def _linear_predictor(self, levels, slope, off, k=None):
        if k is None:
            eta = levels @ self.Mt
            if self.t is not None:
                eta += slope[..., None] * self.t
        else:  # one problem of design k
            eta = self.Mt[k].T @ levels
            if self.t is not None:
                eta = eta + slope * self.t[k, 0]
        return eta if off is None else eta + off

    def _deviance(self, constant, wy, w, eta, mu):
        """Sum of poisson()$dev.resids, 2 w (y log(y / mu) - (y - mu)), y log y precomputed."""
        with np.errstate(invalid="ignore", over="ignore"):
            log_mu = np.maximum(eta, _LOG_DOUBLE_EPS)
            return 2 * (constant - _row_dot(wy, log_mu) + _row_dot(w, mu))

    def run(self, series: np.ndarray) -> None:
        y = self.y[:, series]
        w = self.weights[:, series]
        off = None if self.offset is None else self.offset[:, series]
        active = self.selected[:, series].copy()
        wy = w * y
        constant = np.sum(w * (special.xlogy(y, y) - y), axis=2)
        eta = np.log(y + 0.1)
        K, S, n = y.shape
        levels_old = np.full((K, S, self.design.n_groups), np.nan)
        slope_old = np.full((K, S), np.nan)
        head = self._head_start(y, w, off, active)
        if head.any():
            start = np.log(0.1) - head
            eta = np.where(head[..., None] > 0, start[..., None], eta)
            levels_old[head > 0] = start[head > 0][:, None]
            slope_old[head > 0] = 0.0
        mu = inverse_link(eta)
        dev_old = self._deviance(constant, wy, w, eta, mu)

        for iteration in range(1, self.maxit + 1):
            ww, group_weight, levels, slope, group_time, spread = self._step(w, wy, eta, mu, off)
            eta = self._linear_predictor(levels, slope, off)
            mu = inverse_link(eta)
            deviance = self._deviance(constant, wy, w, eta, mu)
            counted = iteration + head  # R's iteration number
            finite = np.all(np.isfinite(levels), axis=2) & np.isfinite(slope)
            for k, s in zip(*np.nonzero(active & finite & ~np.isfinite(deviance)), strict=True):
                finite[k, s] = counted[k, s] > 1 and self._halve(
                    k, s, levels, slope, levels_old, slope_old, eta, mu, deviance,
                    constant, wy, w, off,
                )  # fmt: skip
            with np.errstate(invalid="ignore"):
                change = np.abs(deviance - dev_old) / (0.1 + np.abs(deviance))
            failed = active & ~finite
            done = active & finite & (change < self.epsilon)
            fits = (ww, group_weight, levels, slope, group_time, spread, mu, deviance)
            self._record(series, done, counted, fits, converged=True)
            self._record(series, failed, counted, None, converged=False)
            last = active & finite & ~done & (counted >= self.maxit)
            self._record(series, last, counted, fits, converged=False)
            active &= ~(done | failed | last)
            dev_old, levels_old, slope_old = deviance, levels, slope
            alive = active.any(axis=0)
            if not alive.any():
                break
            if alive.sum() < _NARROW_BELOW * alive.size:
                series = series[alive]
                y, w, wy, active = y[:, alive], w[:, alive], wy[:, alive], active[:, alive]
                eta, mu, constant = eta[:, alive], mu[:, alive], constant[:, alive]
                dev_old, levels_old, slope_old = (
                    dev_old[:, alive],
                    levels_old[:, alive],
                    slope_old[:, alive],
                )
                head = head[:, alive]
                off = None if off is None else off[:, alive]

    def _head_start(self, y, w, off, active) -> np.ndarray:
        """Iterations to skip, (K, S): _ZERO_HEAD_START for all-zero counts, else 0.

        With every count 0, equal prior weights and no offset, each IRLS step of R's glm.fit
        lowers every linear predictor by exactly 1 from log(0.1) (the working response is
        eta - 1) and the slope stays 0, so the first steps are known; the deviance
        2 sum(w) 0.1 e^-i cannot meet the convergence test before step 20. Sparse series have
        many such windows, and they would otherwise take about 24 steps.
        """
        head = np.zeros(y.shape[:2], dtype=int)
        if off is not None or self.maxit <= _ZERO_HEAD_START + 1:
            return head
        used = w > 0
        zero = active & ~np.any(used & (y != 0), axis=2) & ~np.any(used & (w != 1), axis=2)
        zero &= used.any(axis=2)
        head[zero] = _ZERO_HEAD_START
        return head

    def _record(self, series, mask, iteration, fits, *, converged):
        if not mask.any():
            return
        k, s = np.nonzero(mask)
        target = (k, series[s])
        out = self.out
        out.iterations[target] = iteration[k, s]
        out.converged[target] = converged
        if fits is None:
            out.failed[target] = True
            return
        ww, group_weight, levels, slope, group_time, spread, mu, deviance = fits
        out.working_weights[target] = ww[k, s]
        out.group_weight[target] = group_weight[k, s]
        out.levels[target] = levels[k, s]
        out.slope[target] = slope[k, s]
        out.fitted[target] = mu[k, s]
        out.deviance[target] = deviance[k, s]
        out.time_spread[target] = spread[k, s]
        if group_time is not None:
            out.group_time[target] = group_time[k, s]

    def _halve(self, k, s, levels, slope, levels_old, slope_old, eta, mu, deviance,
               constant, wy, w, off) -> bool:  # fmt: skip
        """R halves the step towards the previous coefficients until the deviance is finite."""
        a, b = levels[k, s].copy(), slope[k, s]
        offset = None if off is None else off[k, s]
        for _ in range(self.maxit):
            a, b = (a + levels_old[k, s]) / 2, (b + slope_old[k, s]) / 2
            new_eta = self._linear_predictor(a, b, offset, k=k)
            new_mu = inverse_link(new_eta)
            new_deviance = self._deviance(constant[k, s], wy[k, s], w[k, s], new_eta, new_mu)
            if np.isfinite(new_deviance):
                levels[k, s], slope[k, s] = a, b
                eta[k, s], mu[k, s], deviance[k, s] = new_eta, new_mu, new_deviance
                return True
        return False


def _row_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """sum(a * b) over the last axis."""
    return np.einsum("...n,...n->...", a, b)
