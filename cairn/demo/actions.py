"""Loading, replacing and describing demo runs."""

import datetime as dt
import sys
import time
import zoneinfo
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from tqdm import tqdm

from cairn.demo.generator import C, DemoGenerator
from cairn.demo.loading import delete_events_of_run, loader_for_connection
from cairn.demo.models import DemoRun, InjectedSpike
from cairn.demo.plan import KIND_LABELS, RunSpec
from cairn.demo.rows import RowFormatter
from cairn.geography.loading import load_british_columbia
from cairn.geography.models import Jurisdiction
from cairn.surveillance.models import Source


class DemoDataError(Exception):
    """The demo run cannot be loaded as asked; the message says why and what to do."""


class AlreadyLoaded(DemoDataError):
    """This very run is loaded already: nothing to do."""

    def __init__(self, run: "DemoRun"):
        self.run = run
        super().__init__(
            f"Demo run ({describe(run)}) is already loaded: {run.total_events:,} records. "
            "Nothing to do; --replace reloads it."
        )


def ensure_bc_geography() -> bool:
    """Load BC's communities if they are absent; True if it loaded them."""
    if Jurisdiction.objects.filter(code="bc").exists():
        return False
    load_british_columbia()
    return True


def run_like(*, seed: int, years: int, days: int, scale: str) -> DemoRun | None:
    """The loaded run with this seed, span and scale, whatever its end date."""
    span = RunSpec(seed=seed, end=dt.date.today(), scale=scale, years=years, days=days)
    prefix = span.key_prefix.rsplit("-", 1)[0] + "-"
    return DemoRun.objects.filter(key_prefix__startswith=prefix).first()


def describe(run: DemoRun) -> str:
    span = f"{run.years} years" if run.years else f"{(run.end_date - run.start_date).days + 1} days"
    return f"seed {run.seed}, {span} to {run.end_date}, {run.scale}"


@dataclass
class Counts:
    ed: int = 0
    ed_overdose: int = 0
    paramedic: int = 0
    first_responder: int = 0
    coroner: int = 0
    identities: int = 0

    def add(self, batch) -> None:
        n = len(batch)
        if batch.source == Source.EMERGENCY_DEPARTMENT:
            self.ed += n
            overdose = (batch.category == C["opioid_overdose"]) | (
                batch.category == C["stimulant_overdose"]
            )
            self.ed_overdose += int(overdose.sum())
        elif batch.source == Source.PARAMEDIC:
            self.paramedic += n
        elif batch.source == Source.FIRST_RESPONDER:
            self.first_responder += n
        else:
            self.coroner += n
        self.identities += len(batch.identity.rows) if batch.identity else 0

    @property
    def events(self) -> int:
        return self.ed + self.paramedic + self.first_responder + self.coroner


def load_demo_data(*, spec: RunSpec, replace: bool = False, progress: bool = False) -> DemoRun:
    """Generate and load a demo run in one transaction.

    The same spec twice raises AlreadyLoaded (nothing to do) unless replace; any other
    demo run already loaded raises DemoDataError, so two runs never add up in counts.
    With replace, every earlier demo run is deleted first.
    """
    started = time.monotonic()
    earlier = list(DemoRun.objects.all())
    if earlier and not replace:
        same = [run for run in earlier if run.key_prefix == spec.key_prefix]
        if same:
            raise AlreadyLoaded(same[0])
        raise DemoDataError(
            f"Another demo run ({describe(earlier[0])}) is loaded; loading this one too would "
            "add up in every count. --replace deletes it first."
        )
    generator = DemoGenerator(spec)
    communities = generator.calibration.communities
    pks = dict(
        Jurisdiction.objects.filter(code__in=[c.code for c in communities]).values_list(
            "code", "pk"
        )
    )
    missing = [c.code for c in communities if c.code not in pks]
    if missing:
        raise DemoDataError(
            f"{len(missing)} BC communities are missing ({', '.join(missing[:3])}...); "
            "load the geography first (cairn load-geography)."
        )
    formatter = RowFormatter(
        key_prefix=spec.key_prefix,
        community_pks=np.array([pks[c.code] for c in communities], dtype=np.int64),
        facilities=generator.facilities,
    )
    counts = Counts()
    with transaction.atomic():
        for run in earlier:
            delete_demo_run(run)
        loader = loader_for_connection(formatter)
        try:
            with tqdm(
                total=generator.plan.planned_events,
                unit=" records",
                unit_scale=True,
                disable=not progress,
                file=sys.stderr,
                desc="demo-data",
            ) as bar:
                for batch in generator.batches():
                    loader.write(batch)
                    counts.add(batch)
                    bar.total = max(bar.total, counts.events)
                    bar.update(len(batch))
            first_id, last_id = loader.finish()
        finally:
            loader.close()
        run = DemoRun.objects.create(
            seed=spec.seed,
            years=0 if spec.days else spec.years,
            scale=spec.scale,
            start_date=spec.start,
            end_date=spec.end,
            key_prefix=spec.key_prefix,
            first_event_id=first_id if counts.events else None,
            last_event_id=last_id if counts.events else None,
            ed_visits=counts.ed,
            ed_overdose_visits=counts.ed_overdose,
            paramedic_reports=counts.paramedic,
            first_responder_reports=counts.first_responder,
            coroner_deaths=counts.coroner,
            identities=counts.identities,
            elapsed_seconds=time.monotonic() - started,
        )
        kind_source = {"ed": Source.EMERGENCY_DEPARTMENT, "paramedic": Source.PARAMEDIC}
        InjectedSpike.objects.bulk_create(
            InjectedSpike(
                run=run,
                community_id=pks[communities[spike.community].code],
                community_code=communities[spike.community].code,
                source=kind_source[KIND_LABELS[spike.kind][0]],
                starts_at=dt.datetime.fromtimestamp(spike.starts_at, dt.UTC),
                ends_at=dt.datetime.fromtimestamp(spike.ends_at, dt.UTC),
                extra_events=spike.extra_events,
                description=spike.description,
            )
            for spike in generator.plan.spikes
        )
    run.elapsed_seconds = time.monotonic() - started
    DemoRun.objects.filter(pk=run.pk).update(elapsed_seconds=run.elapsed_seconds)
    return run


def delete_demo_run(run: DemoRun) -> int:
    """Delete a demo run with its events, identities and injected spikes."""
    from cairn.demo.cases import delete_demo_cases

    deleted = 0
    delete_demo_cases()  # they point at the run's events
    if run.first_event_id is not None:
        deleted = delete_events_of_run(
            key_prefix=run.key_prefix, first_id=run.first_event_id, last_id=run.last_event_id
        )
    run.delete()
    return deleted


def summary(run: DemoRun) -> str:
    seconds = max(run.elapsed_seconds, 1e-9)
    return (
        f"Demo run {describe(run)}: {run.ed_visits:,} ED visits "
        f"({run.ed_overdose_visits:,} overdoses), {run.paramedic_reports:,} paramedic, "
        f"{run.first_responder_reports:,} first-responder and {run.coroner_deaths:,} coroner "
        f"records, {run.identities:,} identities, {run.spikes.count()} injected spikes; "
        f"{run.total_events:,} records in {seconds:.1f} s "
        f"({run.total_events / seconds:,.0f} records/s)."
    )


def default_end_date() -> dt.date:
    """Yesterday where the demo province is: its data end on the last complete day."""
    return dt.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date() - dt.timedelta(days=1)
