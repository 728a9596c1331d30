"""`cairn demo-setup`: what `make demo` runs after migrating. Safe and quick to run again."""

import argparse
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cairn.access.personas import create_personas
from cairn.demo import actions
from cairn.demo.logins import format_table, login_rows
from cairn.demo.plan import RunSpec
from cairn.surveillance.classification.reclassify import (
    queue_reclassification,
    run_reclassification,
)
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models import Event, EventMatch

DEMO_SEED, DEMO_YEARS, DEMO_SCALE = 1, 2, "small"


class Command(BaseCommand):
    help = (
        "Set up the demo province: load BC's geography if absent, create the personas, "
        f"generate demo data (seed {DEMO_SEED}, {DEMO_YEARS} years to yesterday, "
        f"{DEMO_SCALE}) if there are no events yet, and print every persona's login."
    )

    def add_arguments(self, parser):
        # Shorter demo data for tests.
        parser.add_argument("--days", type=int, default=0, help=argparse.SUPPRESS)
        parser.add_argument("--scale", default=DEMO_SCALE, help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if actions.ensure_bc_geography():
            self.stdout.write("Loaded British Columbia's 89 communities.")
        try:
            create_personas(password=settings.CAIRN_DEMO_PASSWORD)
        except LookupError as error:
            raise CommandError(str(error)) from error
        events = Event.objects.count()
        if events:
            self.stdout.write(f"{events:,} events already loaded; demo data left as it is.")
        else:
            spec = RunSpec(
                seed=DEMO_SEED,
                end=actions.default_end_date(),
                scale=options["scale"],
                years=DEMO_YEARS,
                days=options["days"],
                time_zone=settings.TIME_ZONE,
            )
            progress = sys.stderr.isatty() and options["verbosity"] > 0
            try:
                run = actions.load_demo_data(spec=spec, progress=progress)
            except actions.DemoDataError as error:
                raise CommandError(f"{error} (cairn demo-data --replace)") from error
            self.stdout.write(actions.summary(run))
        load_default_definitions()
        if not EventMatch.objects.exists():
            job = run_reclassification(
                queue_reclassification(reason="demo data loaded", requested_by="demo setup")
            )
            self.stdout.write(f"Classified {job.done:,} events against the case definitions.")
        self.stdout.write("")
        self.stdout.write("Demo logins (every person and record in the demo is synthetic):")
        self.stdout.write(format_table(login_rows(password=settings.CAIRN_DEMO_PASSWORD)))
