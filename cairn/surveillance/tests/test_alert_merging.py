"""Signals of one episode (community × definition × source) merge into one alert."""

import datetime as dt

import pytest
from django.test import override_settings

from cairn.access.models import AuditEvent
from cairn.surveillance.alerts.actions import record_signal
from cairn.surveillance.alerts.testing import definitions, signal
from cairn.surveillance.models.alerts import Alert, AlertNotification, AlertSignal

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 6, 12)


@pytest.fixture
def defs(bc_geography):
    return definitions()


def record(*args, **kwargs):
    return record_signal(signal=signal(*args, **kwargs), notify=False)


def test_first_signal_raises_an_alert_with_its_figures(defs, prince_george):
    outcome = record(prince_george, defs["opioid"], DAY, observed=14, expected=4.5, upperbound=9.8)

    assert outcome.raised
    alert = outcome.alert
    assert (alert.community, alert.definition.slug, alert.source) == (prince_george, "opioid", "")
    assert (alert.method, alert.period, alert.period_start, alert.period_end) == (
        "ears-c2",
        "day",
        DAY,
        DAY,
    )
    assert (alert.observed, alert.expected, alert.upperbound) == (14, 4.5, 9.8)
    assert alert.status == "new" and alert.signal_count == 1
    assert AuditEvent.objects.get(action="alert.raise").target_id == str(alert.pk)


def test_repeated_signals_of_an_ongoing_episode_merge(defs, prince_george):
    first = record(prince_george, defs["opioid"], DAY).alert
    second = record(prince_george, defs["opioid"], DAY + dt.timedelta(days=1))
    third = record(prince_george, defs["opioid"], DAY + dt.timedelta(days=2), method="spike_rule")

    assert second.merged and third.merged
    assert second.alert.pk == third.alert.pk == first.pk
    alert = Alert.objects.get()
    assert alert.signal_count == 3
    assert (alert.period_start, alert.period_end) == (DAY, DAY + dt.timedelta(days=2))
    assert alert.method == "ears-c2"  # the trigger stays the first signal
    assert AuditEvent.objects.filter(action="alert.merge").count() == 2


def test_a_weekly_signal_merges_with_daily_signals_in_its_week(defs, prince_george):
    record(prince_george, defs["opioid"], DAY)
    monday = DAY - dt.timedelta(days=DAY.weekday())
    outcome = record(
        prince_george, defs["opioid"], monday, method="farrington-flexible", period="week"
    )

    assert outcome.merged
    assert Alert.objects.get().period_start == monday  # the earliest signal triggers


def test_signals_further_apart_than_the_gap_are_separate_episodes(defs, prince_george):
    record(prince_george, defs["opioid"], DAY)
    later = record(prince_george, defs["opioid"], DAY + dt.timedelta(days=8))

    assert later.raised
    assert Alert.objects.count() == 2


@override_settings(CAIRN_ALERT_EPISODE_GAP_DAYS=10)
def test_the_gap_is_configurable(defs, prince_george):
    record(prince_george, defs["opioid"], DAY)
    assert record(prince_george, defs["opioid"], DAY + dt.timedelta(days=8)).merged


def test_other_definitions_communities_and_sources_are_other_episodes(
    defs, prince_george, abbotsford
):
    record(prince_george, defs["opioid"], DAY)
    assert record(prince_george, defs["fentanyl"], DAY).raised
    assert record(abbotsford, defs["opioid"], DAY).raised
    assert record(prince_george, defs["opioid"], DAY, source="paramedic").raised
    assert Alert.objects.count() == 4


def test_the_same_signal_twice_changes_nothing(defs, prince_george):
    record(prince_george, defs["opioid"], DAY)
    again = record(prince_george, defs["opioid"], DAY)

    assert again.outcome == "unchanged"
    assert (Alert.objects.count(), AlertSignal.objects.count()) == (1, 1)
    assert Alert.objects.get().signal_count == 1


def test_a_signal_seen_again_with_more_events_is_updated(defs, prince_george):
    record(prince_george, defs["opioid"], DAY, observed=9)
    again = record(prince_george, defs["opioid"], DAY, observed=11)

    assert again.outcome == "updated"
    assert AlertSignal.objects.get().observed == 11
    assert Alert.objects.get().observed == 11  # it is the trigger
    assert Alert.objects.get().signal_count == 1


def test_an_earlier_signal_arriving_later_becomes_the_trigger(defs, prince_george):
    record(prince_george, defs["opioid"], DAY, observed=10)
    record(
        prince_george, defs["opioid"], DAY - dt.timedelta(days=2), method="spike_rule", observed=8
    )

    alert = Alert.objects.get()
    assert (alert.method, alert.period_start, alert.observed) == (
        "spike_rule",
        DAY - dt.timedelta(days=2),
        8,
    )
    assert alert.period_end == DAY


def test_a_merged_signal_notifies_nobody_again(
    defs, prince_george, outreach_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record_signal(signal=signal(prince_george, defs["opioid"], DAY))
    assert AlertNotification.objects.filter(user=outreach_worker).count() == 1

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record_signal(signal=signal(prince_george, defs["opioid"], DAY + dt.timedelta(days=1)))

    assert callbacks == []
    assert AlertNotification.objects.filter(user=outreach_worker).count() == 1


def test_a_dismissed_alert_still_absorbs_its_episode(defs, prince_george, epidemiologist):
    from cairn.surveillance.alerts.actions import dismiss_alert

    alert = record(prince_george, defs["opioid"], DAY).alert
    dismiss_alert(actor=epidemiologist, alert=alert, reason="A data-entry duplicate.")
    outcome = record(prince_george, defs["opioid"], DAY + dt.timedelta(days=1))

    assert outcome.merged
    assert Alert.objects.get().status == "dismissed"
