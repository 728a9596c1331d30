"""What every detection method returns, its error, and checks shared by the methods.

No Django here: the methods are pure functions on numpy arrays.
"""

from dataclasses import dataclass
from numbers import Real

import numpy as np


class DetectionParameterError(ValueError):
    """A detection method was called with a parameter (or a series) it cannot use."""


@dataclass(frozen=True)
class DetectionResult:
    """One value per time point of the input series.

    expected: what the method expected (EARS: the reference mean; ESSENCE: the baseline
        mean or the regression forecast; Farrington: the fitted mean), NaN where undefined.
    upperbound: the threshold the observed count is compared with, NaN where undefined.
    alarm: True where the method raises an alarm; False where it does not or is undefined.
    defined: True where the method produced a decision for that index.
    p_value, level: where the method has them (ESSENCE: level is "red", "yellow", "blue"
        or "grey").
    detector: for ESSENCE's switch, which detector decided each day ("regression",
        "ewma", or "" where neither tested).
    """

    expected: np.ndarray
    upperbound: np.ndarray
    alarm: np.ndarray
    defined: np.ndarray
    p_value: np.ndarray | None = None
    level: np.ndarray | None = None
    detector: np.ndarray | None = None

    @property
    def n_alarms(self) -> int:
        return int(np.count_nonzero(self.alarm))


def as_observed(observed) -> np.ndarray:
    """The series as a 1-D float64 array of finite, non-negative values."""
    try:
        values = np.asarray(observed, dtype=np.float64)
    except (TypeError, ValueError):
        raise DetectionParameterError("observed: expected a sequence of numbers.") from None
    if values.ndim != 1:
        raise DetectionParameterError(
            f"observed: expected a one-dimensional series, got shape {values.shape}."
        )
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if bad.size:
        i = int(bad[0])
        raise DetectionParameterError(
            f"observed: value {observed[i]!r} at t={i + 1} is not a finite number >= 0."
        )
    return values


def as_dates(dates, n: int) -> np.ndarray:
    """Dates as datetime64[D], one per observation, strictly increasing."""
    try:
        days = np.asarray(dates, dtype="datetime64[D]")
    except (TypeError, ValueError):
        raise DetectionParameterError(
            "dates: expected dates (datetime.date or ISO strings)."
        ) from None
    if days.ndim != 1 or days.shape[0] != n:
        raise DetectionParameterError(
            f"dates: expected {n} dates, one per observation, got {days.size}."
        )
    if np.isnat(days).any():
        i = int(np.flatnonzero(np.isnat(days))[0])
        raise DetectionParameterError(f"dates: missing date at t={i + 1}.")
    steps = np.diff(days).astype(np.int64)
    if (steps <= 0).any():
        i = int(np.flatnonzero(steps <= 0)[0])
        raise DetectionParameterError(
            f"dates: {days[i + 1]} at t={i + 2} does not come after {days[i]} at t={i + 1}; "
            "dates must be strictly increasing."
        )
    return days


def int_param(name: str, value, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, Real) or value != int(value):
        raise DetectionParameterError(f"{name} must be a whole number, got {value!r}.")
    number = int(value)
    if minimum is not None and number < minimum:
        raise DetectionParameterError(f"{name} must be at least {minimum}, got {number}.")
    return number


def float_param(
    name: str,
    value,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    open_low: bool = False,
    open_high: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise DetectionParameterError(f"{name} must be a number, got {value!r}.")
    number = float(value)
    if minimum is not None and (number < minimum or (open_low and number == minimum)):
        bound = f"greater than {minimum}" if open_low else f"at least {minimum}"
        raise DetectionParameterError(f"{name} must be {bound}, got {number}.")
    if maximum is not None and (number > maximum or (open_high and number == maximum)):
        bound = f"less than {maximum}" if open_high else f"at most {maximum}"
        raise DetectionParameterError(f"{name} must be {bound}, got {number}.")
    return number
