"""Reads of surveillance events, returning plain numbers.

These functions do not decide who may see what: the caller asks `cairn.access`
for the user's data tier and suppresses small counts where the tier requires it.
"""

from datetime import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q

from cairn.geography.models import Jurisdiction
from cairn.surveillance.models import Event, EventMatch, Source


def latest_event_time() -> datetime | None:
    """When the most recent event anywhere happened: the end of "the last 12 months of data".

    One query per source, each answered from the (source, occurred_at) index, rather
    than one MAX over the whole table, which no index serves.
    """
    latest = [
        Event.objects.filter(source=source).aggregate(latest=Max("occurred_at"))["latest"]
        for source in Source.values
    ]
    known = [moment for moment in latest if moment is not None]
    return max(known) if known else None


OVERDOSE_DEFINITION = "all_drug"


def community_event_counts(
    community: Jurisdiction, *, since: datetime, until: datetime | None = None
) -> dict[str, int]:
    """Overdose events in a community by source, from `since` to `until` (inclusive).

    Paramedic, first-responder and coroner records are overdose reports by nature; an
    ED visit counts only when it meets the `all_drug` case definition (most ED visits
    are for something else). Every source is present, with 0 where nothing was
    recorded. One aggregate query on the (community, occurred_at) index.
    """
    overdose_visits = EventMatch.objects.filter(
        event=OuterRef("pk"), definition__slug=OVERDOSE_DEFINITION
    )
    events = Event.objects.filter(community=community, occurred_at__gte=since).filter(
        ~Q(source=Source.EMERGENCY_DEPARTMENT) | Exists(overdose_visits)
    )
    if until is not None:
        events = events.filter(occurred_at__lte=until)
    counts = dict.fromkeys(Source.values, 0)
    for row in events.values("source").annotate(events=Count("id")).order_by():
        counts[row["source"]] = row["events"]
    return counts
