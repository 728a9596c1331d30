"""CSV exports of the care team's worklists: the ED worklist (de-identified fields, as
on the page) and the follow-up worklist (names, as on the page).

Times are local, ISO 8601. Text that a spreadsheet would run as a formula is prefixed
with an apostrophe. The views audit every export.
"""

import csv
import io
from collections.abc import Iterable

from django.utils import timezone

from cairn.cases.models.followups import FollowUp
from cairn.surveillance.models import Event

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

WORKLIST_HEADER = [
    "record_id",
    "source",
    "occurred_at",
    "community",
    "facility",
    "age_band",
    "sex",
    "chief_complaint",
    "disposition",
]
FOLLOW_UP_HEADER = [
    "follow_up_id",
    "client_record_id",
    "person",
    "episode_id",
    "discharged_at",
    "due_at",
    "hours_allowed",
    "tier_at_due",
    "state",
    "escalated_at",
    "contacted_at",
    "contact_outcome",
    "team",
]


def text(value) -> str:
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def when(value) -> str:
    return timezone.localtime(value).isoformat(timespec="minutes") if value else ""


def _csv(header: list[str], rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def worklist_csv(events: Iterable[Event]) -> str:
    return _csv(
        WORKLIST_HEADER,
        (
            [
                str(e.pk),
                e.source,
                when(e.occurred_at),
                text(e.community.name if e.community else ""),
                text(e.facility),
                text(e.age_band),
                text(e.sex),
                text(e.chief_complaint),
                text(e.disposition),
            ]
            for e in events
        ),
    )


def follow_ups_csv(rows: Iterable[FollowUp], now=None) -> str:
    now = now or timezone.now()
    return _csv(
        FOLLOW_UP_HEADER,
        (
            [
                str(f.pk),
                str(f.client_id),
                text(f.client.display_name),
                str(f.episode_id),
                when(f.discharged_at),
                when(f.due_at),
                str(f.hours_allowed),
                f.tier_at_due,
                f.state(now),
                when(f.escalated_at),
                when(f.contacted_at),
                f.contact_outcome,
                text(f.organization.name),
            ]
            for f in rows
        ),
    )
