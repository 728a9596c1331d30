"""`cairn surveillance counts`: rebuild or refresh the counts, or print a series.

    cairn surveillance counts rebuild [--definitions-only]
    cairn surveillance counts recount
    cairn surveillance counts status
    cairn surveillance counts series --jurisdiction CODE [--definition SLUG] [--source ed]
        [--freq week] --start YYYY-MM-DD --end YYYY-MM-DD [--output FILE]

`series` writes t,observed,date,population: the input of `cairn surveillance detect`.
"""

import argparse
import csv
import datetime as dt
import sys
import time

from django.core.management.base import CommandError
from django.db import DatabaseError

from cairn.geography.models import Jurisdiction
from cairn.surveillance.counts.maintain import rebuild_counts, recount_marked_cells
from cairn.surveillance.counts.queries import (
    FREQUENCIES,
    CountQueryError,
    count_series,
    populations_for,
)
from cairn.surveillance.models.counts import CountCellToRecount, DailyCount

HELP = "Rebuild or refresh the counts per community, day, definition and source"


def add_arguments(parser) -> None:
    actions = parser.add_subparsers(dest="counts_action", required=True, metavar="ACTION")
    rebuild = actions.add_parser("rebuild", help="Recompute every count from the events.")
    rebuild.add_argument(
        "--definitions-only",
        action="store_true",
        help="Only the counts per case definition (after re-classification).",
    )
    actions.add_parser("recount", help="Recount the cells marked by recent writes.")
    actions.add_parser("status", help="How many rows, and how many cells await a recount.")
    series = actions.add_parser("series", help="Write a series as CSV (t,observed,date,...).")
    series.add_argument("--jurisdiction", required=True, help="A code, or 'unknown'.")
    series.add_argument("--definition", help="Case definition slug (default: every event).")
    series.add_argument("--source", help="ed, paramedic, first_responder or coroner.")
    series.add_argument("--freq", choices=FREQUENCIES, default="week")
    series.add_argument("--start", required=True, type=_date, help="YYYY-MM-DD")
    series.add_argument("--end", required=True, type=_date, help="YYYY-MM-DD")
    series.add_argument("--output", default="-", help="CSV file, or - for stdout (default).")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def handle(command, options) -> None:
    action = options["counts_action"]
    try:
        if action == "rebuild":
            started = time.monotonic()
            rows = rebuild_counts(definitions_only=options["definitions_only"])
            what = "definition counts" if options["definitions_only"] else "counts"
            command.stdout.write(
                f"Rebuilt the {what}: {rows:,} daily rows in {time.monotonic() - started:.1f} s."
            )
        elif action == "recount":
            started = time.monotonic()
            cells = recount_marked_cells()
            command.stdout.write(
                f"Recounted {len(cells):,} community-day cells "
                f"in {time.monotonic() - started:.2f} s."
            )
        elif action == "status":
            command.stdout.write(
                f"{DailyCount.objects.count():,} daily rows; "
                f"{CountCellToRecount.objects.count():,} marked cells awaiting a recount."
            )
        else:
            _series(command, options)
    except DatabaseError as error:
        raise CommandError(f"The database refused: {error}") from error


def _series(command, options) -> None:
    code = options["jurisdiction"]
    jurisdiction = None
    if code != "unknown":
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        if jurisdiction is None:
            raise CommandError(f"--jurisdiction: no jurisdiction has the code {code!r}.")
    try:
        series = count_series(
            jurisdiction=jurisdiction,
            definition=options["definition"],
            source=options["source"],
            freq=options["freq"],
            start=options["start"],
            end=options["end"],
        )
    except CountQueryError as error:
        raise CommandError(str(error)) from error
    populations = {}
    if jurisdiction is not None:
        populations = {
            year: populations_for([jurisdiction.pk], year=year)[jurisdiction.pk]
            for year in {first.year for first in series.periods}
        }
    output = (
        sys.stdout
        if options["output"] == "-"
        else open(  # noqa: SIM115
            options["output"], "w", newline="", encoding="utf-8"
        )
    )
    try:
        writer = csv.writer(output)
        writer.writerow(["t", "observed", "date", "population"])
        for t, (first, observed) in enumerate(zip(series.periods, series.counts, strict=True)):
            population = populations.get(first.year)
            writer.writerow([t + 1, int(observed), first.isoformat(), population or ""])
    finally:
        if output is not sys.stdout:
            output.close()
    if options["output"] != "-":
        command.stdout.write(f"Wrote {len(series.periods)} periods to {options['output']}.")
