"""Generate and load the `large` demo province into PostgreSQL; print the rate.

    python bench/bench_demo_data_large.py [--scale medium] [--years 5] [--keep]

Needs DATABASE_URL pointing to a PostgreSQL server (any database on it): the
benchmark drops and creates its own database there (`cairn_bench`, --database),
migrates it, loads BC's geography and then times `demo-data` alone: 5 years to
2022-12-31 (the calibration's last full year), seed 1. `large` is BC's full
volume: about 10.5 million ED visits plus the overdose sources, each with its
identifying details. The database is dropped afterwards unless --keep.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

from benchdb import database_url, drop, recreate

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--database", default="cairn_bench")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args(argv[1:])

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must point to PostgreSQL (make bench sets it).", file=sys.stderr)
        return 2
    recreate(base, args.database)
    try:
        os.environ["DATABASE_URL"] = database_url(base, args.database)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        from cairn.demo.actions import ensure_bc_geography, load_demo_data
        from cairn.demo.plan import RunSpec

        call_command("migrate", verbosity=0)
        ensure_bc_geography()
        spec = RunSpec(
            seed=1,
            end=dt.date(2022, 12, 31),
            scale=args.scale,
            years=args.years,
            time_zone=settings.TIME_ZONE,
        )
        started = time.monotonic()
        run = load_demo_data(spec=spec, progress=sys.stderr.isatty())
        seconds = time.monotonic() - started
        print(
            f"identities: {run.identities:,}; ED overdose visits {run.ed_overdose_visits:,}, "
            f"paramedic {run.paramedic_reports:,}, first-responder "
            f"{run.first_responder_reports:,}, coroner {run.coroner_deaths:,}"
        )
        print(
            f"demo-data {args.scale}: {run.ed_visits:,} ED-visit records, "
            f"{run.total_events:,} total records in {seconds:.0f} s = "
            f"{run.total_events / seconds:,.0f} records/s"
        )
        connections.close_all()
    finally:
        if not args.keep:
            drop(base, args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
