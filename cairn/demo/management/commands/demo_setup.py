"""`cairn demo-setup`: what `make demo` runs after migrating. Safe and quick to run again."""

import argparse
import datetime as dt
import sys
import time

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
from cairn.surveillance.models.alerts import Alert, SurveillanceRun

DEMO_SEED, DEMO_YEARS, DEMO_SCALE = 1, 2, "small"


class Command(BaseCommand):
    help = (
        "Set up the demo province: load BC's geography if absent, create the personas, "
        f"generate demo data (seed {DEMO_SEED}, {DEMO_YEARS} years to yesterday, "
        f"{DEMO_SCALE}) if there are no events yet, count them and run surveillance once "
        "(the alerts of the demo's history), and print every persona's login."
    )

    def add_arguments(self, parser):
        # Shorter demo data for tests.
        parser.add_argument("--days", type=int, default=0, help=argparse.SUPPRESS)
        parser.add_argument("--scale", default=DEMO_SCALE, help=argparse.SUPPRESS)
        parser.add_argument("--end", type=dt.date.fromisoformat, help=argparse.SUPPRESS)

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
                end=options["end"] or actions.default_end_date(),
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
        self.cases()
        self.partnership()
        self.campaigns()
        self.surveillance(today=options["end"] + dt.timedelta(days=1) if options["end"] else None)
        self.stdout.write("")
        self.stdout.write("Demo logins (every person and record in the demo is synthetic):")
        self.stdout.write(format_table(login_rows(password=settings.CAIRN_DEMO_PASSWORD)))

    def cases(self) -> None:
        """Invented clients and their care for the response centres, once."""
        from cairn.demo.cases import load_demo_cases

        started = time.monotonic()
        loaded = load_demo_cases()
        if loaded is not None:
            self.stdout.write(f"{loaded.summary()} ({time.monotonic() - started:.1f} s)")

    def partnership(self) -> None:
        """The resource directory, action teams with their outreach, and referrals, once each."""
        from cairn.demo.directory import load_demo_directory
        from cairn.demo.encounters import load_demo_encounters
        from cairn.demo.referrals import load_demo_referrals
        from cairn.demo.teams import load_demo_teams

        started = time.monotonic()
        self.stdout.write(load_demo_directory().summary())
        teams = load_demo_teams()
        encounters = load_demo_encounters()
        referrals = load_demo_referrals()
        if teams or encounters or referrals:
            self.stdout.write(
                f"Action teams: {teams} new, {encounters:,} outreach encounters; "
                f"{referrals} referrals sent ({time.monotonic() - started:.1f} s)"
            )

    def campaigns(self) -> None:
        """Public campaigns with their materials, surveys and reach, once."""
        from cairn.demo.campaigns import load_demo_campaigns

        started = time.monotonic()
        loaded = load_demo_campaigns()
        if loaded:
            self.stdout.write(
                f"Campaigns: {loaded} planned, with materials reviewed for language, surveys "
                f"and reach ({time.monotonic() - started:.1f} s)"
            )

    def surveillance(self, *, today: dt.date | None = None) -> None:
        """Counts, then a first surveillance run over the whole demo, once.

        The run raises the alerts of the demo's history (the injected spikes among them)
        and fills the personas' inboxes; alerts about days long past send no email.
        """
        from cairn.surveillance.counts.maintain import rebuild_counts
        from cairn.surveillance.models.counts import DailyCount
        from cairn.surveillance.runs import options_from, run_surveillance, summary

        started = time.monotonic()
        # Demo data are loaded in bulk, without marking cells for recounting: count them
        # all once (re-classification alone recounts the definitions' rows only).
        if not DailyCount.objects.filter(definition__isnull=True).exists():
            rows = rebuild_counts()
            self.stdout.write(f"Counted events per community and day ({rows:,} rows).")
        if SurveillanceRun.objects.exists():
            return
        run, totals = run_surveillance(options_from({"since": "all"}, today=today), recount=False)
        self.stdout.write(summary(run, totals, time.monotonic() - started))
        found, spikes = spikes_with_alerts()
        if spikes:
            self.stdout.write(
                f"Injected spikes with an alert at their place and dates: {found} of {spikes}."
            )


def spikes_with_alerts() -> tuple[int, int]:
    """(injected spikes that have an alert in their community over their days, spikes)."""
    from django.utils import timezone

    from cairn.demo.models import InjectedSpike

    found = 0
    spikes = list(InjectedSpike.objects.all())
    for spike in spikes:
        first = timezone.localtime(spike.starts_at).date()
        last = timezone.localtime(spike.ends_at).date()
        if Alert.objects.filter(
            community_id=spike.community_id, period_start__lte=last, period_end__gte=first
        ).exists():
            found += 1
    return found, len(spikes)
