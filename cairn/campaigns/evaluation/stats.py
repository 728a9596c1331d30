"""Comparing survey scores between waves or groups: pure functions on arrays, no Django.

What each comparison reports, and why:

- The difference in means with a 95% confidence interval. Independent groups (post vs
  pre without pairing, exposed vs not exposed, a wave vs the first) use Welch's t interval,
  which does not assume equal variances. Respondents answering both waves of a panel
  (paired by panel id) use the paired t interval on their own changes.
- A standardized effect size with its 95% interval: Cohen's d with the pooled standard
  deviation for independent groups, d_z (mean change / SD of the changes) for pairs, and
  Hedges' g, d times the exact small-sample correction J(df) (Hedges 1981). The interval for
  d is exact under normality: the noncentral t distribution is inverted for its
  noncentrality parameter (Steiger & Fouladi 1997), the method of R's effectsize package;
  g's interval is d's times J.
- When a group's scores are skewed enough that the t interval is doubtful for its size,
  the interval shown is the bootstrap BCa interval (Efron 1987) instead, with a fixed
  seed so a result never changes between two views of the same data. The rule
  (`needs_bootstrap`): a group (for pairs: the changes) with |G1| > 1, "highly skewed"
  (Bulmer 1979), and fewer than 28 + 25·G1² values, the sample size below which the normal
  approximation to a mean is not yet adequate for that skewness (Cochran 1977 §2.15, as
  refined by Sugden, Smith & Jones, J R Stat Soc B 2000;62:787-793). The rule also bounds
  the bootstrap's cost: large groups never need it.
- Proportions (e.g. the share agreeing with a statement) use Wilson's score interval, and
  their difference Newcombe's hybrid score interval (method 10 of Newcombe 1998).

A confidence interval describes the uncertainty of an estimate from these respondents; it
says nothing about what caused a difference (see summary.py for the words used).
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 9999
BOOTSTRAP_SEED = 20260112
HIGHLY_SKEWED = 1.0


@dataclass(frozen=True)
class GroupSummary:
    n: int
    mean: float
    sd: float
    low: float  # t interval for the mean
    high: float
    skewness: float  # adjusted Fisher–Pearson G1; 0 when undefined (n < 3 or no spread)


@dataclass(frozen=True)
class MeanDifference:
    """mean(a) − mean(b), as R's t.test(a, b) reports it."""

    estimate: float
    low: float
    high: float
    t: float
    df: float
    p_value: float
    method: str  # "welch" or "paired"


@dataclass(frozen=True)
class EffectSize:
    kind: str  # "d" (pooled SD) or "d_z" (SD of the paired changes)
    d: float
    d_low: float
    d_high: float
    g: float  # Hedges' g = J(df)·d
    g_low: float
    g_high: float
    df: float


@dataclass(frozen=True)
class Comparison:
    """One comparison, with the interval to show (`low`, `high`) and how it was chosen."""

    a: GroupSummary
    b: GroupSummary
    paired: bool
    difference: MeanDifference
    effect: EffectSize
    interval_method: str  # "welch", "paired" or "bootstrap_bca"
    low: float
    high: float
    bootstrap_low: float | None
    bootstrap_high: float | None
    skewed_group: str  # "", "a", "b" or "changes": which one triggered the bootstrap

    @property
    def estimate(self) -> float:
        return self.difference.estimate


def _array(values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array[~np.isnan(array)]


def _require(array: np.ndarray, name: str, minimum: int = 2) -> None:
    if array.size < minimum:
        raise ValueError(f"{name} needs at least {minimum} values, it has {array.size}.")


def skewness(values) -> float:
    """Adjusted Fisher–Pearson skewness G1 (the one Cochran's rule is stated in)."""
    array = _array(values)
    if array.size < 3 or np.ptp(array) == 0:
        return 0.0
    return float(stats.skew(array, bias=False))


def describe(values, confidence: float = CONFIDENCE) -> GroupSummary:
    array = _array(values)
    _require(array, "A group")
    n = array.size
    mean = float(array.mean())
    sd = float(array.std(ddof=1))
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return GroupSummary(n, mean, sd, mean - half, mean + half, skewness(array))


def welch_difference(a, b, confidence: float = CONFIDENCE) -> MeanDifference:
    """Welch's two-sample t interval for mean(a) − mean(b)."""
    a, b = _array(a), _array(b)
    _require(a, "The first group")
    _require(b, "The second group")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    estimate = float(a.mean() - b.mean())
    se = math.sqrt(va + vb)
    if se == 0:
        return MeanDifference(estimate, estimate, estimate, math.nan, math.nan, math.nan, "welch")
    # Welch–Satterthwaite degrees of freedom.
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return _t_result(estimate, se, df, confidence, "welch")


def paired_difference(a, b, confidence: float = CONFIDENCE) -> MeanDifference:
    """Paired t interval for the mean of a − b (a[i] and b[i] from the same respondent)."""
    changes = _paired_changes(a, b)
    _require(changes, "A paired comparison", 2)
    estimate = float(changes.mean())
    se = float(changes.std(ddof=1)) / math.sqrt(changes.size)
    if se == 0:
        return MeanDifference(estimate, estimate, estimate, math.nan, math.nan, math.nan, "paired")
    return _t_result(estimate, se, changes.size - 1, confidence, "paired")


def _paired_changes(a, b) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("Paired values must come in pairs: the two lists differ in length.")
    changes = a - b
    return changes[~np.isnan(changes)]


def _t_result(estimate, se, df, confidence, method) -> MeanDifference:
    t = estimate / se
    half = stats.t.ppf(0.5 + confidence / 2, df) * se
    p = 2 * stats.t.sf(abs(t), df)
    return MeanDifference(estimate, estimate - half, estimate + half, t, float(df), p, method)


def hedges_correction(df: float) -> float:
    """The exact small-sample correction J(df) = Γ(df/2) / (√(df/2) Γ((df−1)/2))."""
    return math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)


def _noncentrality_interval(t: float, df: float, confidence: float) -> tuple[float, float]:
    """The noncentrality parameters whose noncentral t puts `t` at the interval's edges."""
    upper_tail = 0.5 - confidence / 2

    def f(ncp, target):
        value = stats.nct.cdf(t, df, ncp)
        if math.isnan(value):  # far in a tail, where the series underflows
            value = 0.0 if ncp > t else 1.0
        return value - target

    # A bracket from the normal approximation of the interval, widened until it holds.
    width = 2 * (1.0 + abs(t) / math.sqrt(2 * df)) + 1.0

    def edge(target):
        low, high = t - width, t + width
        while f(low, target) < 0:
            low -= width
        while f(high, target) > 0:
            high += width
        return optimize.brentq(f, low, high, args=(target,), xtol=1e-10)

    return edge(1 - upper_tail), edge(upper_tail)


def cohens_d(a, b, confidence: float = CONFIDENCE) -> EffectSize:
    """Cohen's d with the pooled SD for mean(a) − mean(b), and Hedges' g."""
    a, b = _array(a), _array(b)
    _require(a, "The first group")
    _require(b, "The second group")
    df = a.size + b.size - 2
    pooled = math.sqrt(((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / df)
    if pooled == 0:
        return _undefined_effect("d", df)
    d = float(a.mean() - b.mean()) / pooled
    scale = math.sqrt(a.size * b.size / (a.size + b.size))
    low, high = _noncentrality_interval(d * scale, df, confidence)
    return _effect("d", d, low / scale, high / scale, df)


def paired_cohens_d(a, b, confidence: float = CONFIDENCE) -> EffectSize:
    """d_z: the mean change over the SD of the changes, and its Hedges' g."""
    changes = _paired_changes(a, b)
    _require(changes, "A paired comparison")
    df = changes.size - 1
    sd = float(changes.std(ddof=1))
    if sd == 0:
        return _undefined_effect("d_z", df)
    d = float(changes.mean()) / sd
    scale = math.sqrt(changes.size)
    low, high = _noncentrality_interval(d * scale, df, confidence)
    return _effect("d_z", d, low / scale, high / scale, df)


def _effect(kind, d, low, high, df) -> EffectSize:
    j = hedges_correction(df)
    return EffectSize(kind, d, low, high, d * j, low * j, high * j, float(df))


def _undefined_effect(kind, df) -> EffectSize:
    nan = math.nan
    return EffectSize(kind, nan, nan, nan, nan, nan, nan, float(df))


def needs_bootstrap(values) -> bool:
    """Whether a group is highly skewed (|G1| > 1) and too small for the normal
    approximation to its mean (n < 28 + 25·G1², Sugden, Smith & Jones 2000)."""
    array = _array(values)
    g1 = skewness(array)
    return abs(g1) > HIGHLY_SKEWED and array.size < 28 + 25 * g1**2


def _difference_of_means(a, b, axis=-1):
    return np.mean(a, axis=axis) - np.mean(b, axis=axis)


def _mean(x, axis=-1):
    return np.mean(x, axis=axis)


def bootstrap_difference(
    a,
    b,
    *,
    paired: bool = False,
    confidence: float = CONFIDENCE,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """The BCa bootstrap interval for mean(a) − mean(b) (for pairs: the mean change),
    resampling each group on its own, with a fixed seed."""
    rng = np.random.default_rng(seed)
    if paired:
        data, statistic = (_paired_changes(a, b),), _mean
    else:
        data, statistic = (_array(a), _array(b)), _difference_of_means
    if all(np.ptp(sample) == 0 for sample in data):
        estimate = float(statistic(*data))
        return estimate, estimate
    result = stats.bootstrap(
        data,
        statistic,
        n_resamples=resamples,
        vectorized=True,
        confidence_level=confidence,
        method="BCa",
        rng=rng,
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def compare(a, b, *, paired: bool = False, confidence: float = CONFIDENCE) -> Comparison:
    """mean(a) − mean(b) with the interval the rule above chooses, and the effect size."""
    a_values, b_values = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if paired:
        difference = paired_difference(a_values, b_values, confidence)
        effect = paired_cohens_d(a_values, b_values, confidence)
        skewed = "changes" if needs_bootstrap(_paired_changes(a_values, b_values)) else ""
    else:
        difference = welch_difference(a_values, b_values, confidence)
        effect = cohens_d(a_values, b_values, confidence)
        skewed = "a" if needs_bootstrap(a_values) else ("b" if needs_bootstrap(b_values) else "")
    boot_low = boot_high = None
    low, high = difference.low, difference.high
    method = difference.method
    if skewed:
        boot_low, boot_high = bootstrap_difference(
            a_values, b_values, paired=paired, confidence=confidence
        )
        if not (math.isnan(boot_low) or math.isnan(boot_high)):
            low, high, method = boot_low, boot_high, "bootstrap_bca"
    return Comparison(
        a=describe(a_values, confidence),
        b=describe(b_values, confidence),
        paired=paired,
        difference=difference,
        effect=effect,
        interval_method=method,
        low=low,
        high=high,
        bootstrap_low=boot_low,
        bootstrap_high=boot_high,
        skewed_group=skewed,
    )


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson's score interval for a proportion (Newcombe 1998a, method 3)."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"A proportion needs 0 ≤ successes ≤ n and n > 0, got {successes}/{n}.")
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_difference(
    successes_a: int, n_a: int, successes_b: int, n_b: int, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """p_a − p_b with Newcombe's hybrid score interval (Newcombe 1998b, method 10)."""
    pa, pb = successes_a / n_a, successes_b / n_b
    la, ua = wilson_interval(successes_a, n_a, confidence)
    lb, ub = wilson_interval(successes_b, n_b, confidence)
    estimate = pa - pb
    low = estimate - math.sqrt((pa - la) ** 2 + (ub - pb) ** 2)
    high = estimate + math.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)
    return estimate, low, high
