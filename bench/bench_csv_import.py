"""CSV import into PostgreSQL: generate an ED line list, import it, print the rate.

    python bench/bench_csv_import.py [--rows 200000] [--keep]

Needs DATABASE_URL pointing to a PostgreSQL server: the benchmark drops and creates
its own database there (`cairn_bench_csv`, --database), migrates it (or, while some
models still lack migrations, builds the schema from the models), loads the BC
communities and the case definitions, writes --rows realistic emergency-department
line-list rows to a temporary CSV and imports it with the shipped `ed_line_list`
mapping, exactly as `cairn ingest csv` does, and imports it again (all duplicates).

The machine is usually shared, so besides the wall-clock rate it prints the CPU
seconds per 10,000 rows of the Python process and of the PostgreSQL backends serving
it (every backend of the benchmark database, /proc/<pid>/stat sampled every 20 ms, so
the second connection a big file is written over is counted too), and the rate they
allow when each has a core of its own (the slower of the two, as they work at the
same time), and with the two cores of this machine (all their CPU seconds shared over
two cores). The counts
recount that follows the commit is timed apart (it runs in the writer's thread after
commit, or in the MLLP listener's drainer). The database is dropped afterwards
unless --keep.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from benchdb import database_url, drop, migrate, recreate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


HEADER = (
    "visit_number,facility_code,arrival_datetime,age_years,sex,postal_code,"
    "chief_complaint,discharge_diagnoses,disposition"
)
FACILITIES = ["UHNBC", "SPH", "VGH", "RCH", "ARHCC", "KGH", "RJH", "NRGH", "SMH", "LGH"]
COMPLAINTS = [
    "found down, narcan x2",
    "suspected opioid OD",
    "unresponsive, resp depressed, naloxone given by EHS",
    "meth intox agitated",
    "chest pain",
    "abd pain",
    "fall from standing",
    "denies drug use, dizzy",
    "fentanyl overdose",
    "SOB",
    "laceration to hand",
    "etoh intox",
]
DIAGNOSES = ["T40.4X1A", "T40.1X1A;F11.20", "T43.621A", "R07.9", "R10.9", "S61.419A", "", "F10.129"]
DISPOSITIONS = ["HOME", "ADMITTED", "AMA", "LWBS", "TRANSFER", "DISCHARGED"]
SEXES = ["F", "M", "M", "U", "X"]


def write_line_list(path: Path, rows: int, postal_prefixes: list[str], seed: int = 2026) -> None:
    """Realistic ED visits over one year, a quarter of them overdoses."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-11-01T00:00")
    minutes = np.sort(rng.integers(0, 365 * 24 * 60, rows))
    stamps = (start + minutes.astype("timedelta64[m]")).astype(str)
    facility = rng.integers(0, len(FACILITIES), rows)
    ages = rng.integers(14, 85, rows)
    sexes = rng.integers(0, len(SEXES), rows)
    prefixes = rng.integers(0, len(postal_prefixes), rows)
    complaints = rng.integers(0, len(COMPLAINTS), rows)
    dx = rng.integers(0, len(DIAGNOSES), rows)
    disposition = rng.integers(0, len(DISPOSITIONS), rows)
    letters = "ABCEGHJKLMNPRSTVWXYZ"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\r\n")
        for i in range(rows):
            stamp = stamps[i].replace("T", " ")
            postal = f"{postal_prefixes[prefixes[i]]} {i % 10}{letters[i % 20]}{(i // 7) % 10}"
            complaint = COMPLAINTS[complaints[i]]
            if "," in complaint:
                complaint = f'"{complaint}"'
            out.write(
                f"V{i:08d},{FACILITIES[facility[i]]},{stamp},{ages[i]},{SEXES[sexes[i]]},"
                f"{postal},{complaint},{DIAGNOSES[dx[i]]},{DISPOSITIONS[disposition[i]]}\r\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--database", default="cairn_bench_csv")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database.")
    parser.add_argument(
        "--one-connection", action="store_true", help="Write over one connection only."
    )
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (postgres://...).")
    url = database_url(base, args.database)
    recreate(base, args.database)
    try:
        env = {**os.environ, "DATABASE_URL": url}
        migrate(env)
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
        import django

        django.setup()
        run(args.rows, one_connection=args.one_connection)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop(base, args.database)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a PostgreSQL backend (same machine); 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def database_backends(database: str) -> list[int]:
    """Pids of the PostgreSQL backends connected to `database` (ps title
    "postgres: 15/main: <user> <database> <client> <state>")."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if (
            title.startswith("postgres: ")
            and f" {database} " in title
            and "autovacuum" not in title  # not serving the import (as before)
        ):
            pids.append(int(entry.name))
    return pids


class CpuMeter:
    """Wall time, this thread's CPU and the CPU of every backend of the database: the
    backends are looked for every 100 ms and sampled every 20 ms (one that ends is
    counted until its last sample)."""

    def __init__(self, database: str):
        self.database = database

    def _sample(self, look: bool) -> None:
        if look:
            for pid in database_backends(self.database):
                self._first.setdefault(pid, 0.0 if self._running else None)
        for pid in self._first:
            seconds = backend_cpu_seconds(pid)
            if seconds:
                self._latest[pid] = seconds
                if self._first[pid] is None:
                    self._first[pid] = seconds

    def _watch(self) -> None:
        ticks = 0
        while not self._stop.wait(0.02):
            ticks += 1
            self._sample(look=ticks % 5 == 0)

    def __enter__(self):
        import threading

        self._first: dict[int, float | None] = {}
        self._latest: dict[int, float] = {}
        self._running = False
        self._sample(look=True)  # backends already there count from now
        self._running = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        self.wall = time.perf_counter()
        self.python = time.process_time()  # the import, and the threads it writes with
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.python = time.process_time() - self.python
        self._stop.set()
        self._thread.join()
        self._sample(look=True)
        used = {pid: self._latest[pid] - (self._first[pid] or 0.0) for pid in self._latest}
        self.backend = sum(used.values())
        self.backends = sum(1 for seconds in used.values() if seconds > 0)

    def report(self, label: str, rows: int) -> str:
        per = 10_000 / rows
        capacity = rows / max(self.python, self.backend / max(self.backends, 1))
        two_cores = rows / ((self.python + self.backend) / 2)
        return (
            f"  {label}: {rows / self.wall:,.0f} rows/s wall ({self.wall:.2f} s); CPU per 10,000 "
            f"rows: Python {self.python * per:.3f} s, PostgreSQL {self.backend * per:.3f} s "
            f"({self.backends} backend(s)) -> {capacity:,.0f} rows/s with a core each, "
            f"{two_cores:,.0f} rows/s on two cores"
        )


def run(rows: int, *, one_connection: bool = False) -> None:
    from contextlib import nullcontext

    from django.db import connection

    from cairn.geography.loading import load_british_columbia
    from cairn.geography.models import PostalArea
    from cairn.geography.placement import forget_cached_geography
    from cairn.surveillance.classification import after
    from cairn.surveillance.definitions import load_default_definitions
    from cairn.surveillance.intake.bulk import STEP_SECONDS
    from cairn.surveillance.intake.csv_import import import_csv, load_mapping, shipped_mappings
    from cairn.surveillance.models import Event, EventMatch

    load_british_columbia()
    load_default_definitions()
    forget_cached_geography()
    prefixes = sorted(p for p in PostalArea.objects.values_list("prefix", flat=True) if len(p) == 3)
    mapping = load_mapping(shipped_mappings()["ed_line_list"].read_text())
    # The recount after commit is timed apart (when this Cairn can defer it).
    deferred = getattr(after, "recount_deferred", nullcontext)
    options = {"two_connections_from": 10**12} if one_connection else {}
    connection.ensure_connection()
    database = connection.settings_dict["NAME"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ed_line_list.csv"
        started = time.perf_counter()
        write_line_list(path, rows, prefixes or ["V2L"])
        seconds = time.perf_counter() - started
        print(f"generated {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {seconds:.1f} s")
        data = path.read_bytes()
        with deferred(), CpuMeter(database) as first_cpu:
            first = import_csv(data, mapping=mapping, name=path.name, **options)
        with CpuMeter(database) as recount_cpu:
            after.refresh_after_commit()
        with deferred(), CpuMeter(database) as again_cpu:
            again = import_csv(data, mapping=mapping, name=path.name, **options)
        # Another file (one more, blank, line) with the same rows: each is compared
        # with its stored encounter.
        with deferred(), CpuMeter(database) as same_cpu:
            same = import_csv(data + b"\r\n", mapping=mapping, name="same_rows.csv", **options)
    assert first.created == rows, first
    assert again.duplicates == rows and again.created == 0, again
    assert same.unchanged == rows and same.created == same.updated == 0, same
    assert Event.objects.count() == rows
    print(f"  {first}")
    print(f"  events {rows:,}, matches {EventMatch.objects.count():,}")
    print(first_cpu.report("import, stored and committed", rows))
    print(
        f"  classification (each distinct complaint and codes once): "
        f"{first.classification_seconds:.2f} s"
    )
    print(
        f"  counts recount after commit: {recount_cpu.wall:.2f} s wall, CPU Python "
        f"{recount_cpu.python:.2f} s, PostgreSQL {recount_cpu.backend:.2f} s"
    )
    print(again_cpu.report("re-import of the same file (all duplicates)", rows))
    print(same_cpu.report("the same rows in another file (all unchanged)", rows))
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in STEP_SECONDS.items())
    print(f"  waiting for PostgreSQL, both imports: {steps}")
    print(
        f"csv import: {rows} rows in {first.seconds:.2f} s = {first.rows_per_second:,.0f} rows/s "
        f"(CPU per 10,000 rows: Python {first_cpu.python * 10_000 / rows:.3f} s, "
        f"PostgreSQL {first_cpu.backend * 10_000 / rows:.3f} s)"
    )


if __name__ == "__main__":
    main()
