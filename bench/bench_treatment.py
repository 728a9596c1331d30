"""The BC cascade of care for 10,000 and 100,000 people with a year of daily OAT dispensing.

    python bench/bench_treatment.py [--people 10000,100000] [--days 365] [--repeat 3]
                                    [--python-sample 2000] [--keep]
                                    [--database cairn_bench_treatment]

Needs DATABASE_URL pointing to a PostgreSQL server. Builds a throwaway database
(dropped at the end unless --keep), migrates it, and writes for each size, in SQL
(`INSERT ... SELECT` over generate_series, seeded): the people, and for each a year
(--days) of daily dispensing of one drug (methadone 50%, buprenorphine/naloxone 35%,
slow-release oral morphine 10%, injectable OAT 5%), about 3% of days without a
dispensing, weekly carries for one person in ten, and one person in ten stopping at a
random day; a diagnosis for one in five; a group placement for half; an entered
episode for one in twenty. The dispensing table's indexes are dropped during the load
and rebuilt after, as a bulk load would.

Then it prints, for each size, the time of the cascade's counting
(`cascade.counts_for_sql`, one SQL statement on PostgreSQL: what the cascade page and
API run), best of --repeat, and the person-by-person Python path
(`cascade.counts_for`) on a sample (--python-sample people), per person and
extrapolated to the size — checking that both give the same counts on the sample.

The goal: the cascade of 100,000 such people in under 10 s (a page), well under the
Python path's ≈ 1.3 ms per person.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import psycopg
from benchdb import database_url, drop, migrate, recreate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_100K_S = 10.0
TABLE = "cases_oatdispensing"


def load_people(connection, first: int, last: int, days: int, as_of: dt.date, org: int) -> int:
    """People with ids first..last (inclusive) and their records; returns dispensing rows."""
    connection.execute("SELECT setseed(%s)", [first / 1e9])
    connection.execute(
        "INSERT INTO cases_client (id, display_name, sex, gender, housing_status, "
        "safe_contact_notes, identity_status, status, created_at) "
        "SELECT g, 'Bench person ' || g, 'U', '', '', '', 'anonymous', 'active', now() "
        "FROM generate_series(%s::bigint, %s::bigint) g",
        [first, last],
    )
    connection.execute(
        "CREATE TEMP TABLE plan ON COMMIT DROP AS "
        "SELECT g AS client_id, "
        "  (ARRAY['methadone','methadone','methadone','methadone','methadone','bup_nx',"
        "         'bup_nx','bup_nx','bup_nx','srom','srom','ioat'])[1 + floor(random()*12)::int]"
        "    AS drug,"
        "  CASE WHEN random() < 0.1 THEN floor(random() * %s)::int ELSE %s END AS stop_after,"
        "  random() < 0.1 AS weekly "
        "FROM generate_series(%s::bigint, %s::bigint) g",
        [days, days, first, last],
    )
    # Weekly carries: one dispensing every 7 days covering 7 days (6 carries).
    inserted = connection.execute(
        f"INSERT INTO {TABLE} (client_id, drug, dispensed_on, dose, dose_unit, witnessed, "
        "carry_days, pharmacy, prescriber, source, organization_id, created_at, created_by) "
        "SELECT p.client_id, p.drug, %s::date - d, 60, 'mg', NOT p.weekly, "
        "  CASE WHEN p.weekly THEN 6 ELSE 0 END, 'Bench Pharmacy', '', 'imported', %s, now(), "
        "  'bench' "
        "FROM plan p CROSS JOIN generate_series(0, %s - 1) d "
        "WHERE d >= %s - p.stop_after AND (NOT p.weekly OR d %% 7 = 0) AND random() >= 0.03",
        [as_of, org, days, days],
    ).rowcount
    connection.execute(
        "INSERT INTO cases_ouddiagnosis (client_id, diagnosed_on, basis, recorded_at, "
        "recorded_by) SELECT client_id, %s::date - floor(random() * 900)::int, 'bench', "
        "now(), 'bench' FROM plan WHERE random() < 0.2",
        [as_of],
    )
    connection.execute(
        'INSERT INTO cases_groupplacement (client_id, "group", note, placed_at, placed_by) '
        "SELECT client_id, (ARRAY['recreational','street_involved','hidden_regular',"
        "'first_nations'])[1 + floor(random()*4)::int], '', now() - random() * interval "
        "'400 days', 'bench' FROM plan WHERE random() < 0.5"
    )
    connection.execute(
        "INSERT INTO cases_oatepisode (client_id, origin, drug, prescriber, pharmacy, "
        "started_on, end_reason, concurrent, dispensings, note, created_at, created_by, "
        "stop_recorded_by) SELECT client_id, 'entered', 'xr_bup', '', '', "
        "%s::date - floor(random() * 400)::int, '', false, 0, '', now(), 'bench', '' "
        "FROM plan WHERE random() < 0.05",
        [as_of],
    )
    return inserted


def without_indexes(connection) -> list[str]:
    """Drop the dispensing table's unique constraint and secondary indexes; return the
    statements that put them back."""
    restore = []
    for name, definition in connection.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'u'",
        [TABLE],
    ).fetchall():
        connection.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
        restore.append(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in connection.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
        "AND indexname NOT LIKE '%%_pkey'",
        [TABLE],
    ).fetchall():
        if not any(name in statement for statement in restore):
            connection.execute(f'DROP INDEX "{name}"')
            restore.append(definition)
    return restore


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def measure(size: int, args, as_of: dt.date) -> tuple[float, float]:
    from django.db import connection

    from cairn.cases.treatment import cascade

    clients = [(pk, 1) for pk in range(1, size + 1)]
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        sql = cascade.counts_for_sql(clients, as_of)
        timings.append(time.perf_counter() - started)
    best = min(timings)
    diagnosed = sum(v.get("diagnosed", 0) for v in sql.values())
    current = sum(v.get("current", 0) for v in sql.values())
    sample = clients[: args.python_sample]
    started = time.perf_counter()
    python = cascade.counts_for(sample, as_of)
    per_person = (time.perf_counter() - started) / len(sample)
    same = {k: dict(v) for k, v in python.items()} == {
        k: dict(v) for k, v in cascade.counts_for_sql(sample, as_of).items()
    }
    connection.close()
    print(
        f"{size:,} people: cascade in SQL {best:.2f} s (best of {args.repeat}: "
        f"{', '.join(f'{t:.2f}' for t in timings)}); {diagnosed:,} diagnosed, {current:,} "
        f"currently on OAT; Python path {per_person * 1000:.2f} ms a person "
        f"(≈ {per_person * size:.0f} s for {size:,}); same counts on {len(sample):,}: "
        f"{'yes' if same else 'NO'}; load {load_average()}",
        flush=True,
    )
    if not same:
        raise SystemExit("the SQL and Python paths disagree")
    return best, per_person


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cairn_bench_treatment")
    parser.add_argument("--people", default="10000,100000")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--python-sample", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    sizes = sorted(int(s.replace("_", "")) for s in args.people.split(","))
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL server (postgres://...).", file=sys.stderr)
        return 2
    started = time.monotonic()
    recreate(base, args.database)
    url = database_url(base, args.database)
    os.environ["DATABASE_URL"] = url
    migrate(dict(os.environ))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    settings.DEBUG = False
    as_of = timezone.localdate()
    results = {}
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            org = connection.execute(
                "INSERT INTO access_organization (name, slug, sector) "
                "VALUES ('Bench clinic', 'bench-clinic', 'oerc') RETURNING id"
            ).fetchone()[0]
        loaded = 0
        for size in sizes:
            t0 = time.monotonic()
            with psycopg.connect(url) as connection:
                restore = without_indexes(connection)
                rows = load_people(connection, loaded + 1, size, args.days, as_of, org)
                connection.commit()
                t1 = time.monotonic()
                for statement in restore:
                    connection.execute(statement)
                connection.commit()
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute(
                    "VACUUM (ANALYZE) cases_oatdispensing, cases_client, cases_oatepisode, "
                    "cases_ouddiagnosis, cases_groupplacement"
                )
                total = connection.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
            print(
                f"loaded people {loaded + 1:,}-{size:,}: {rows:,} dispensing rows "
                f"({total:,} in all) in {t1 - t0:.0f} s, indexes {time.monotonic() - t1:.0f} s",
                flush=True,
            )
            loaded = size
            results[size] = measure(size, args, as_of)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop(base, args.database)
    largest = max(results)
    best, per_person = results[largest]
    print(
        f"cascade of {largest:,} people with {args.days} days of dispensing: {best:.2f} s in SQL "
        f"vs ≈ {per_person * largest:.0f} s person by person "
        f"({per_person * largest / best:.0f}×; goal < {GOAL_100K_S:.0f} s at 100,000) "
        f"[{time.monotonic() - started:.0f} s in all]"
    )
    return 0 if largest < 100_000 or best < GOAL_100K_S else 1


if __name__ == "__main__":
    sys.exit(main())
