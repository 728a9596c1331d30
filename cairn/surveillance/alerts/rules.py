"""ODMAP-style spike rules: N or more events meeting a definition within 24 hours.

Rules read the events directly (their time, not their day), so a cluster across
midnight counts as one. A window is the 24 hours up to and including an event:
events at t with end − 24 h < t ≤ end. Two events exactly 24 hours apart are not
"within 24 hours" of each other.

Which rule applies in a community: its own rule for the definition and source (even
inactive, which switches the default off there), else the province-wide default
(community empty). A rule without a threshold is automatic: the smallest count that
the community's average over the previous 28 days (at least 7 days of data) would
reach by chance in a window less than once in 10,000 windows (Poisson), and at least
AUTOMATIC_FLOOR. A day signals when any window ending that day reaches the threshold.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.utils import timezone
from scipy.stats import poisson

from cairn.surveillance.alerts.actions import SignalCandidate
from cairn.surveillance.models import Event
from cairn.surveillance.models.alerts import SPIKE_RULE_METHOD, AlertPeriod, SpikeRule

AUTOMATIC_ALPHA = 1e-4
AUTOMATIC_FLOOR = 3
BASELINE_DAYS = 28
MIN_BASELINE_DAYS = 7


@dataclass(frozen=True)
class RuleFor:
    community_id: int
    rule: SpikeRule


def rules_in_force(community_ids: Iterable[int]) -> dict[tuple[int, str], list[RuleFor]]:
    """(definition id, source) -> the active rule of each community, after overrides."""
    community_ids = set(community_ids)
    rules = list(SpikeRule.objects.all())
    defaults = {(r.definition_id, r.source): r for r in rules if r.community_id is None}
    own = {(r.community_id, r.definition_id, r.source): r for r in rules if r.community_id}
    found: dict[tuple[int, str], list[RuleFor]] = defaultdict(list)
    keys = set(defaults) | {(d, s) for c, d, s in own if c in community_ids}
    for key in sorted(keys):
        for community_id in sorted(community_ids):
            rule = own.get((community_id, *key), defaults.get(key))
            if rule is not None and rule.active:
                found[key].append(RuleFor(community_id, rule))
    return dict(found)


def first_event_days(community_ids: Iterable[int]) -> dict[int, dt.date]:
    """Each community's first local day with an event: before it, days are "no data".

    One indexed query per community (event_community_time), cheaper than a scan.
    """
    days = {}
    for community_id in community_ids:
        first = (
            Event.objects.filter(community_id=community_id)
            .order_by("occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        if first is not None:
            days[community_id] = timezone.localtime(first).date()
    return days


def day_boundaries(first_day: dt.date, n_days: int) -> np.ndarray:
    """Epoch seconds of the local midnights starting each day, and the end of the last."""
    zone = timezone.get_current_timezone()
    return np.array(
        [
            dt.datetime.combine(
                first_day + dt.timedelta(days=i), dt.time(), tzinfo=zone
            ).timestamp()
            for i in range(n_days + 1)
        ],
        dtype=np.float64,
    )


def automatic_threshold(expected: float) -> int:
    """Smallest n with P(X ≥ n) ≤ AUTOMATIC_ALPHA for X ~ Poisson(expected), ≥ the floor."""
    return int(automatic_thresholds(np.array([expected]))[0])


def automatic_thresholds(expected: np.ndarray) -> np.ndarray:
    """automatic_threshold for each expected count (one scipy call)."""
    tail = poisson.ppf(1 - AUTOMATIC_ALPHA, np.asarray(expected, dtype=np.float64))
    return np.maximum(AUTOMATIC_FLOOR, tail.astype(np.int64) + 1)


def evaluate_spike_rules(
    *,
    start: dt.date,
    end: dt.date,
    community_ids: Iterable[int] | None = None,
    definition_ids: Iterable[int] | None = None,
    first_days: dict[int, dt.date] | None = None,
) -> list[SignalCandidate]:
    """The spike-rule signals of each local day from start to end (inclusive)."""
    if end < start:
        return []
    if community_ids is None:
        from cairn.geography.models import Jurisdiction, Level

        community_ids = Jurisdiction.objects.filter(level=Level.COMMUNITY).values_list(
            "pk", flat=True
        )
    community_ids = list(community_ids)
    wanted = None if definition_ids is None else set(definition_ids)
    in_force = {
        key: assigned
        for key, assigned in rules_in_force(community_ids).items()
        if wanted is None or key[0] in wanted
    }
    if not in_force:
        return []
    if first_days is None:
        first_days = first_event_days({a.community_id for v in in_force.values() for a in v})
    signals: list[SignalCandidate] = []
    for (definition_id, source), assigned in in_force.items():
        signals.extend(
            _evaluate(definition_id, source, assigned, start=start, end=end, first_days=first_days)
        )
    return signals


def _evaluate(definition_id, source, assigned, *, start, end, first_days) -> list[SignalCandidate]:
    longest = max(a.rule.window_hours for a in assigned)
    first_day = start - dt.timedelta(days=BASELINE_DAYS + 1 + longest // 24)
    n_days = (end - first_day).days + 1
    bounds = day_boundaries(first_day, n_days)
    events = Event.objects.filter(
        community_id__in=[a.community_id for a in assigned],
        occurred_at__gte=dt.datetime.fromtimestamp(bounds[0], dt.UTC),
        occurred_at__lt=dt.datetime.fromtimestamp(bounds[-1], dt.UTC),
        matches__definition_id=definition_id,
    )
    if source:
        events = events.filter(source=source)
    times: dict[int, list[float]] = defaultdict(list)
    for community_id, occurred_at in events.values_list("community_id", "occurred_at"):
        times[community_id].append(occurred_at.timestamp())
    start_index = (start - first_day).days
    signals = []
    for assignment in assigned:
        stamps = np.sort(np.asarray(times.get(assignment.community_id, []), dtype=np.float64))
        if len(stamps) == 0 or assignment.community_id not in first_days:
            continue
        first_data = max(0, (first_days[assignment.community_id] - first_day).days)
        signals.extend(
            _community_signals(
                assignment,
                definition_id,
                source,
                stamps,
                bounds,
                first_day,
                start_index,
                first_data,
            )
        )
    return signals


def _community_signals(
    assignment: RuleFor,
    definition_id: int,
    source: str,
    stamps: np.ndarray,
    bounds: np.ndarray,
    first_day: dt.date,
    start_index: int,
    first_data: int,
) -> list[SignalCandidate]:
    rule = assignment.rule
    n_days = len(bounds) - 1
    width = rule.window_hours * 3600.0
    day_of = np.searchsorted(bounds, stamps, side="right") - 1
    daily = np.bincount(day_of, minlength=n_days)
    left = np.searchsorted(stamps, stamps - width, side="right")
    in_window = np.arange(len(stamps)) - left + 1
    day_first = np.searchsorted(day_of, np.arange(n_days), side="left")
    day_last = np.searchsorted(day_of, np.arange(n_days), side="right")
    cumulative = np.concatenate([[0], np.cumsum(daily)])
    # Each day's largest window, and the expected count of a window from the days before
    # (all days at once: a threshold per day would call scipy thousands of times).
    days = np.arange(start_index, n_days)
    days = days[day_last[days] > day_first[days]]
    if len(days) == 0:
        return []
    peak_at = np.array(
        [
            lo + int(np.argmax(in_window[lo:hi]))
            for lo, hi in zip(day_first[days], day_last[days], strict=True)
        ]
    )
    observed_all = in_window[peak_at]
    base_from = np.maximum(days - BASELINE_DAYS, first_data)
    base_days = days - base_from
    known = base_days >= MIN_BASELINE_DAYS
    with np.errstate(invalid="ignore", divide="ignore"):
        expected_all = np.where(
            known,
            (cumulative[days] - cumulative[base_from]) / base_days * rule.window_hours / 24,
            np.nan,
        )
    if rule.threshold is not None:
        thresholds = np.full(len(days), rule.threshold)
    else:
        thresholds = automatic_thresholds(np.where(known, expected_all, 0.0))
        thresholds[~known] = np.iinfo(np.int64).max  # automatic, and nothing known yet
    signals = []
    for k in np.flatnonzero(observed_all >= thresholds):
        day, at = int(days[k]), int(peak_at[k])
        observed, threshold = int(observed_all[k]), int(thresholds[k])
        expected = None if not known[k] else float(expected_all[k])
        date = first_day + dt.timedelta(days=day)
        signals.append(
            SignalCandidate(
                community_id=assignment.community_id,
                definition_id=definition_id,
                source=source,
                method=SPIKE_RULE_METHOD,
                period=AlertPeriod.DAY,
                period_start=date,
                period_end=date,
                observed=observed,
                expected=expected,
                upperbound=float(threshold),
                p_value=None if expected is None else float(poisson.sf(observed - 1, expected)),
                window_start=dt.datetime.fromtimestamp(stamps[left[at]], dt.UTC),
                window_end=dt.datetime.fromtimestamp(stamps[at], dt.UTC),
                details={
                    "rule_id": rule.pk,
                    "threshold": threshold,
                    "automatic": rule.threshold is None,
                    "window_hours": rule.window_hours,
                },
            )
        )
    return signals
