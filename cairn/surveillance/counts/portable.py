"""Counts on databases other than PostgreSQL (SQLite, for the demo): the same rows as
the set-based SQL of `maintain`, from plain ORM reads and Python. Slower, and simple."""

import datetime as dt
import zoneinfo
from collections import Counter

from django.conf import settings
from django.db import connection

from cairn.surveillance.models import Event, EventMatch, EventRevision
from cairn.surveillance.models.counts import CountCellToRecount, DailyCount, DailyCountByAge

DAILY = DailyCount._meta.db_table
BY_AGE = DailyCountByAge._meta.db_table

Cell = tuple[int | None, dt.date]


def _time_zone() -> str:
    return settings.TIME_ZONE


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(_time_zone())).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[local midnight, next local midnight) of a day, as aware datetimes."""
    zone = zoneinfo.ZoneInfo(_time_zone())
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def mark_portable(ids: list[int]) -> None:
    cells: set[Cell] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for community_id, occurred_at in Event.objects.filter(pk__in=chunk).values_list(
            "community_id", "occurred_at"
        ):
            cells.add((community_id, local_day(occurred_at)))
        for (previous,) in EventRevision.objects.filter(event_id__in=chunk).values_list("previous"):
            cell = _previous_cell(previous)
            if cell is not None:
                cells.add(cell)
    CountCellToRecount.objects.bulk_create(
        CountCellToRecount(community_id=community_id, day=day) for community_id, day in cells
    )


def _previous_cell(previous) -> Cell | None:
    if not isinstance(previous, dict) or not previous.get("occurred_at"):
        return None
    occurred_at = dt.datetime.fromisoformat(previous["occurred_at"])
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=dt.UTC)
    community_id = previous.get("community_id")
    return (int(community_id) if community_id is not None else None, local_day(occurred_at))


def recount_portable(cells: set[Cell]) -> None:
    for community_id, day in cells:
        start, end = day_bounds(day)
        DailyCount.objects.filter(community_id=community_id, day=day).delete()
        DailyCountByAge.objects.filter(community_id=community_id, day=day).delete()
        events = Event.objects.filter(
            community_id=community_id, occurred_at__gte=start, occurred_at__lt=end
        )
        totals = Counter(events.values_list("source", flat=True))
        by_age = Counter(
            EventMatch.objects.filter(event__in=events).values_list(
                "event__source", "definition_id", "event__age_band", "event__sex"
            )
        )
        _write_portable(
            {(community_id, day, s): n for s, n in totals.items()},
            {(community_id, day, s, d, a, x): n for (s, d, a, x), n in by_age.items()},
        )


def _write_portable(totals: dict, by_age: dict) -> int:
    per_definition: Counter = Counter()
    for (community_id, day, source, definition_id, _, _), n in by_age.items():
        per_definition[(community_id, day, source, definition_id)] += n
    daily = [(c, d.isoformat(), s, None, n) for (c, d, s), n in totals.items()] + [
        (c, d.isoformat(), s, f, n) for (c, d, s, f), n in per_definition.items()
    ]
    # Plain executemany: building a model instance per row costs ten times the insert.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {DAILY} (community_id, day, source, definition_id, count) "
            "VALUES (%s, %s, %s, %s, %s)",
            daily,
        )
        cursor.executemany(
            f"INSERT INTO {BY_AGE} "
            "(community_id, day, source, definition_id, age_band, sex, count) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(c, d.isoformat(), s, f, a, x, n) for (c, d, s, f, a, x), n in by_age.items()],
        )
    return len(daily)


def rebuild_portable(*, definitions_only: bool) -> int:
    CountCellToRecount.objects.all().delete()
    totals: Counter = Counter()
    if definitions_only:
        DailyCount.objects.filter(definition__isnull=False).delete()
    else:
        DailyCount.objects.all().delete()
        for community_id, occurred_at, source in Event.objects.values_list(
            "community_id", "occurred_at", "source"
        ).iterator(chunk_size=10_000):
            totals[(community_id, local_day(occurred_at), source)] += 1
    DailyCountByAge.objects.all().delete()
    by_age: Counter = Counter()
    for (
        community_id,
        occurred_at,
        source,
        definition_id,
        age_band,
        sex,
    ) in EventMatch.objects.values_list(
        "event__community_id",
        "event__occurred_at",
        "event__source",
        "definition_id",
        "event__age_band",
        "event__sex",
    ).iterator(chunk_size=10_000):
        by_age[(community_id, local_day(occurred_at), source, definition_id, age_band, sex)] += 1
    return _write_portable(totals, by_age)
