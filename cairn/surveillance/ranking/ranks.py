"""Rank intervals by simulation from the communities' posteriors. Pure numpy/scipy.

A ranking hides how uncertain it is: the 3rd-highest smoothed rate may well belong to a
community whose true rate is the 12th-highest. Drawing every community's rate from its
gamma posterior many times, ranking each draw, and reading off where each community
lands shows that: the median rank, the 95% rank interval (the 2.5th and 97.5th
percentiles of its simulated ranks) and the probability of being among the top k.

Rank 1 is the highest rate. The draws are seeded, so the same data always gives the
same intervals. Ties (only possible when posteriors are a single point) are broken at
random, draw by draw, so tied communities share a wide interval instead of the first
one always winning.
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20_240_917
DEFAULT_TOP = 10


class RankingError(ValueError):
    """Input the rank simulation cannot use; the message says which."""


@dataclass(frozen=True)
class RankSummary:
    """Per community, in input order."""

    rank: np.ndarray  # rank of the posterior mean (1 = highest; ties share the best rank)
    median: np.ndarray  # median simulated rank
    low: np.ndarray  # 2.5th percentile of the simulated ranks
    high: np.ndarray  # 97.5th percentile
    probability_top: np.ndarray  # share of draws in which it ranks within the top `top`
    top: int
    draws: int
    seed: int


def simulate_ranks(
    shape: np.ndarray,
    rate: np.ndarray,
    mean: np.ndarray,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    top: int = DEFAULT_TOP,
    confidence: float = 0.95,
) -> RankSummary:
    """Rank summaries from `draws` joint draws of Gamma(shape, rate) per community.

    An infinite shape and rate (a posterior that is one point) draws `mean` itself.
    """
    shape = np.asarray(shape, dtype=float)
    rate = np.asarray(rate, dtype=float)
    mean = np.asarray(mean, dtype=float)
    if not (shape.shape == rate.shape == mean.shape) or shape.ndim != 1:
        raise RankingError("shape, rate and mean must be one-dimensional and of one length.")
    if shape.size == 0:
        raise RankingError("There are no communities to rank.")
    if draws < 100:
        raise RankingError(f"draws must be at least 100, not {draws}.")
    if not 0 < confidence < 1:
        raise RankingError(f"confidence must be between 0 and 1, not {confidence!r}.")
    point = ~np.isfinite(shape)
    if np.any(~point & ((shape <= 0) | (rate <= 0))):
        raise RankingError("Every posterior needs a shape and rate above zero.")
    rng = np.random.default_rng(seed)
    n = shape.size
    safe_shape = np.where(point, 1.0, shape)
    safe_scale = np.where(point, 1.0, 1.0 / np.where(point, 1.0, rate))
    values = rng.gamma(safe_shape, safe_scale, size=(draws, n))
    if point.any():
        # A one-point posterior draws its mean, nudged by a relative 1e-12 at random so
        # that communities tied on the same point take turns (no effect on other ties,
        # which continuous draws make impossible).
        jitter = 1 + 1e-12 * (rng.random((draws, int(point.sum()))) - 0.5)
        values[:, point] = mean[point] * jitter
    order = np.argsort(-values, axis=1)
    ranks = np.empty((draws, n), dtype=np.int32)
    rows = np.arange(draws)[:, None]
    ranks[rows, order] = np.arange(1, n + 1, dtype=np.int32)
    tail = (1 - confidence) / 2
    low, median, high = np.quantile(
        ranks, [tail, 0.5, 1 - tail], axis=0, method="inverted_cdf"
    ).astype(int)
    point_rank = stats.rankdata(-mean, method="min").astype(int)
    return RankSummary(
        rank=point_rank,
        median=median,
        low=low,
        high=high,
        probability_top=(ranks <= top).mean(axis=0),
        top=top,
        draws=draws,
        seed=seed,
    )
