"""Counts on 10 million events in PostgreSQL: full rebuild, and 1,000 new events.

    python bench/bench_counts.py [--database cairn_bench_10m] [--rounds 3] [--batch 1000]

Needs DATABASE_URL pointing to a PostgreSQL server. Uses the persistent database
`cairn_bench_10m` (shared with the dashboard benchmarks: never dropped): if it is
absent, creates it, migrates it, loads BC's geography, the `large` demo province
(about 10.2 million records, several minutes) and classifies every event; if it is
present, migrates it and reuses it. Then prints:

(a) the full rebuild (`rebuild_counts()`) in seconds, best and median of --rounds;
(b) 1,000 new records (ED visits, a few overdoses among them, spread over the last
    three days and every community) accepted in one transaction as a CSV import
    does: the seconds to write, classify and mark them, and the seconds of the
    after-commit recount of exactly their cells;
(c) reads the dashboards make: a province weekly series over the whole span and a
    table of every community's count over 12 months, in milliseconds.

The records it added are deleted afterwards and their cells recounted, so the
database is as it was. Timings include whatever else the machine is doing: the load
average is printed alongside.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg
from benchdb import database_url, migrate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREFIX = "bench:counts:"
COMPLAINTS = [
    ("chest pain", []),
    ("abd pain", ["R10.9"]),
    ("fall from standing", []),
    ("SOB", []),
    ("laceration to hand", ["S61.419A"]),
    ("found down, narcan x2", ["T40.4X1A"]),
    ("meth intox agitated", ["T43.621A"]),
]


def database_exists(base: str, name: str) -> bool:
    with psycopg.connect(base, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def load_average() -> str:
    try:
        return ", ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def prepare(base: str, name: str) -> None:
    """Create and fill the database if absent; migrate it either way."""
    if not database_exists(base, name):
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        print(f"created {name}; loading the large demo province (several minutes)", flush=True)
    os.environ["DATABASE_URL"] = database_url(base, name)
    migrate(dict(os.environ))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    import django

    django.setup()
    from django.conf import settings

    from cairn.demo.actions import default_end_date, ensure_bc_geography, load_demo_data
    from cairn.demo.models import DemoRun
    from cairn.demo.plan import RunSpec
    from cairn.surveillance.classification.reclassify import (
        queue_reclassification,
        run_reclassification,
    )
    from cairn.surveillance.definitions import load_default_definitions
    from cairn.surveillance.models import Event, EventMatch

    ensure_bc_geography()
    if not Event.objects.exists():
        spec = RunSpec(
            seed=1,
            end=default_end_date(),
            scale="large",
            years=2,
            time_zone=settings.TIME_ZONE,
        )
        load_demo_data(spec=spec, progress=sys.stderr.isatty())
    load_default_definitions()
    if not EventMatch.objects.exists():
        started = time.monotonic()
        run_reclassification(queue_reclassification(reason="bench", requested_by="bench"))
        print(f"classified every event in {time.monotonic() - started:.0f} s", flush=True)
    assert DemoRun.objects.exists() or Event.objects.exists()


def new_records(n: int, end: dt.date) -> list:
    import numpy as np

    from cairn.geography.models import Jurisdiction, Level
    from cairn.surveillance.intake.records import IncomingRecord

    codes = list(Jurisdiction.objects.filter(level=Level.COMMUNITY).values_list("code", flat=True))
    rng = np.random.default_rng(int(time.time()))
    stamp = time.strftime("%Y%m%d%H%M%S")
    first = dt.datetime.combine(end - dt.timedelta(days=2), dt.time(0, 0), tzinfo=dt.UTC)
    records = []
    for i in range(n):
        complaint, codes_ = COMPLAINTS[int(rng.integers(len(COMPLAINTS)))]
        records.append(
            IncomingRecord(
                source="ed",
                format="csv",
                dedup_key=f"{PREFIX}{stamp}:{i}",
                message_key=f"{PREFIX}{stamp}:m{i}",
                occurred_at=first + dt.timedelta(minutes=int(rng.integers(3 * 24 * 60))),
                community_code=codes[int(rng.integers(len(codes)))],
                chief_complaint=complaint,
                diagnosis_codes=codes_,
                age_band=f"{int(rng.integers(3, 14)) * 5}-{int(rng.integers(3, 14)) * 5 + 4}",
                sex="F" if i % 2 else "M",
            )
        )
    return records


def timed_recount():
    """Wrap recount_marked_cells so the after-commit hook reports how long it took."""
    from cairn.surveillance.counts import maintain

    original = maintain.recount_marked_cells
    seen: list[tuple[float, int]] = []

    def recount():
        started = time.perf_counter()
        cells = original()
        seen.append((time.perf_counter() - started, len(cells)))
        return cells

    maintain.recount_marked_cells = recount
    return seen, lambda: setattr(maintain, "recount_marked_cells", original)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cairn_bench_10m")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args(argv[1:])
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must point to PostgreSQL (make bench sets it).", file=sys.stderr)
        return 2
    prepare(base, args.database)

    from django.db import transaction

    from cairn.geography.models import Jurisdiction
    from cairn.surveillance.counts.maintain import (
        mark_events_for_recount,
        rebuild_counts,
        recount_marked_cells,
    )
    from cairn.surveillance.counts.queries import count_series, counts_by_community
    from cairn.surveillance.intake.bulk import accept_many
    from cairn.surveillance.models import Event
    from cairn.surveillance.models.counts import DailyCount

    events = Event.objects.count()
    print(f"{events:,} events; load average {load_average()}", flush=True)

    # (a) Full rebuild.
    seconds = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        rows = rebuild_counts()
        seconds.append(time.perf_counter() - started)
    print(
        f"full rebuild: {rows:,} daily rows from {events:,} events in "
        f"{min(seconds):.2f} s best, {statistics.median(seconds):.2f} s median "
        f"({', '.join(f'{s:.2f}' for s in seconds)}); load average {load_average()}",
        flush=True,
    )

    # (b) 1,000 new records, then the after-commit recount of their cells.
    last_day = DailyCount.objects.order_by("-day").values_list("day", flat=True).first()
    records = new_records(args.batch, last_day or dt.date.today())
    seen, restore = timed_recount()
    try:
        started = time.perf_counter()
        with transaction.atomic():
            accept_many(records)
            written = time.perf_counter() - started
        committed = time.perf_counter() - started
    finally:
        restore()
    recount_seconds, cells = seen[0] if seen else (float("nan"), 0)
    print(
        f"{args.batch:,} new records: written, classified and marked in {written:.2f} s; "
        f"after commit, {cells:,} community-day cells recounted in {recount_seconds:.3f} s "
        f"(commit with recount and alert rules: {committed - written:.2f} s); "
        f"load average {load_average()}",
        flush=True,
    )

    # (c) Reads.
    province = Jurisdiction.objects.get(code="bc")
    first_day = DailyCount.objects.order_by("day").values_list("day", flat=True).first()
    started = time.perf_counter()
    series = count_series(
        jurisdiction=province, definition="all_drug", freq="week", start=first_day, end=last_day
    )
    weekly_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    counts_by_community(definition="opioid", start=last_day - dt.timedelta(days=364), end=last_day)
    table_ms = (time.perf_counter() - started) * 1000
    print(
        f"reads: province weekly series ({len(series.periods)} weeks) {weekly_ms:.0f} ms; "
        f"every community's 12-month count {table_ms:.0f} ms",
        flush=True,
    )

    # Leave the database as it was.
    with transaction.atomic():
        ids = list(Event.objects.filter(dedup_key__startswith=PREFIX).values_list("pk", flat=True))
        mark_events_for_recount(ids)
        Event.objects.filter(pk__in=ids).delete()
    recount_marked_cells()
    print(
        f"counts: full rebuild {statistics.median(seconds):.2f} s (goal < 10 s), "
        f"{args.batch:,} new events recounted in {recount_seconds:.3f} s (goal < 1 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
