"""`cairn surveillance run`: statistical alerts and spike rules, idempotent and resumable."""

import datetime as dt
import io

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cairn.surveillance.alerts.testing import daily_background, definitions, local, overdose_events
from cairn.surveillance.counts.maintain import rebuild_counts
from cairn.surveillance.detection import detect
from cairn.surveillance.models.alerts import (
    Alert,
    AlertNotification,
    AlertSignal,
    SpikeRule,
    SurveillanceRun,
)
from cairn.surveillance.runs import RunOptions, options_from, run_surveillance, unit_key

pytestmark = pytest.mark.django_db

START = dt.date(2024, 5, 1)
SPIKE = dt.date(2024, 6, 12)
UNTIL = dt.date(2024, 6, 20)


@pytest.fixture
def defs(bc_geography):
    return definitions()


@pytest.fixture
def spike_in_prince_george(defs, prince_george, personas):
    """Six weeks of 2 events a day, then 14 in one afternoon; counts rebuilt."""
    daily_background(prince_george, first=START, days=(UNTIL - START).days + 1, per_day=2)
    overdose_events(
        prince_george, [local(SPIKE, 13) + dt.timedelta(minutes=20 * i) for i in range(14)]
    )
    rebuild_counts()
    return prince_george


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("surveillance", "run", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


WINDOW = ["--since", "2024-06-01", "--until", UNTIL.isoformat()]


def test_run_raises_statistical_and_spike_rule_alerts_once(spike_in_prince_george, defs):
    printed = run(*WINDOW, "--methods", "ears-c2", "--definitions", "opioid,all_drug")

    assert printed.startswith("Surveillance run ")
    assert "new alerts" in printed
    assert SpikeRule.objects.get().definition.slug == "all_drug"  # the default, created once
    alerts = {(a.definition.slug, a.method): a for a in Alert.objects.all()}
    assert set(alerts) == {("all_drug", "spike_rule"), ("opioid", "ears-c2")}
    # The spike rule and EARS both flagged the spike day for all_drug: one alert.
    all_drug = alerts[("all_drug", "spike_rule")]
    assert set(all_drug.signals.values_list("method", flat=True)) == {"spike_rule", "ears-c2"}
    for alert in alerts.values():
        assert (alert.community, alert.period_start) == (spike_in_prince_george, SPIKE)
    signals, notifications = AlertSignal.objects.count(), AlertNotification.objects.count()
    assert notifications == 2 * 3  # the action team, for each alert

    again = run(*WINDOW, "--methods", "ears-c2", "--definitions", "opioid,all_drug")

    assert ", 0 new alerts" in again
    assert Alert.objects.count() == 2
    assert (AlertSignal.objects.count(), AlertNotification.objects.count()) == (
        signals,
        notifications,
    )


def test_statistical_signal_carries_the_methods_figures(spike_in_prince_george, defs):
    run(*WINDOW, "--methods", "ears-c2", "--definitions", "opioid", "--no-spike-rules")

    signal = AlertSignal.objects.get()
    days = [START + dt.timedelta(days=i) for i in range((UNTIL - START).days + 1)]
    counts = np.array([16 if d == SPIKE else 2 for d in days])
    expected = detect("ears-c2", counts, freq=365)
    at = days.index(SPIKE)
    assert (signal.method, signal.period, signal.period_start) == ("ears-c2", "day", SPIKE)
    assert signal.observed == 16
    assert signal.expected == pytest.approx(expected.expected[at])
    assert signal.upperbound == pytest.approx(expected.upperbound[at])


def test_a_stopped_run_is_resumed_without_redoing_finished_units(spike_in_prince_george, defs):
    options = RunOptions(
        since=dt.date(2024, 6, 1),
        until=UNTIL,
        methods=("ears-c2",),
        definitions=("all_drug", "opioid"),
    )
    stopped = SurveillanceRun.objects.create(
        options_key=options.key, completed=[unit_key(("spike_rule", "all_drug"))]
    )

    run, totals = run_surveillance(options)

    assert run.pk == stopped.pk and run.status == "done"
    assert totals.skipped_units == 1
    assert any("resumed" in note for note in totals.notes)
    assert sorted(run.completed) == sorted(
        [
            "spike_rule:all_drug",
            "spike_rule:opioid",
            "ears-c2:all_drug",
            "ears-c2:opioid",
        ]
    )
    # The skipped unit's alert was not raised by this run; the others were.
    assert not Alert.objects.filter(method="spike_rule").exists()
    assert Alert.objects.filter(definition__slug="opioid").exists()


def test_min_observed_filters_small_statistical_signals(spike_in_prince_george, defs):
    run(*WINDOW, "--methods", "ears-c2", "--definitions", "opioid", "--no-spike-rules",
        "--min-observed", "20")  # fmt: skip
    assert not Alert.objects.exists()


def test_weekly_farrington_over_a_year_and_a_half(defs, prince_george, personas):
    start = dt.date(2022, 12, 26)  # a Monday
    weeks = 80
    rng = np.random.default_rng(4)
    times = []
    for week in range(weeks):
        n = 25 if week == weeks - 2 else int(rng.poisson(6))
        monday = start + dt.timedelta(weeks=week)
        times += [local(monday + dt.timedelta(days=i % 7), 10 + i % 10) for i in range(n)]
    overdose_events(prince_george, times)
    rebuild_counts()
    spike_week = start + dt.timedelta(weeks=weeks - 2)

    run("--since", (spike_week - dt.timedelta(weeks=4)).isoformat(), "--until",
        (spike_week + dt.timedelta(days=6)).isoformat(), "--methods", "farrington-flexible",
        "--definitions", "opioid", "--no-spike-rules")  # fmt: skip

    alert = Alert.objects.get()
    assert (alert.method, alert.period, alert.period_start) == (
        "farrington-flexible",
        "week",
        spike_week,
    )
    assert alert.observed == 25
    assert alert.signals.get().details == {"alpha": 0.005, "b": 1, "w": 3}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "June 1"], "--since 'June 1': expected a date"),
        (["--since", "2024-06-10", "--until", "2024-06-01"], "is after --until"),
        (["--methods", "ears-c9"], "unknown method 'ears-c9'"),
        (["--communities", "bc-lha-atlantis"], "no community with code 'bc-lha-atlantis'"),
        (["--definitions", "cannabis"], "no case definition 'cannabis'"),
        (["--every", "5"], "--every is at least 10 seconds"),
        (["--min-observed", "0"], "--min-observed must be at least 1"),
    ],
)
def test_bad_options_are_refused_clearly(defs, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        run(*args)


def test_default_window_is_the_last_two_weeks(defs):
    options = options_from({}, today=dt.date(2024, 6, 20))
    assert (options.since, options.until) == (dt.date(2024, 6, 7), dt.date(2024, 6, 20))
    assert options.methods == ("ewma", "farrington-flexible")


def test_every_keeps_running_until_stopped(spike_in_prince_george, defs, monkeypatch):
    naps = []

    def sleep(seconds):  # the clock is the outside world: stop after the second run
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("cairn.surveillance.runs.time.sleep", sleep)

    printed = run("--every", "30", "--methods", "none", "--since", "2024-06-01", "--until",
                  UNTIL.isoformat())  # fmt: skip

    lines = printed.splitlines()
    assert [line.startswith("Surveillance run ") for line in lines] == [True, True, False]
    assert ", 1 new alerts" in lines[0] and ", 0 new alerts" in lines[1]
    assert lines[-1] == "Stopped."
    assert all(0 < nap <= 30 for nap in naps)
    assert Alert.objects.count() == 1  # the second run found the same spike


def test_essence_alerts_on_red_only(defs, prince_george, personas):
    """ESSENCE's yellow (p < 0.05) is a warning; only red (p < 0.01) makes an alert."""
    days = [START + dt.timedelta(days=i) for i in range(45)]
    background = np.random.default_rng(1).poisson(4, len(days))
    dates = np.asarray(days, dtype="datetime64[D]")

    def level_with(last: int) -> str:
        series = background.copy()
        series[-1] = last
        return str(detect("ewma", series, dates=dates, freq=365).level[-1])

    yellow = next(n for n in range(5, 40) if level_with(n) == "yellow")
    red = next(n for n in range(5, 40) if level_with(n) == "red")
    times = [
        local(day, 1) + dt.timedelta(minutes=20 * n)
        for i, day in enumerate(days)
        for n in range(yellow if i == len(days) - 1 else background[i])
    ]
    overdose_events(prince_george, times)
    rebuild_counts()
    window = ["--since", days[-1].isoformat(), "--until", days[-1].isoformat()]
    run(*window, "--methods", "ewma", "--definitions", "opioid", "--no-spike-rules")
    assert not Alert.objects.exists()

    overdose_events(prince_george, [local(days[-1], 23)] * (red - yellow))
    rebuild_counts()
    run(*window, "--methods", "ewma", "--definitions", "opioid", "--no-spike-rules")
    alert = Alert.objects.get()
    assert (alert.method, alert.level, alert.period_start, alert.observed) == (
        "ewma",
        "red",
        days[-1],
        red,
    )
    assert alert.p_value < 0.01
