"""Rates with exact intervals. Pure functions on numbers: no Django here.

- `poisson_interval`: the exact (Garwood 1936) interval for a Poisson count, from
  chi-square quantiles; R's `poisson.test` gives the same limits.
- `rate_per_100k`: count / population × 100,000, with the count's exact interval.
- `share_per_10k`: CDC DOSE's measure, visits meeting a definition per 10,000 ED
  visits, with the exact binomial (Clopper–Pearson) interval, as R's `binom.test`:
  the visits are a part of the ED visits, not events in a population.
- `age_standardized_rate`: direct standardization to the 2011 Canadian standard
  population (or another standard), with the gamma interval of Fay & Feuer (1997).
"""

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from scipy import stats

STANDARD_POPULATION_FILE = Path(__file__).with_name("canada_2011_standard_population.csv")


class RateNotAvailable(ValueError):
    """The rate cannot be computed honestly from what is known (the message says why)."""


@dataclass(frozen=True)
class Rate:
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class AgeStandardizedRate(Rate):
    """A directly standardized rate per `per`, and the events it used and left out."""

    events: int = 0
    unknown_age_events: int = 0  # events without an age band: not in the rate
    per: int = 100_000


def _check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name} must be a whole number ≥ 0, not {value!r}.")
    return int(value)


def _check_confidence(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), not {confidence!r}.")
    return confidence


def poisson_interval(count: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) confidence limits for the mean of a Poisson count."""
    count = _check_count("count", count)
    alpha = 1 - _check_confidence(confidence)
    low = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2, 2 * count) / 2)
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2)
    return low, high


def rate_per(count: int, denominator: int | float, *, per: int, confidence: float = 0.95) -> Rate:
    """count / denominator × per, with the count's exact Poisson interval."""
    count = _check_count("count", count)
    if not denominator or denominator <= 0:
        raise RateNotAvailable(f"No rate: the population is {denominator!r}.")
    low, high = poisson_interval(count, confidence=confidence)
    scale = per / denominator
    return Rate(value=count * scale, low=low * scale, high=high * scale)


def rate_per_100k(count: int, population: int, *, confidence: float = 0.95) -> Rate:
    return rate_per(count, population, per=100_000, confidence=confidence)


def share_per_10k(count: int, denominator: int, *, confidence: float = 0.95) -> Rate:
    """Visits meeting a definition per 10,000 ED visits (CDC DOSE), exact binomial interval."""
    count = _check_count("count", count)
    denominator = _check_count("denominator", denominator)
    if denominator == 0:
        raise RateNotAvailable("No share: there were no ED visits.")
    if count > denominator:
        raise ValueError(f"count ({count}) is larger than the ED visits ({denominator}).")
    alpha = 1 - _check_confidence(confidence)
    low = 0.0 if count == 0 else float(stats.beta.ppf(alpha / 2, count, denominator - count + 1))
    high = (
        1.0
        if count == denominator
        else float(stats.beta.ppf(1 - alpha / 2, count + 1, denominator - count))
    )
    return Rate(value=count / denominator * 10_000, low=low * 10_000, high=high * 10_000)


# Age standardization -------------------------------------------------------------------


@cache
def canada_2011_standard_population() -> dict[str, int]:
    """The 2011 Canadian standard population (Statistics Canada) by five-year age band."""
    with STANDARD_POPULATION_FILE.open(encoding="utf-8") as handle:
        rows = [line for line in handle if not line.startswith("#")]
    return {row["age_band"]: int(row["population"]) for row in csv.DictReader(rows)}


_BAND = re.compile(r"^(\d+)\s*(?:-\s*(\d+)|\+)$")


def age_band_range(label: str) -> tuple[int, int]:
    """(first age, last age) of a band label such as "20-24" or "90+" (last age 200)."""
    match = _BAND.match(label.strip())
    if not match:
        raise RateNotAvailable(f"{label!r} is not an age band such as 20-24 or 90+.")
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else 200
    if high < low:
        raise RateNotAvailable(f"Age band {label!r} ends before it starts.")
    return low, high


def _group(values: Mapping[str, int], groups: list[tuple[int, int]], what: str) -> list[int]:
    """Sum values over the groups (age ranges) that contain each of their bands."""
    sums = [0] * len(groups)
    for label, value in values.items():
        low, high = age_band_range(label)
        home = [i for i, (g_low, g_high) in enumerate(groups) if g_low <= low and high <= g_high]
        if not home:
            raise RateNotAvailable(
                f"The {what} band {label!r} does not fall inside one population age band."
            )
        sums[home[0]] += value
    return sums


def age_standardized_rate(
    counts: Mapping[str, int],
    populations: Mapping[str, int],
    *,
    standard: Mapping[str, int] | None = None,
    per: int = 100_000,
    confidence: float = 0.95,
) -> AgeStandardizedRate:
    """Directly standardized rate with the Fay–Feuer (1997) gamma interval.

    counts: events by age band ("20-24", "90+"; "unknown" is left out and reported).
    populations: the population by age band, the same bands or coarser ones that the
    events' and the standard's bands fall inside (e.g. "0-14", "15-24", …, "85+").
    standard: the standard population by five-year band; the 2011 Canadian one by
    default. Raises RateNotAvailable where the populations cannot support the rate.
    """
    _check_confidence(confidence)
    if not populations:
        raise RateNotAvailable("No population by age band is known for this place.")
    standard = dict(standard or canada_2011_standard_population())
    unknown = sum(_check_count(f"count for {b}", n) for b, n in counts.items() if b == "unknown")
    known = {b: _check_count(f"count for {b}", n) for b, n in counts.items() if b != "unknown"}
    groups = sorted(age_band_range(label) for label in populations)
    for (_, high), (next_low, _) in zip(groups, groups[1:], strict=False):
        if next_low <= high:
            raise RateNotAvailable("The population's age bands overlap.")
    pop_by_label = {age_band_range(label): value for label, value in populations.items()}
    pops = np.array([pop_by_label[g] for g in groups], dtype=float)
    events = np.array(_group(known, groups, "event"), dtype=float)
    weights = np.array(_group(standard, groups, "standard population"), dtype=float)
    used = weights > 0
    if np.any(pops[used] <= 0):
        empty = [
            f"{g[0]}+" if g[1] == 200 else f"{g[0]}-{g[1]}"
            for g, p in zip(groups, pops, strict=True)
            if p <= 0
        ]
        raise RateNotAvailable(f"No population in age band(s) {', '.join(empty)}.")
    weights = weights / weights.sum()
    w = np.where(used, weights / np.where(pops > 0, pops, 1), 0.0)  # per-person weight
    dsr = float(np.sum(w * events))
    variance = float(np.sum(w**2 * events))
    w_max = float(w.max())
    alpha = 1 - confidence
    low = (
        0.0
        if dsr == 0
        else float(stats.gamma.ppf(alpha / 2, dsr**2 / variance, scale=variance / dsr))
    )
    shape = (dsr + w_max) ** 2 / (variance + w_max**2)
    high = float(stats.gamma.ppf(1 - alpha / 2, shape, scale=(variance + w_max**2) / (dsr + w_max)))
    return AgeStandardizedRate(
        value=dsr * per,
        low=low * per,
        high=high * per,
        events=int(events.sum()),
        unknown_age_events=unknown,
        per=per,
    )
