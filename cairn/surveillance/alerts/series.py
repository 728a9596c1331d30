"""The series behind an alert, with its expected band, for the alert's page.

Counts come from the maintained counts (`count_series`); the expected value and upper
bound are recomputed for the displayed window by the alert's own method (one series,
milliseconds for EARS and ESSENCE, a few GLM fits for Farrington). For a spike rule,
the expected value is the community's daily average over the previous 28 days and the
upper bound is the rule's threshold (automatic thresholds day by day).
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from cairn.access.suppression import suppress_count, suppression_threshold
from cairn.surveillance.alerts.describe import method_label
from cairn.surveillance.alerts.rules import BASELINE_DAYS, MIN_BASELINE_DAYS, automatic_threshold
from cairn.surveillance.alerts.statistical import METHOD_CONFIGS, detect_series
from cairn.surveillance.counts.queries import count_series, period_start
from cairn.surveillance.models.alerts import SPIKE_RULE_METHOD, Alert, AlertPeriod

SHOWN_PERIODS = {AlertPeriod.DAY: 56, AlertPeriod.WEEK: 26}
AFTER_PERIODS = {AlertPeriod.DAY: 14, AlertPeriod.WEEK: 4}


@dataclass(frozen=True)
class AlertSeries:
    periods: list[dt.date]
    observed: list[int | None]
    expected: list[float | None]
    upperbound: list[float | None]
    alarms: list[bool]
    title: str
    bound_label: str


def _step(period: str) -> dt.timedelta:
    return dt.timedelta(days=1 if period == AlertPeriod.DAY else 7)


def alert_series(alert: Alert, *, exact: bool, today: dt.date | None = None) -> AlertSeries:
    today = today or timezone.localdate()
    period = AlertPeriod.DAY if alert.is_spike_rule else alert.period
    step = _step(period)
    last = period_start(min(alert.period_end + step * AFTER_PERIODS[period], today), period)
    last = max(last, period_start(alert.period_end, period))
    first = min(
        period_start(alert.period_start, period) - step * (SHOWN_PERIODS[period] // 2),
        last - step * (SHOWN_PERIODS[period] - 1),
    )
    if alert.is_spike_rule:
        history = BASELINE_DAYS
        params: dict = {}
    else:
        config = METHOD_CONFIGS.get(alert.method)
        trigger = alert.signals.filter(method=alert.method).order_by("period_start").first()
        params = dict(trigger.details) if trigger else {}
        history = config.history if config else 0
        if config and config.years_back and "b" in params:
            history = int(params["b"]) * 52 + int(params.get("w", 3))
    series = count_series(
        jurisdiction=alert.community,
        definition=alert.definition.slug,
        source=alert.source or None,
        freq=period,
        start=first - step * history,
        end=last,
    )
    counts = np.asarray(series.counts, dtype=np.int64)
    periods = list(series.periods)
    shown = slice(max(0, len(periods) - ((last - first) // step + 1)), len(periods))
    if alert.is_spike_rule:
        expected, upper = _spike_band(alert, counts)
    else:
        config = METHOD_CONFIGS.get(alert.method)
        result = detect_series(config, counts, periods, params) if config else None
        if result is None:
            expected = upper = np.full(len(counts), np.nan)
        else:
            expected, upper = result.expected, result.upperbound
    signalled = set(alert.signals.filter(period=period).values_list("period_start", flat=True))
    periods = periods[shown]
    observed = [int(c) for c in counts[shown]]
    expected_list = _floats(expected[shown], exact)
    upper_list = _floats(upper[shown], exact)
    if not exact:
        observed = [suppress_count(c) for c in observed]
    what = "Day" if period == AlertPeriod.DAY else "Week"
    return AlertSeries(
        periods=periods,
        observed=observed,
        expected=expected_list,
        upperbound=upper_list,
        alarms=[p in signalled for p in periods],
        title=(
            f"{alert.definition.name} events in {alert.community.name} by "
            f"{what.lower()}, with {method_label(alert.method)}'s expected range"
        ),
        bound_label="Threshold" if alert.is_spike_rule else "Upper bound",
    )


def _spike_band(alert: Alert, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(counts)
    expected = np.full(n, np.nan)
    upper = np.full(n, np.nan)
    trigger = alert.signals.filter(method=SPIKE_RULE_METHOD).order_by("period_start").first()
    details = trigger.details if trigger else {}
    hours = int(details.get("window_hours", 24))
    fixed = None if details.get("automatic", True) else details.get("threshold")
    cumulative = np.concatenate([[0], np.cumsum(counts)])
    for i in range(n):
        days = min(i, BASELINE_DAYS)
        if days < MIN_BASELINE_DAYS:
            continue
        mean = (cumulative[i] - cumulative[i - days]) / days * hours / 24
        expected[i] = mean
        upper[i] = fixed if fixed is not None else automatic_threshold(mean)
    return expected, upper


def _floats(values, exact: bool) -> list[float | None]:
    out: list[float | None] = []
    for value in values:
        value = float(value)
        if np.isnan(value) or (not exact and value < suppression_threshold()):
            out.append(None)
        else:
            out.append(value)
    return out
