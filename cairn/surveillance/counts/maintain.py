"""Keep DailyCount and DailyCountByAge equal to what the events and matches say.

Three entry points:

- `mark_events_for_recount(event_ids)`, inside the transaction that wrote or changed
  the events: inserts the (community, day) cells the events are in now, and every
  cell they were in before an update (from EventRevision.previous), into
  CountCellToRecount. The marks commit or roll back with the events.
- `recount_marked_cells()`, after commit: one recounter at a time (an advisory lock)
  takes every visible mark (DELETE … RETURNING) and recomputes exactly those cells
  from the events and matches, in one transaction. A mark committed after the
  recounter took its snapshot stays for the next recounter, which its own writer
  runs after commit. So counts never miss an event, whatever the interleaving.
- `rebuild_counts()`: everything from scratch, a few set-based statements.

PostgreSQL does all of it in SQL. Elsewhere (SQLite, the demo) the same results come
from plain ORM reads and Python (`portable.py`), slower but simple.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from threading import local

from django.conf import settings
from django.db import connection, transaction

from cairn.surveillance.counts import portable
from cairn.surveillance.models import Event, EventMatch, EventRevision
from cairn.surveillance.models.counts import CountCellToRecount, DailyCount, DailyCountByAge

# One recounter or rebuild at a time, across processes.
ADVISORY_LOCK_KEY = 0x0C0A7E  # "count"

EVENTS = Event._meta.db_table
MATCHES = EventMatch._meta.db_table
REVISIONS = EventRevision._meta.db_table
DAILY = DailyCount._meta.db_table
BY_AGE = DailyCountByAge._meta.db_table
MARKS = CountCellToRecount._meta.db_table
STAGE = "cairn_counts_stage"
RECOUNT_STAGE = "cairn_recount_events"

Cell = tuple[int | None, dt.date]

_state = local()


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _time_zone() -> str:
    return settings.TIME_ZONE


def _lock() -> None:
    if _postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


# Marking -------------------------------------------------------------------------------


@contextmanager
def marking_suspended():
    """Within this block (this thread only), classification marks no cells.

    For re-classification, which changes matches but not where or when events
    happened: it rebuilds the definition counts once at the end instead.
    """
    previous = getattr(_state, "suspended", False)
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = previous


def mark_events_for_recount(event_ids: Sequence[int]) -> None:
    """Mark the cells of these events, now and before any update, for recounting.

    Call inside the transaction that wrote the events (after the update, so the
    events' current values are the new ones).
    """
    if getattr(_state, "suspended", False):
        return
    ids = list(event_ids)
    if not ids:
        return
    if _postgresql():
        _mark_postgresql(ids)
    else:
        portable.mark_portable(ids)


def _mark_postgresql(ids: list[int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {MARKS} (community_id, day)
            SELECT community_id, (occurred_at AT TIME ZONE %(tz)s)::date
              FROM {EVENTS} WHERE id = ANY(%(ids)s)
            UNION
            SELECT (previous->>'community_id')::bigint,
                   ((previous->>'occurred_at')::timestamptz AT TIME ZONE %(tz)s)::date
              FROM {REVISIONS}
             WHERE event_id = ANY(%(ids)s) AND previous->>'occurred_at' IS NOT NULL
            """,
            {"tz": _time_zone(), "ids": ids},
        )


# Recounting ----------------------------------------------------------------------------


def recount_marked_cells() -> list[tuple[int, dt.date]]:
    """Recount the marked cells; returns the (community id, day) cells recounted.

    Unknown-place cells are recounted too but not returned (no community to alert).
    """
    if not CountCellToRecount.objects.exists():
        # Nothing visible: a mark not yet committed is its writer's to recount.
        return []
    with transaction.atomic():
        _lock()
        if _postgresql():
            # A recount lost in a crash loses its taking of the marks too: redone later.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        cells = _take_marks()
        if cells:
            recount_cells(cells)
    return sorted(((c, d) for c, d in cells if c is not None), key=lambda cell: (cell[0], cell[1]))


def _take_marks() -> set[Cell]:
    if _postgresql():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {MARKS} RETURNING community_id, day")
            return set(cursor.fetchall())
    marks = list(CountCellToRecount.objects.values_list("pk", "community_id", "day"))
    CountCellToRecount.objects.filter(pk__in=[pk for pk, _, _ in marks]).delete()
    return {(community_id, day) for _, community_id, day in marks}


def recount_cells(cells: Iterable[Cell]) -> None:
    """Recompute these cells' rows from the events and matches (caller holds the lock)."""
    cells = set(cells)
    if not cells:
        return
    if _postgresql():
        _recount_postgresql(cells)
    else:
        portable.recount_portable(cells)


def _recount_postgresql(cells: set[Cell]) -> None:
    placed = sorted((c, d) for c, d in cells if c is not None)
    unknown_days = sorted(d for c, d in cells if c is None)
    params = {
        "communities": [c for c, _ in placed],
        "days": [d for _, d in placed],
        "unknown_days": unknown_days,
        "tz": _time_zone(),
    }
    with connection.cursor() as cursor:
        for table in (DAILY, BY_AGE):
            cursor.execute(
                f"""DELETE FROM {table} t
                     USING unnest(%(communities)s::bigint[], %(days)s::date[])
                           AS c(community_id, day)
                     WHERE t.community_id = c.community_id AND t.day = c.day""",
                params,
            )
            cursor.execute(
                f"""DELETE FROM {table}
                     WHERE community_id IS NULL AND day = ANY(%(unknown_days)s::date[])""",
                params,
            )
        cursor.execute("SET LOCAL jit = off")  # compiling costs more than the query saves
        # The events of the cells, in a temporary table whose size the planner sees, so it
        # joins them to the matches sensibly. It cannot estimate the per-cell time ranges
        # and would scan all the events: probe the (community, occurred_at) index instead.
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(
            f"""
            CREATE TEMP TABLE {RECOUNT_STAGE} ON COMMIT DROP AS
            SELECT e.id, e.community_id, c.day, e.source, e.age_band, e.sex
              FROM unnest(%(communities)s::bigint[], %(days)s::date[]) AS c(community_id, day)
              JOIN {EVENTS} e
                ON e.community_id = c.community_id
               AND e.occurred_at >= (c.day::timestamp AT TIME ZONE %(tz)s)
               AND e.occurred_at < ((c.day + 1)::timestamp AT TIME ZONE %(tz)s)
            UNION ALL
            SELECT e.id, NULL, u.day, e.source, e.age_band, e.sex
              FROM unnest(%(unknown_days)s::date[]) AS u(day)
              JOIN {EVENTS} e
                ON e.community_id IS NULL
               AND e.occurred_at >= (u.day::timestamp AT TIME ZONE %(tz)s)
               AND e.occurred_at < ((u.day + 1)::timestamp AT TIME ZONE %(tz)s)
            """,
            params,
        )
        cursor.execute("SET LOCAL enable_hashjoin TO DEFAULT")
        cursor.execute("SET LOCAL enable_mergejoin TO DEFAULT")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")
        cursor.execute(
            f"""INSERT INTO {DAILY} (community_id, day, source, definition_id, count)
                SELECT community_id, day, source, NULL, count(*) FROM {RECOUNT_STAGE}
                 GROUP BY 1, 2, 3"""
        )
        cursor.execute(
            f"""
            WITH matched AS MATERIALIZED (
                SELECT ev.community_id, ev.day, ev.source, m.definition_id, ev.age_band, ev.sex,
                       count(*) AS n
                  FROM {RECOUNT_STAGE} ev JOIN {MATCHES} m ON m.event_id = ev.id
                 GROUP BY 1, 2, 3, 4, 5, 6
            ),
            by_age AS (
                INSERT INTO {BY_AGE}
                       (community_id, day, source, definition_id, age_band, sex, count)
                SELECT * FROM matched
            )
            INSERT INTO {DAILY} (community_id, day, source, definition_id, count)
            SELECT community_id, day, source, definition_id, sum(n) FROM matched
             GROUP BY 1, 2, 3, 4
            """
        )
        cursor.execute(f"DROP TABLE {RECOUNT_STAGE}")
        cursor.execute("SET LOCAL jit TO DEFAULT")


# Rebuilding ----------------------------------------------------------------------------


def rebuild_counts(*, definitions_only: bool = False) -> int:
    """Recompute every count from the events and matches; returns the DailyCount rows written.

    definitions_only: keep the all-events rows (they do not depend on classification)
    and recompute the rows per definition only: what re-classification needs. Where
    events were never counted at all (loaded around intake, as the demo loader does),
    everything is rebuilt.
    """
    with transaction.atomic():
        _lock()
        if (
            definitions_only
            and not DailyCount.objects.filter(definition__isnull=True).exists()
            and Event.objects.exists()
        ):
            definitions_only = False
        if _postgresql():
            return _rebuild_postgresql(definitions_only=definitions_only)
        return portable.rebuild_portable(definitions_only=definitions_only)


# Extended statistics on the events (created by migration 0005_counts): without them the
# planner guesses millions of (community, day, source) groups and aggregates 10 million
# rows in one process; with them it aggregates in parallel workers.
EVENT_DAY_STATISTICS = "surveillance_event_community_day_source"


def _rebuild_postgresql(*, definitions_only: bool) -> int:
    written = 0
    with connection.cursor() as cursor:
        # Marks committed so far are covered by what follows (each statement below
        # sees at least what had committed when this one ran).
        cursor.execute(f"DELETE FROM {MARKS}")
        # Derived data: a commit lost in a crash leaves the previous counts, whole.
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        # occurred_at::date is the local day in the session's time zone; much cheaper per
        # row than AT TIME ZONE 'name', which looks the zone up for every row.
        cursor.execute("SELECT current_setting('TimeZone')")
        (previous_zone,) = cursor.fetchone()
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [_time_zone()])
        if definitions_only:
            cursor.execute(f"DELETE FROM {DAILY} WHERE definition_id IS NOT NULL")
            cursor.execute(f"TRUNCATE {BY_AGE}")
        else:
            _analyze_events_if_never_analyzed(cursor)
            cursor.execute(f"TRUNCATE {DAILY}, {BY_AGE}")
        # Filling the tables and then indexing them is several times faster than
        # maintaining the indexes row by row. Readers wait for this transaction anyway
        # (TRUNCATE, DROP INDEX): a rebuild is seconds.
        indexes = _drop_secondary_indexes(cursor, [DAILY, BY_AGE])
        if not definitions_only:
            # CREATE TABLE AS may scan and aggregate in parallel workers; INSERT … SELECT
            # may not (PostgreSQL 15), which makes it three times slower on 10M events.
            cursor.execute(
                f"""CREATE TEMP TABLE {STAGE} ON COMMIT DROP AS
                    SELECT community_id, occurred_at::date AS day, source, count(*) AS n
                      FROM {EVENTS} GROUP BY 1, 2, 3"""
            )
            cursor.execute(
                f"""INSERT INTO {DAILY} (community_id, day, source, definition_id, count)
                    SELECT community_id, day, source, NULL, n FROM {STAGE}"""
            )
            written += cursor.rowcount
            cursor.execute(f"DROP TABLE {STAGE}")
        cursor.execute(
            f"""CREATE TEMP TABLE {STAGE} ON COMMIT DROP AS
                SELECT e.community_id, e.occurred_at::date AS day, e.source, m.definition_id,
                       e.age_band, e.sex, count(*) AS n
                  FROM {MATCHES} m JOIN {EVENTS} e ON e.id = m.event_id
                 GROUP BY 1, 2, 3, 4, 5, 6"""
        )
        cursor.execute(
            f"""INSERT INTO {BY_AGE}
                       (community_id, day, source, definition_id, age_band, sex, count)
                SELECT community_id, day, source, definition_id, age_band, sex, n FROM {STAGE}"""
        )
        cursor.execute(f"DROP TABLE {STAGE}")
        cursor.execute(
            f"""INSERT INTO {DAILY} (community_id, day, source, definition_id, count)
                SELECT community_id, day, source, definition_id, sum(count)
                  FROM {BY_AGE} GROUP BY 1, 2, 3, 4"""
        )
        written += cursor.rowcount
        for definition in indexes:
            cursor.execute(definition)
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [previous_zone])
        cursor.execute("SET LOCAL work_mem TO DEFAULT")
        cursor.execute("SET LOCAL jit TO DEFAULT")
    return written


def _drop_secondary_indexes(cursor, tables: list[str]) -> list[str]:
    """Drop the tables' indexes other than primary keys; returns how to create them again."""
    cursor.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
             JOIN pg_class c ON c.relname = i.indexname
             JOIN pg_index x ON x.indexrelid = c.oid
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT x.indisprimary""",
        [tables],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def _analyze_events_if_never_analyzed(cursor) -> None:
    """A freshly loaded events table has no statistics yet: gather them (a second or two)."""
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_stats_ext WHERE statistics_name = %s)",
        [EVENT_DAY_STATISTICS],
    )
    (analyzed,) = cursor.fetchone()
    if not analyzed:
        cursor.execute(f"ANALYZE {EVENTS}")
