"""Checking and reading Farrington's parameters (R's names; values may be text from the CLI).

Text forms accepted: "5", "TRUE"/"FALSE", "5,4" or "c(5,4)", "300:364" for a range.
Each bad value raises DetectionParameterError naming the parameter.
"""

from collections.abc import Sequence

import numpy as np

from cairn.surveillance.detection.base import DetectionParameterError, as_dates

POWER_TRANSFORMS = {"2/3": 2 / 3, "1/2": 1 / 2, "none": 1.0}
DATE_FREQUENCIES = (12, 52, 365)  # R has calendar rules (month, week, day) only for these


def series_matrix(observed) -> np.ndarray:
    try:
        Y = np.asarray(observed, dtype=np.float64)
    except (TypeError, ValueError):
        raise DetectionParameterError("observed: expected numbers.") from None
    if Y.ndim != 2 or Y.shape[1] == 0:
        raise DetectionParameterError(
            f"observed: expected a (series x time) array, got shape {Y.shape}."
        )
    bad = np.argwhere(~np.isfinite(Y) | (Y < 0))
    if bad.size:
        i, t = bad[0]
        raise DetectionParameterError(
            f"observed: value {Y[i, t]!r} at t={t + 1} (series {i + 1}) is not a finite "
            "number >= 0."
        )
    return Y


def dates_as_days(dates, n: int, freq: int) -> np.ndarray | None:
    if dates is None:
        return None
    if freq not in DATE_FREQUENCIES:
        raise DetectionParameterError(
            f"dates can only be used with freq 52 (weekly), 365 (daily) or 12 (monthly), "
            f"not {freq}; leave dates out to count periods instead."
        )
    days = as_dates(dates, n).astype(np.int64)
    if n < 2:
        raise DetectionParameterError("dates: at least two dates are needed.")
    return days


def population_matrix(population, shape: tuple[int, int], needed: bool) -> np.ndarray | None:
    if not needed:
        return None
    if population is None:
        raise DetectionParameterError("populationOffset=TRUE needs a population for each count.")
    try:
        values = np.asarray(population, dtype=np.float64)
    except (TypeError, ValueError):
        raise DetectionParameterError("population: expected numbers.") from None
    try:
        values = np.broadcast_to(values, shape)
    except ValueError:
        raise DetectionParameterError(
            f"population: expected one value per count ({shape[1]}), got shape {values.shape}."
        ) from None
    bad = np.argwhere(~np.isfinite(values) | (values <= 0))
    if bad.size:
        t = bad[0][1]
        raise DetectionParameterError(
            f"population: value at t={t + 1} is not a positive number (its log is the offset)."
        )
    return values


def monitored_range(value, n: int, *, default_start: int) -> np.ndarray:
    """0-based monitored indices from R's 1-based `range`."""
    if value is None:
        if default_start > n:
            raise DetectionParameterError(
                f"the series has {n} periods; the default range starts at t={default_start}: "
                "give a longer series, or smaller b or w."
            )
        if default_start < 1:
            raise DetectionParameterError(
                f"the default range would start at t={default_start}; give range explicitly."
            )
        return np.arange(default_start - 1, n)
    if isinstance(value, str):
        text = value.strip()
        if ":" in text:
            first, _, last = text.partition(":")
            start, stop = whole("range", first.strip()), whole("range", last.strip())
            value = np.arange(start, stop + 1) if start <= stop else np.arange(start, stop - 1, -1)
        else:
            value = _text_list(text)
    try:
        values = np.asarray(value, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise DetectionParameterError(
            f"range: expected 1-based time points, got {value!r}."
        ) from None
    if values.size == 0 or (values != np.round(values)).any():
        raise DetectionParameterError(f"range: expected whole 1-based time points, got {value!r}.")
    if values.min() < 1 or values.max() > n:
        raise DetectionParameterError(f"range: time points must lie within 1..{n}.")
    return np.unique(values.astype(int)) - 1


def _text_list(text: str) -> list[str]:
    text = text.strip()
    if text.startswith("c(") and text.endswith(")"):
        text = text[2:-1]
    return [part.strip() for part in text.split(",") if part.strip()]


def whole(name: str, value, *, minimum: int | None = None) -> int:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise DetectionParameterError(
                f"{name} must be a whole number, got {value!r}."
            ) from None
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise DetectionParameterError(f"{name} must be a whole number, got {value!r}.")
    if not np.isfinite(value) or value != int(value):
        raise DetectionParameterError(f"{name} must be a whole number, got {value!r}.")
    if minimum is not None and value < minimum:
        raise DetectionParameterError(f"{name} must be at least {minimum}, got {int(value)}.")
    return int(value)


def number(
    name: str,
    value,
    *,
    low: float | None = None,
    high: float | None = None,
    closed: bool = False,
) -> float:
    """A number; with low/high, strictly between them (closed: or equal to them)."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise DetectionParameterError(f"{name} must be a number, got {value!r}.") from None
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise DetectionParameterError(f"{name} must be a number, got {value!r}.")
    if not np.isfinite(value):
        raise DetectionParameterError(f"{name} must be a finite number, got {value!r}.")
    if closed:
        if (low is not None and value < low) or (high is not None and value > high):
            raise DetectionParameterError(f"{name} must lie between {low} and {high}.")
    elif (low is not None and value <= low) or (high is not None and value >= high):
        raise DetectionParameterError(f"{name} must lie strictly between {low} and {high}.")
    return float(value)


_TRUE = {"true", "t", "1", "yes"}
_FALSE = {"false", "f", "0", "no"}


def flag(name: str, value) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    if isinstance(value, int | np.integer) and value in (0, 1):
        return bool(value)
    raise DetectionParameterError(f"{name} must be TRUE or FALSE, got {value!r}.")


def choice(name: str, value, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise DetectionParameterError(
            f"{name} must be one of {', '.join(repr(c) for c in choices)}, got {value!r}."
        )
    return value


def power_transform(value) -> float:
    if isinstance(value, str) and value.strip() in POWER_TRANSFORMS:
        return POWER_TRANSFORMS[value.strip()]
    raise DetectionParameterError(f"powertrans must be one of '2/3', '1/2', 'none', got {value!r}.")


def limit54_pair(value) -> tuple[int, int]:
    parts = _text_list(value) if isinstance(value, str) else value
    try:
        cases, periods = parts
    except (TypeError, ValueError):
        raise DetectionParameterError(
            f"limit54 must be two whole numbers (cases, periods), got {value!r}."
        ) from None
    cases = whole("limit54 cases", cases, minimum=0)
    periods = whole("limit54 periods", periods, minimum=1)
    return cases, periods
