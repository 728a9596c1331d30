"""`cairn demo-data`: generate and load a synthetic, calibrated demo province."""

import argparse
import datetime as dt
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from cairn.demo import actions
from cairn.demo.plan import PUBLIC_SCALES, SCALES, RunSpec


def _scale(value: str) -> str:
    if value not in SCALES:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(PUBLIC_SCALES)}")
    return value


class Command(BaseCommand):
    help = (
        "Generate synthetic ED visits, paramedic and first-responder reports and coroner "
        "deaths for British Columbia, calibrated to published BC figures, with a few injected "
        "overdose spikes, and load them. The same --seed, --years, --scale and --end always "
        "give the same records. Running it again with the same arguments does nothing; if a "
        "different demo run is loaded the command refuses, unless --replace, which deletes "
        "every earlier demo run (events, identities, spikes) and loads this one. Loads BC's "
        "geography first if it is absent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--years", type=int, default=2, help="Years of data up to --end (default 2)."
        )
        parser.add_argument(
            "--scale",
            type=_scale,
            default="small",
            help=(
                "Share of BC's ~2.1 million yearly non-overdose ED visits: small ≈ 1.5%% "
                "(loads in seconds), medium 10%%, large 100%% and at least 10 million ED "
                "visits in all (raised for short spans). Overdoses and deaths are always at "
                "full volume. Default small."
            ),
        )
        parser.add_argument(
            "--end",
            type=dt.date.fromisoformat,
            default=None,
            help=(
                "Last day with data, YYYY-MM-DD (default yesterday, or the end of the "
                "loaded run with the same seed, years and scale)."
            ),
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete earlier demo runs, then load."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")
        # Short spans for tests.
        parser.add_argument("--days", type=int, default=0, help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        end = options["end"]
        if end is None and not options["replace"]:
            # Without --end, "the same arguments" are seed, span and scale: a run loaded
            # on an earlier day (ending on its yesterday) counts as this one.
            earlier = actions.run_like(
                seed=options["seed"],
                years=options["years"],
                days=options["days"],
                scale=options["scale"],
            )
            end = earlier.end_date if earlier else None
        spec = RunSpec(
            seed=options["seed"],
            end=end or actions.default_end_date(),
            scale=options["scale"],
            years=options["years"],
            days=options["days"],
            time_zone=settings.TIME_ZONE,
        )
        if actions.ensure_bc_geography():
            self.stdout.write("Loaded British Columbia's 89 communities.")
        progress = not options["quiet"] and sys.stderr.isatty() and options["verbosity"] > 0
        try:
            run = actions.load_demo_data(spec=spec, replace=options["replace"], progress=progress)
        except actions.AlreadyLoaded as already:
            self.stdout.write(str(already))
            return
        except actions.DemoDataError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            raise CommandError(
                f"The database refused the demo data: {error}. If other records point at "
                "earlier demo events (cases, alerts), delete those first."
            ) from error
        self.stdout.write(actions.summary(run))
