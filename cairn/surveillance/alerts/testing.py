"""Helpers for the alert tests: overdose events that meet the definitions, and alerts.

Used only by tests (cairn/surveillance/tests/test_alert_*.py, tests/browser/test_alerts.py).
"""

import datetime as dt
import itertools
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from cairn.surveillance.alerts.actions import SignalCandidate, record_signal
from cairn.surveillance.classification import classify_and_store
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models import CaseDefinition, Event, Source
from cairn.surveillance.models.alerts import Alert, AlertPeriod

OVERDOSE_COMPLAINT = "suspected opioid OD, found unresponsive"
OTHER_COMPLAINT = "ankle sprain after fall"
_numbers = itertools.count(1)


def definitions() -> dict[str, CaseDefinition]:
    load_default_definitions()
    return {d.slug: d for d in CaseDefinition.objects.all()}


def local(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def overdose_events(
    community,
    times: Iterable[dt.datetime],
    *,
    complaint: str = OVERDOSE_COMPLAINT,
    codes: list[str] | None = None,
    source: str = Source.EMERGENCY_DEPARTMENT,
) -> list[Event]:
    """Saved, classified events (matches stored) at the given times.

    In one transaction, as intake stores them, so that the counts and the real-time
    rules that run after commit see the matches.
    """
    with transaction.atomic():
        return _create_and_classify(community, times, complaint, codes, source)


def _create_and_classify(community, times, complaint, codes, source) -> list[Event]:
    events = [
        Event.objects.create(
            source=source,
            occurred_at=moment,
            community=community,
            age_band="30-34",
            sex="M",
            chief_complaint=complaint,
            diagnosis_codes=["T40.4X1A"] if codes is None else codes,
            dedup_key=f"test:alert:{next(_numbers)}",
        )
        for moment in times
    ]
    classify_and_store(events)
    return events


def daily_background(community, *, first: dt.date, days: int, per_day: int) -> list[Event]:
    """per_day events every day, spread over the day (a steady baseline)."""
    times = [
        local(first + dt.timedelta(days=d), 2 + (20 * i) // max(per_day, 1))
        for d in range(days)
        for i in range(per_day)
    ]
    return overdose_events(community, times)


def signal(
    community,
    definition: CaseDefinition,
    day: dt.date,
    *,
    method: str = "ears-c2",
    period: str = AlertPeriod.DAY,
    observed: int = 12,
    expected: float = 3.0,
    upperbound: float = 8.0,
    source: str = "",
) -> SignalCandidate:
    days = 1 if period == AlertPeriod.DAY else 7
    return SignalCandidate(
        community_id=community.pk,
        definition_id=definition.pk,
        source=source,
        method=method,
        period=period,
        period_start=day,
        period_end=day + dt.timedelta(days=days - 1),
        observed=observed,
        expected=expected,
        upperbound=upperbound,
    )


def make_alert(community, definition: CaseDefinition, day: dt.date, **kwargs) -> Alert:
    """An alert raised by one signal, not notified (tests of pages and the lifecycle)."""
    return record_signal(signal=signal(community, definition, day, **kwargs), notify=False).alert
