"""PostgreSQL's share of a CSV import, statement by statement, steady enough to compare.

    python bench/bench_csv_statements.py [--rows 200000] [--repeat 3] [--keep]

On a shared two-core machine the wall rate of `bench_csv_import.py` drifts by half
from one run to the next, more than most changes to the schema or the statements are
worth. This bench takes the machine's speed out of the comparison as far as it can:
it imports a generated ED line list once (as `bench_csv_import.py` does, on one
connection) while keeping every batch's COPY lines, then replays exactly those
batches --repeat times into emptied tables on one connection, through the stage's own
statements, and prints the CPU seconds per 10,000 rows of that PostgreSQL backend
(from /proc, same machine) for the COPY into the stage, the insert statement (events
and their matches) and the commit: the best of the repeats, and every repeat's total.
It then replays the same batches the way new CSV rows are stored now, COPied
straight into the events and matches tables (`bulk/direct.py`: the ids drawn, both
COPYs and the savepoint), and prints that backend's CPU the same way.

Needs DATABASE_URL pointing to a PostgreSQL server; the database (--database) is
dropped and created, and dropped afterwards unless --keep.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bench_csv_import import backend_cpu_seconds, write_line_list
from benchdb import database_url, drop, migrate, recreate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHASES = ("copy", "insert", "commit")
DIRECT_PHASES = ("copy straight", "commit")


def capture_batches(rows: int) -> tuple[list[list[str]], dict[str, tuple[str, ...]]]:
    """Import `rows` generated rows once; return each batch's stage lines and the
    classifications they refer to (the stage's class id -> matches)."""
    from cairn.geography.loading import load_british_columbia
    from cairn.geography.models import PostalArea
    from cairn.geography.placement import forget_cached_geography
    from cairn.surveillance.definitions import load_default_definitions
    from cairn.surveillance.intake.bulk import stage as bulk_stage
    from cairn.surveillance.intake.csv_import import import_csv, load_mapping, shipped_mappings

    load_british_columbia()
    load_default_definitions()
    forget_cached_geography()
    prefixes = sorted(p for p in PostalArea.objects.values_list("prefix", flat=True) if len(p) == 3)
    mapping = load_mapping(shipped_mappings()["ed_line_list"].read_text())
    batches: list[list[str]] = []
    classes: dict[str, tuple[str, ...]] = {}
    submit = bulk_stage.Stage.submit

    def keeping(stage, lines, **options):
        batches.append(list(lines))
        classes.update(stage._class_matches)
        return submit(stage, lines, **options)

    bulk_stage.Stage.submit = keeping
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "ed_line_list.csv"
            write_line_list(path, rows, prefixes or ["V2L"])
            import_csv(
                path.read_bytes(), mapping=mapping, name=path.name, two_connections_from=10**12
            )
    finally:
        bulk_stage.Stage.submit = submit
    return batches, classes


def emptied_tables() -> int:
    """Empty the events and matches tables, checkpoint; the backend's process id."""
    from django.db import connection

    from cairn.surveillance.intake.bulk import stage as bulk_stage

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {bulk_stage.EVENTS}, {bulk_stage.MATCHES} CASCADE")
        cursor.execute("CHECKPOINT")
    return connection.connection.info.backend_pid


def replay(batches: list[list[str]], classes: dict[str, tuple[str, ...]]) -> dict[str, float]:
    """CPU seconds per 10,000 rows of this connection's backend, per phase."""
    from django.db import transaction

    from cairn.surveillance.intake.bulk import stage as bulk_stage

    pid = emptied_tables()
    spent = dict.fromkeys(PHASES, 0.0)
    staged = 0
    insert = bulk_stage._sql_insert_events(False)
    with transaction.atomic():
        stage = bulk_stage.Stage()
        cursor = stage.cursor
        columns = "class_id, definition_id, version, field, reason"
        with cursor.copy(f"COPY {bulk_stage.CLASSES} ({columns}) FROM STDIN") as copy:
            copy.write("".join(class_id.join(lines) for class_id, lines in classes.items()))
        for lines in batches:
            before = backend_cpu_seconds(pid)
            cursor.execute(f"TRUNCATE {bulk_stage.STAGE}")
            with cursor.copy(
                f"COPY {bulk_stage.STAGE} ({', '.join(bulk_stage.STAGE_COLUMNS)}) FROM STDIN"
            ) as copy:
                copy.write("".join(lines))
            copied = backend_cpu_seconds(pid)
            cursor.execute(insert)
            cursor.fetchone()
            spent["copy"] += copied - before
            spent["insert"] += backend_cpu_seconds(pid) - copied
            staged += len(lines)
        before = backend_cpu_seconds(pid)
    spent["commit"] = backend_cpu_seconds(pid) - before
    return {phase: seconds * 10_000 / staged for phase, seconds in spent.items()}


def replay_direct(
    batches: list[list[str]], classes: dict[str, tuple[str, ...]]
) -> dict[str, float]:
    """CPU seconds per 10,000 rows of this connection's backend, storing each batch
    with `direct.store_new_events`, and of the commit."""
    from django.db import transaction

    from cairn.surveillance.intake.bulk import direct
    from cairn.surveillance.intake.bulk import stage as bulk_stage

    pid = emptied_tables()
    spent = dict.fromkeys(DIRECT_PHASES, 0.0)
    stored = 0
    with transaction.atomic():
        stage = bulk_stage.Stage()
        sequence = bulk_stage._event_sequence(stage.cursor)
        for lines in batches:
            before = backend_cpu_seconds(pid)
            if not direct.store_new_events(stage.raw, sequence, lines, classes):
                raise RuntimeError("A replayed batch met a stored encounter.")
            spent["copy straight"] += backend_cpu_seconds(pid) - before
            stored += len(lines)
        before = backend_cpu_seconds(pid)
    spent["commit"] = backend_cpu_seconds(pid) - before
    return {phase: seconds * 10_000 / stored for phase, seconds in spent.items()}


def report(title: str, rows: int, batches: int, runs: list[dict[str, float]]) -> None:
    best = {phase: min(run[phase] for run in runs) for phase in runs[0]}
    totals = ", ".join(f"{sum(run.values()):.3f}" for run in runs)
    print(
        f"{title}: {rows:,} rows in {batches} batches, PostgreSQL CPU per "
        f"10,000 rows, best of {len(runs)}: "
        + ", ".join(f"{phase} {seconds:.3f} s" for phase, seconds in best.items())
        + f"; each run's total: {totals} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", default="cairn_bench_csv_statements")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database.")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (postgres://...).")
    recreate(base, args.database)
    try:
        url = database_url(base, args.database)
        migrate({**os.environ, "DATABASE_URL": url})
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
        import django

        django.setup()
        batches, classes = capture_batches(args.rows)
        rows = sum(len(lines) for lines in batches)
        staged, straight = [], []
        for _ in range(args.repeat):  # interleaved, so drift touches both alike
            staged.append(replay(batches, classes))
            straight.append(replay_direct(batches, classes))
        report("csv statements, staged", rows, len(batches), staged)
        report("csv statements, copied straight", rows, len(batches), straight)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop(base, args.database)


if __name__ == "__main__":
    main()
