"""Real-time alert rules, checked right after counts change.

`cairn.surveillance.classification.after` calls `check_alert_rules_after_recount`
after the transaction that stored new records commits, with the (community id, local
day) cells recounted. The spike rules of those communities are evaluated for the days
the new records can affect (their day and the next, up to today), and only for recent
days: records arriving about last month are a back-fill, left to `cairn surveillance
run`. New alerts notify people as soon as they commit, so an alert reaches its
recipients within seconds of the record that crossed the threshold. Statistical
methods need whole series and run in `cairn surveillance run --every 60`.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from cairn.surveillance.alerts import config
from cairn.surveillance.alerts.actions import SignalOutcome, record_signal
from cairn.surveillance.alerts.rules import evaluate_spike_rules

logger = logging.getLogger(__name__)


def check_alert_rules_after_recount(recounted: list) -> None:
    """Never raises: an alert problem must not fail the intake that already committed."""
    try:
        check_spike_rules(recounted)
    except Exception:
        logger.exception("Spike rules could not be checked after a recount.")


def days_to_check(
    recounted: Iterable[tuple[int | None, dt.date]], *, today: dt.date
) -> dict[int, set[dt.date]]:
    earliest = today - dt.timedelta(days=config.realtime_days())
    days: dict[int, set[dt.date]] = defaultdict(set)
    for community_id, day in recounted:
        if community_id is None or day is None or not earliest <= day <= today:
            continue
        # A window ending tomorrow still holds tonight's records.
        for affected in (day, day + dt.timedelta(days=1)):
            if affected <= today:
                days[community_id].add(affected)
    return dict(days)


def check_spike_rules(
    recounted: Iterable[tuple[int | None, dt.date]], *, today: dt.date | None = None
) -> list[SignalOutcome]:
    today = today or timezone.localdate()
    wanted = days_to_check(recounted, today=today)
    if not wanted:
        return []
    every_day = {day for days in wanted.values() for day in days}
    signals = evaluate_spike_rules(
        community_ids=sorted(wanted), start=min(every_day), end=max(every_day)
    )
    outcomes: list[SignalOutcome] = []
    # One transaction: the new alerts of this batch are notified together after commit.
    with transaction.atomic():
        for signal in signals:
            if signal.period_start in wanted[signal.community_id]:
                outcomes.append(record_signal(signal=signal))
    return outcomes
