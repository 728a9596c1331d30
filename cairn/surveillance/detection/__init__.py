"""Aberration detection: pure functions on count series (numpy/scipy, no Django).

    result = detect("ears-c2", counts, minSigma=1)
    result.upperbound, result.alarm, result.defined

Methods (docs/detection.md has the formulas, parameters and R quirks):
- "ears-c1", "ears-c2", "ears-c3": EARS as R surveillance::earsC (ears.py)
- "farrington-flexible", "farrington": surveillance::farringtonFlexible and
  algo.farrington (farrington.py, docs/detection-farrington.md)
- "ewma", "regression", "switch": CDC ESSENCE detectors as Rnssp's alert_ewma,
  alert_regression and alert_switch, for daily counts (essence.py)

Parameters use R's names (baseline, minSigma, alpha, b, w, limit54, ...; B, g, w1, w2).
An unknown parameter or a value a method cannot use raises DetectionParameterError.
"""

import importlib
import inspect
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from cairn.surveillance.detection.base import (
    DetectionParameterError,
    DetectionResult,
    as_observed,
)
from cairn.surveillance.detection.ears import ears_c1, ears_c2, ears_c3
from cairn.surveillance.detection.essence import alert_ewma, alert_regression, alert_switch

__all__ = ["METHODS", "METHOD_LABELS", "DetectionParameterError", "DetectionResult", "detect"]

# Arguments every method takes besides its own parameters.
CONTEXT_ARGUMENTS = ("observed", "freq", "dates", "population")


class _LazyMethod:
    """A method whose module is imported on first use (Farrington lives in its own module)."""

    def __init__(self, key: str, module: str, name: str):
        self.key, self.module, self.name = key, module, name

    def resolve(self) -> Callable[..., DetectionResult]:
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError as error:
            if error.name != self.module:
                raise
            raise DetectionParameterError(
                f"method {self.key!r} is not available in this installation "
                f"({self.module} is missing)."
            ) from None
        return getattr(module, self.name)

    def __call__(self, observed, **kwargs) -> DetectionResult:
        return self.resolve()(observed, **kwargs)


METHODS: dict[str, Callable[..., DetectionResult]] = {
    "ears-c1": ears_c1,
    "ears-c2": ears_c2,
    "ears-c3": ears_c3,
    "farrington-flexible": _LazyMethod(
        "farrington-flexible", "cairn.surveillance.detection.farrington", "farrington_flexible"
    ),
    "farrington": _LazyMethod(
        "farrington", "cairn.surveillance.detection.farrington", "farrington_classic"
    ),
    "ewma": alert_ewma,
    "regression": alert_regression,
    "switch": alert_switch,
}

METHOD_LABELS = {
    "ears-c1": "EARS C1",
    "ears-c2": "EARS C2",
    "ears-c3": "EARS C3",
    "farrington-flexible": "Farrington flexible",
    "farrington": "Farrington (classic)",
    "ewma": "ESSENCE EWMA",
    "regression": "ESSENCE adaptive regression",
    "switch": "ESSENCE regression/EWMA switch",
}


def method_function(method: str) -> Callable[..., DetectionResult]:
    """The function behind a method key (imports Farrington's module if needed)."""
    try:
        function = METHODS[method]
    except (KeyError, TypeError):
        raise DetectionParameterError(
            f"unknown detection method {method!r}; methods: {', '.join(METHODS)}."
        ) from None
    return function.resolve() if isinstance(function, _LazyMethod) else function


def parameter_names(method: str) -> list[str] | None:
    """The R-named parameters a method accepts (None if it takes any keyword)."""
    names = _keyword_parameters(method_function(method))
    return None if names is None else list(names)


@lru_cache(maxsize=64)
def _keyword_parameters(function: Callable) -> tuple[str, ...] | None:
    names = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            return None
        keyword = parameter.kind is inspect.Parameter.KEYWORD_ONLY
        if keyword and parameter.name not in CONTEXT_ARGUMENTS:
            names.append(parameter.name)
    return tuple(names)


def detect(
    method: str,
    observed,
    *,
    dates=None,
    population=None,
    freq: int = 52,
    **params,
) -> DetectionResult:
    """Run one detection method over a series (one value per period, oldest first).

    freq: periods per year, 52 weekly, 365 daily (7 is accepted as daily by ESSENCE).
    """
    function = method_function(method)
    valid = _keyword_parameters(function)
    if valid is not None:
        unknown = [name for name in params if name not in valid]
        if unknown:
            raise DetectionParameterError(
                f"unknown parameter {unknown[0]!r} for {method}; "
                f"valid parameters: {', '.join(valid) or '(none)'}."
            )
    if isinstance(freq, bool) or not isinstance(freq, int | np.integer) or freq < 1:
        raise DetectionParameterError(f"freq must be a positive whole number, got {freq!r}.")
    values = as_observed(observed)
    if population is not None:
        try:
            population = np.asarray(population, dtype=np.float64)
        except (TypeError, ValueError):
            raise DetectionParameterError("population: expected numbers.") from None
        if population.shape != values.shape:
            raise DetectionParameterError(
                f"population: expected {values.shape[0]} values, one per observation, "
                f"got {population.size}."
            )
    return function(values, dates=dates, population=population, freq=int(freq), **params)
