"""Rank intervals by simulation: checked against exact probabilities."""

import numpy as np
import pytest
from scipy import stats

from cairn.surveillance.ranking.ranks import RankingError, simulate_ranks


def test_two_communities_rank_first_as_often_as_the_exact_probability():
    # X ~ Gamma(a1, b1), Y ~ Gamma(a2, b2): P(X > Y) = 1 − I_{b1/(b1+b2)}(a1, a2), since
    # b1·X / (b1·X + b2·Y) is Beta(a1, a2).
    shape = np.array([12.0, 9.0])
    rate = np.array([40_000.0, 35_000.0])
    exact = 1 - stats.beta.cdf(rate[0] / (rate[0] + rate[1]), shape[0], shape[1])
    summary = simulate_ranks(shape, rate, shape / rate, draws=40_000, top=1)
    standard_error = np.sqrt(exact * (1 - exact) / 40_000)
    assert abs(summary.probability_top[0] - exact) < 4 * standard_error
    assert summary.probability_top[0] + summary.probability_top[1] == pytest.approx(1)


def test_a_clearly_highest_community_ranks_first_in_every_draw():
    shape = np.array([5000.0, 50.0, 40.0, 30.0])
    rate = np.array([1e6, 1e6, 1e6, 1e6])
    summary = simulate_ranks(shape, rate, shape / rate)
    assert summary.rank.tolist() == [1, 2, 3, 4]
    assert (summary.low[0], summary.median[0], summary.high[0]) == (1, 1, 1)
    assert summary.probability_top[0] == 1


def test_similar_communities_share_wide_intervals():
    shape = np.full(10, 20.0)
    rate = np.full(10, 1e5)
    summary = simulate_ranks(shape, rate, shape / rate)
    assert np.all(summary.low <= 2) and np.all(summary.high >= 9)


def test_point_posteriors_that_tie_take_turns():
    shape = np.array([np.inf, np.inf, np.inf])
    rate = np.array([np.inf, np.inf, np.inf])
    mean = np.array([1e-4, 1e-4, 1e-4])
    summary = simulate_ranks(shape, rate, mean, top=1)
    assert summary.rank.tolist() == [1, 1, 1]
    assert summary.low.tolist() == [1, 1, 1] and summary.high.tolist() == [3, 3, 3]
    np.testing.assert_allclose(summary.probability_top, 1 / 3, atol=0.03)


def test_the_same_seed_gives_the_same_intervals():
    rng = np.random.default_rng(7)
    shape = rng.uniform(2, 200, 89)
    rate = shape / rng.uniform(1e-4, 6e-4, 89)
    first = simulate_ranks(shape, rate, shape / rate, seed=11)
    again = simulate_ranks(shape, rate, shape / rate, seed=11)
    for name in ("median", "low", "high", "probability_top"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
    assert np.all(first.low <= first.median) and np.all(first.median <= first.high)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shape": [1.0], "rate": [1.0, 2.0], "mean": [1.0]}, "one length"),
        ({"shape": [], "rate": [], "mean": []}, "no communities"),
        ({"shape": [0.0], "rate": [1.0], "mean": [0.0]}, "shape and rate above zero"),
        ({"shape": [1.0], "rate": [1.0], "mean": [1.0], "draws": 5}, "at least 100"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    with pytest.raises(RankingError, match=message):
        simulate_ranks(
            np.array(kwargs.pop("shape")),
            np.array(kwargs.pop("rate")),
            np.array(kwargs.pop("mean")),
            **kwargs,
        )
