"""A throwaway PostgreSQL database for one benchmark, shared by the bench scripts."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def database_url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def recreate(base: str, name: str) -> None:
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop(base: str, name: str) -> None:
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(env: dict) -> None:
    """Migrate the database that env's DATABASE_URL names."""
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--verbosity", "0", "--skip-checks"],
        env=env,
        check=True,
        cwd=ROOT,
    )


def open_database(base: str, name: str, *, reuse: bool) -> None:
    """Point DATABASE_URL at the bench database `name` on the server `base` (dropped,
    created and migrated first unless `reuse`) and set Django up to serve requests
    through its test client (DEBUG off, any host)."""
    if not reuse:
        recreate(base, name)
    os.environ["DATABASE_URL"] = database_url(base, name)
    if not reuse:
        migrate(dict(os.environ))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]


def load_average() -> str:
    """The machine's load over 1, 5 and 15 minutes, printed beside every figure."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def build_and_measure(base: str, args, *, build, measure):
    """The life of a bench database: open `args.database` (created, migrated, given BC's
    geography and `build()`, then analysed, unless `args.reuse`), return what `measure()`
    returns, and drop the database afterwards unless `args.keep` or `args.reuse`."""
    import time

    open_database(base, args.database, reuse=args.reuse)
    from django.db import connection, connections

    try:
        if not args.reuse:
            from cairn.geography.loading import load_british_columbia

            load_british_columbia()
            loaded = time.monotonic()
            build()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(f"built in {time.monotonic() - loaded:.0f} s")
        else:
            print(f"reusing {args.database}")
        print(f"load {load_average()}")
        return measure()
    finally:
        connections.close_all()
        if not args.keep and not args.reuse:
            drop(base, args.database)


def p95(values_ms: list[float]) -> float:
    values = sorted(values_ms)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def percentiles(values_ms: list[float]) -> str:
    """p50, p95 and the maximum of timings in milliseconds, as every bench prints them."""
    import statistics

    values = sorted(values_ms)
    return (
        f"p50 {statistics.median(values):6.1f} ms  p95 {p95(values):6.1f} ms  "
        f"max {values[-1]:6.1f} ms  (n={len(values)})"
    )
