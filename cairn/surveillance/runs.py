"""`cairn surveillance run`: the scheduled surveillance run (counts, detection, alerts).

    cairn surveillance run                      # the last 14 days, the configured methods
    cairn surveillance run --since 2024-01-01   # a back-fill
    cairn surveillance run --every 60           # keep running, once a minute

One run: recount the cells marked since the last recount; make sure the default spike
rule exists; then, unit by unit (spike rules for one definition, or one method for one
definition, over every selected community), find the signals of the window, store them
(new alerts, or merged into ongoing ones) and notify people of the new alerts.

Idempotent: signals are unique per community × definition × source × method × period,
so running again over the same days creates nothing new. Resumable: each unit commits
with its mark in the run's `completed` list, and a run that stopped (killed, failed) is
continued by the next run with the same options, skipping the finished units. Two runs
never overlap on PostgreSQL (an advisory lock): the second one says so and stops.
"""

import datetime as dt
import hashlib
import json
import logging
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from cairn.geography.models import Jurisdiction, Level
from cairn.surveillance.alerts.actions import ensure_default_spike_rules, record_signal
from cairn.surveillance.alerts.notify import notify_pending_alerts
from cairn.surveillance.alerts.rules import evaluate_spike_rules, first_event_days
from cairn.surveillance.alerts.statistical import (
    METHOD_CONFIGS,
    configured_methods,
    method_config,
    run_method,
)
from cairn.surveillance.models import CaseDefinition
from cairn.surveillance.models.alerts import (
    SPIKE_RULE_METHOD,
    SurveillanceRun,
    SurveillanceRunStatus,
)

logger = logging.getLogger(__name__)

HELP = "Run surveillance now: refresh counts, detect aberrations, raise and send alerts"
DEFAULT_DAYS = 14
RUN_LOCK_KEY = 0x0A1E27  # "alert": one surveillance run at a time
KEEP_RUNS_DAYS = 30


@dataclass(frozen=True)
class RunOptions:
    since: dt.date
    until: dt.date
    methods: tuple[str, ...]
    spike_rules: bool = True
    communities: tuple[str, ...] = ()  # codes; empty: every community
    definitions: tuple[str, ...] = ()  # slugs; empty: every active definition
    min_observed: int | None = None

    @property
    def key(self) -> str:
        text = json.dumps(asdict(self), default=str, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class RunTotals:
    units: int = 0
    series: int = 0
    signals: int = 0
    raised: int = 0
    merged: int = 0
    updated: int = 0
    notifications: int = 0
    emails: int = 0
    skipped_units: int = 0
    notes: list[str] = field(default_factory=list)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--since",
        help=f"First day to evaluate (YYYY-MM-DD, or 'all' for every day with data); "
        f"default: {DEFAULT_DAYS} days ago.",
    )
    parser.add_argument("--until", help="Last day to evaluate (YYYY-MM-DD); default: today.")
    parser.add_argument(
        "--methods",
        help="Comma-separated detection methods ("
        + ", ".join(METHOD_CONFIGS)
        + f"), or 'none'; default: {','.join(configured_methods())}.",
    )
    parser.add_argument(
        "--no-spike-rules", action="store_true", help="Do not evaluate the spike rules."
    )
    parser.add_argument("--communities", help="Comma-separated community codes; default: all.")
    parser.add_argument(
        "--definitions", help="Comma-separated case definition slugs; default: every active one."
    )
    parser.add_argument(
        "--min-observed",
        type=int,
        help="Events a period needs for a statistical signal (default: 5).",
    )
    parser.add_argument(
        "--every",
        type=int,
        metavar="SECONDS",
        help="Keep running: start a run every SECONDS (at least 10) until stopped.",
    )
    parser.add_argument("--quiet", action="store_true", help="Print only the summary line.")


def _parse_day(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--{name} {value!r}: expected a date as YYYY-MM-DD.") from None


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def options_from(options: dict, *, today: dt.date | None = None) -> RunOptions:
    """The run's options from the command line, checked; CommandError names what is wrong."""
    today = today or timezone.localdate()
    until = _parse_day(options["until"], "until") if options.get("until") else today
    since_text = options.get("since")
    if since_text == "all":
        since = first_counted_day() or until
    elif since_text:
        since = _parse_day(since_text, "since")
    else:
        since = until - dt.timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise CommandError(f"--since {since} is after --until {until}.")
    methods_text = options.get("methods")
    if methods_text == "none":
        methods: tuple[str, ...] = ()
    elif methods_text:
        methods = _split(methods_text)
        unknown = [m for m in methods if m not in METHOD_CONFIGS]
        if unknown:
            raise CommandError(
                f"--methods: unknown method {unknown[0]!r}; methods: {', '.join(METHOD_CONFIGS)}."
            )
    else:
        methods = configured_methods()
    communities = _split(options.get("communities"))
    if communities:
        found = set(
            Jurisdiction.objects.filter(level=Level.COMMUNITY, code__in=communities).values_list(
                "code", flat=True
            )
        )
        missing = [code for code in communities if code not in found]
        if missing:
            raise CommandError(f"--communities: no community with code {missing[0]!r}.")
    definitions = _split(options.get("definitions"))
    if definitions:
        found = set(
            CaseDefinition.objects.filter(slug__in=definitions).values_list("slug", flat=True)
        )
        missing = [slug for slug in definitions if slug not in found]
        if missing:
            raise CommandError(f"--definitions: no case definition {missing[0]!r}.")
    min_observed = options.get("min_observed")
    if min_observed is not None and min_observed < 1:
        raise CommandError("--min-observed must be at least 1.")
    return RunOptions(
        since=since,
        until=until,
        methods=tuple(dict.fromkeys(methods)),
        spike_rules=not options.get("no_spike_rules", False),
        communities=tuple(sorted(communities)),
        definitions=tuple(sorted(definitions)),
        min_observed=min_observed,
    )


def first_counted_day() -> dt.date | None:
    from cairn.surveillance.models.counts import DailyCount

    return DailyCount.objects.aggregate(first=Min("day"))["first"]


@contextmanager
def _run_lock():
    """True when this process may run; False when another run holds the lock."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK_KEY])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK_KEY])


def _units(options: RunOptions) -> list[tuple[str, str]]:
    definitions = CaseDefinition.objects.filter(active=True)
    if options.definitions:
        definitions = CaseDefinition.objects.filter(slug__in=options.definitions)
    slugs = list(definitions.order_by("position", "slug").values_list("slug", flat=True))
    units = []
    if options.spike_rules:
        units += [(SPIKE_RULE_METHOD, slug) for slug in slugs]
    units += [(method, slug) for method in options.methods for slug in slugs]
    return units


def unit_key(unit: tuple[str, str]) -> str:
    return f"{unit[0]}:{unit[1]}"


def run_surveillance(
    options: RunOptions,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    recount: bool = True,
) -> tuple[SurveillanceRun | None, RunTotals]:
    """One surveillance run; (None, totals) when another run is in progress."""
    totals = RunTotals()
    with _run_lock() as acquired:
        if not acquired:
            totals.notes.append("another surveillance run is in progress; nothing done")
            return None, totals
        if recount:
            _recount(totals)
        ensure_default_spike_rules()
        run = (
            SurveillanceRun.objects.filter(options_key=options.key)
            .exclude(status=SurveillanceRunStatus.DONE)
            .order_by("-started_at", "-pk")
            .first()
        )
        if run is None:
            run = SurveillanceRun.objects.create(
                options_key=options.key,
                options=json.loads(json.dumps(asdict(options), default=str)),
            )
        else:
            totals.notes.append(f"resumed run {run.pk} ({len(run.completed)} units already done)")
            run.status = SurveillanceRunStatus.RUNNING
            run.error = ""
            run.save(update_fields=["status", "error"])
        units = _units(options)
        run.units_total = len(units)
        run.save(update_fields=["units_total"])
        try:
            _run_units(run, options, units, totals, progress)
        except Exception as error:
            SurveillanceRun.objects.filter(pk=run.pk).update(
                status=SurveillanceRunStatus.FAILED,
                error=f"{type(error).__name__}: {error}"[:2000],
                heartbeat_at=timezone.now(),
            )
            raise
        sent = notify_pending_alerts()  # also retries emails that failed before
        totals.notifications += sent.notifications
        totals.emails += sent.emails
        SurveillanceRun.objects.filter(pk=run.pk).update(
            status=SurveillanceRunStatus.DONE,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
            notifications=totals.notifications,
            emails_sent=totals.emails,
        )
        SurveillanceRun.objects.filter(
            status=SurveillanceRunStatus.DONE,
            finished_at__lt=timezone.now() - dt.timedelta(days=KEEP_RUNS_DAYS),
        ).delete()
        run.refresh_from_db()
        return run, totals


def _recount(totals: RunTotals) -> None:
    try:
        from cairn.surveillance.counts.maintain import recount_marked_cells
    except ImportError:
        return
    cells = recount_marked_cells()
    if cells:
        totals.notes.append(f"recounted {len(cells):,} community-days")


def _community_ids(options: RunOptions) -> list[int]:
    communities = Jurisdiction.objects.filter(level=Level.COMMUNITY)
    if options.communities:
        communities = communities.filter(code__in=options.communities)
    return list(communities.order_by("pk").values_list("pk", flat=True))


def _run_units(run, options, units, totals, progress) -> None:
    community_ids = _community_ids(options)
    definitions = dict(CaseDefinition.objects.values_list("slug", "pk"))
    done = set(run.completed)
    first_days = None
    for number, unit in enumerate(units, 1):
        key = unit_key(unit)
        if progress:
            progress(number, len(units), key)
        if key in done:
            totals.skipped_units += 1
            continue
        method, slug = unit
        definition_id = definitions[slug]
        if method == SPIKE_RULE_METHOD:
            if first_days is None:
                first_days = first_event_days(community_ids)
            signals = evaluate_spike_rules(
                start=options.since,
                end=options.until,
                community_ids=community_ids,
                definition_ids=[definition_id],
                first_days=first_days,
            )
        else:
            found = run_method(
                method_config(method),
                definition_id=definition_id,
                community_ids=community_ids,
                since=options.since,
                until=options.until,
                min_observed=options.min_observed,
            )
            signals = found.signals
            totals.series += found.series
        with transaction.atomic():
            for signal in signals:
                outcome = record_signal(signal=signal, notify=False)
                if outcome.outcome == "raised":
                    totals.raised += 1
                elif outcome.outcome == "merged":
                    totals.merged += 1
                elif outcome.outcome == "updated":
                    totals.updated += 1
            totals.signals += len(signals)
            totals.units += 1
            locked = SurveillanceRun.objects.select_for_update().get(pk=run.pk)
            locked.completed = [*locked.completed, key]
            locked.signals += len(signals)
            locked.heartbeat_at = timezone.now()
            locked.save(update_fields=["completed", "signals", "heartbeat_at"])
        SurveillanceRun.objects.filter(pk=run.pk).update(
            series=totals.series, alerts_raised=totals.raised, alerts_merged=totals.merged
        )
        # The new alerts of this unit reach people now, not at the end of a long back-fill.
        sent = notify_pending_alerts()
        totals.notifications += sent.notifications
        totals.emails += sent.emails


def summary(run: SurveillanceRun | None, totals: RunTotals, seconds: float) -> str:
    if run is None:
        return "Surveillance run skipped: " + "; ".join(totals.notes) + "."
    parts = [
        f"Surveillance run {run.pk}: {totals.units} units",
        f"{totals.series:,} series",
        f"{totals.signals:,} signals",
        f"{totals.raised:,} new alerts",
        f"{totals.merged:,} merged into ongoing alerts",
        f"{totals.notifications:,} inbox entries",
        f"{totals.emails:,} emails",
    ]
    if totals.skipped_units:
        parts.append(f"{totals.skipped_units} units already done")
    text = ", ".join(parts) + f" in {seconds:.1f} s"
    if totals.notes:
        text += " (" + "; ".join(totals.notes) + ")"
    return text + "."


def handle(command, options) -> None:
    every = options.get("every")
    if every is not None and every < 10:
        raise CommandError("--every is at least 10 seconds.")
    quiet = options.get("quiet", False)
    while True:
        started = time.monotonic()
        run_options = options_from(options)  # "the last 14 days" moves with the clock
        progress = None
        if not quiet and sys.stderr.isatty():

            def progress(number: int, total: int, label: str) -> None:
                command.stderr.write(f"\r[{number}/{total}] {label:<40}", ending="")

        try:
            run, totals = run_surveillance(run_options, progress=progress)
        except KeyboardInterrupt:
            command.stdout.write("Stopped; the next run continues where this one stopped.")
            return
        except Exception as error:
            if every is None:
                raise CommandError(f"The surveillance run failed: {error}") from error
            logger.exception("Surveillance run failed; trying again in %s s.", every)
            command.stderr.write(f"Surveillance run failed: {error}")
        else:
            if progress:
                command.stderr.write("")
            command.stdout.write(summary(run, totals, time.monotonic() - started))
        if every is None:
            return
        try:
            time.sleep(max(0.0, every - (time.monotonic() - started)))
        except KeyboardInterrupt:
            command.stdout.write("Stopped.")
            return
