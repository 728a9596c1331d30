"""Opening hours for "open now": each weekly HSDS schedule written out one row per weekday.

HSDS says when a service is open as iCal-style text: `freq` WEEKLY, `byday` "MO,TU,WE",
`opens_at` "09:00", `closes_at` "17:00". A schedule is written out when it is weekly (or
gives no `freq`), names its days and both times; the rest (monthly, by week number, "1MO")
stay text only and are not "open now" candidates. Hours past midnight (22:00-02:00) become
two rows: 22:00-23:59:59.999999 that day and 00:00-02:00 the next.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from cairn.directory.hsds import writing
from cairn.directory.models import OpeningHours, Schedule, ServiceAtLocation

WEEKDAYS = {"MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6, "SU": 7}
END_OF_DAY = dt.time.max
BATCH = 5000


def parse_time(text: str) -> dt.time | None:
    """'09:00', '9:00', '09:00:00', '0900', '09:00:00Z' or with an offset; None if not a time."""
    text = (text or "").strip().upper()
    if not text:
        return None
    for suffix in ("Z",):
        text = text.removesuffix(suffix)
    if len(text) > 8 and text[8] in "+-":
        text = text[:8]
    if len(text) == 4 and text.isdigit():
        text = f"{text[:2]}:{text[2:]}"
    try:
        return dt.time.fromisoformat(text if len(text.split(":")[0]) == 2 else "0" + text)
    except ValueError:
        return None


def weekdays(byday: str) -> list[int]:
    days = []
    for part in (byday or "").upper().replace(" ", "").split(","):
        if part in WEEKDAYS:
            days.append(WEEKDAYS[part])
    return sorted(set(days))


def hours_rows(
    *, byday: str, freq: str, opens_at: str, closes_at: str
) -> list[tuple[int, dt.time, dt.time]]:
    """(weekday, opens, closes) rows of one schedule; empty when it is not plainly weekly."""
    if (freq or "WEEKLY").upper() != "WEEKLY":
        return []
    days = weekdays(byday)
    opens = parse_time(opens_at)
    closes = (
        END_OF_DAY if (closes_at or "").strip() in ("24:00", "24:00:00") else parse_time(closes_at)
    )
    if not days or opens is None or closes is None:
        return []
    rows = []
    for day in days:
        if closes > opens or closes == END_OF_DAY:
            rows.append((day, opens, closes))
        elif closes == opens == dt.time(0, 0):
            rows.append((day, dt.time(0, 0), END_OF_DAY))  # open all day
        else:  # past midnight
            rows.append((day, opens, END_OF_DAY))
            if closes != dt.time(0, 0):
                rows.append((day % 7 + 1, dt.time(0, 0), closes))
    return rows


def replace_opening_hours(schedules: list[dict]) -> int:
    """Write the OpeningHours of these schedules (dicts with pk, byday, freq, opens_at,
    closes_at, service_id, location_id, service_at_location_id), replacing any they had."""
    if not schedules:
        return 0
    sal_ids = {s["service_at_location_id"] for s in schedules} - {None}
    sal = {}
    if sal_ids:
        sal = {
            pk: (service_id, location_id)
            for pk, service_id, location_id in writing.where_in(
                ServiceAtLocation.objects.all(), "id", sal_ids
            ).values_list("pk", "service_id", "location_id")
        }
    rows = []
    for schedule in schedules:
        via = sal.get(schedule["service_at_location_id"], (None, None))
        service_id = schedule["service_id"] or via[0]
        location_id = schedule["location_id"] or via[1]
        for day, opens, closes in hours_rows(
            byday=schedule["byday"],
            freq=schedule["freq"],
            opens_at=schedule["opens_at"],
            closes_at=schedule["closes_at"],
        ):
            rows.append(
                {
                    "schedule_id": schedule["pk"],
                    "service_id": service_id,
                    "location_id": location_id,
                    "weekday": day,
                    "opens_at": opens,
                    "closes_at": closes,
                }
            )
    with transaction.atomic():
        writing.where_in(
            OpeningHours.objects.all(), "schedule_id", [s["pk"] for s in schedules]
        ).delete()
        writing.insert(OpeningHours, rows)
    return len(rows)


_COLUMNS = (
    "pk",
    "byday",
    "freq",
    "opens_at",
    "closes_at",
    "service_id",
    "location_id",
    "service_at_location_id",
)


def rebuild_opening_hours(
    *,
    schedule_ids: Iterable[int] = (),
    service_at_location_ids: Iterable[int] = (),
    skip: Iterable[int] = (),
) -> int:
    """Rewrite the OpeningHours of these schedules and of the schedules of these
    service-at-locations (but not those in `skip`). Call after changing a schedule."""
    ids = set(schedule_ids)
    sal_ids = list(service_at_location_ids)
    if sal_ids:
        ids |= set(
            writing.where_in(Schedule.objects.all(), "service_at_location_id", sal_ids).values_list(
                "pk", flat=True
            )
        )
    ids = sorted(ids - set(skip))
    written = 0
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        schedules = list(writing.where_in(Schedule.objects.all(), "id", part).values(*_COLUMNS))
        written += replace_opening_hours(schedules)
    return written
