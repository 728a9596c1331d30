"""Spike rules: N or more events meeting a definition within 24 hours in a community."""

import datetime as dt

import pytest
from django.utils import timezone
from scipy.stats import poisson

from cairn.access.models import AuditEvent
from cairn.surveillance.alerts.actions import ensure_default_spike_rules, save_spike_rule
from cairn.surveillance.alerts.realtime import check_alert_rules_after_recount
from cairn.surveillance.alerts.rules import automatic_threshold, evaluate_spike_rules
from cairn.surveillance.alerts.testing import (
    OTHER_COMPLAINT,
    daily_background,
    definitions,
    local,
    overdose_events,
)
from cairn.surveillance.models.alerts import Alert, AlertNotification, SpikeRule

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 6, 12)


@pytest.fixture
def defs(bc_geography):
    return definitions()


def fixed_rule(defs, threshold=5, community=None, **kwargs):
    return SpikeRule.objects.create(
        community=community, definition=defs["all_drug"], threshold=threshold, **kwargs
    )


def evaluate(community, day=DAY):
    return evaluate_spike_rules(start=day, end=day, community_ids=[community.pk])


def test_rule_fires_at_the_threshold(defs, prince_george):
    fixed_rule(defs, threshold=5)
    overdose_events(prince_george, [local(DAY, h) for h in (1, 5, 9, 13, 17)])

    [signal] = evaluate(prince_george)

    assert signal.observed == 5
    assert signal.method == "spike_rule"
    assert (signal.period_start, signal.period_end) == (DAY, DAY)
    assert signal.upperbound == 5
    assert signal.details == {
        "rule_id": SpikeRule.objects.get().pk,
        "threshold": 5,
        "automatic": False,
        "window_hours": 24,
    }
    assert signal.window_start == local(DAY, 1)
    assert signal.window_end == local(DAY, 17)


def test_rule_does_not_fire_below_the_threshold(defs, prince_george):
    fixed_rule(defs, threshold=5)
    overdose_events(prince_george, [local(DAY, h) for h in (1, 5, 9, 13)])

    assert evaluate(prince_george) == []


def test_events_not_meeting_the_definition_do_not_count(defs, prince_george):
    fixed_rule(defs, threshold=5)
    overdose_events(prince_george, [local(DAY, h) for h in (1, 5, 9, 13)])
    overdose_events(prince_george, [local(DAY, 20)], complaint=OTHER_COMPLAINT, codes=["S93.4"])

    assert evaluate(prince_george) == []


def test_events_exactly_24_hours_apart_are_not_within_24_hours(defs, prince_george):
    fixed_rule(defs, threshold=5)
    first = local(DAY, 6)
    overdose_events(prince_george, [first + dt.timedelta(hours=h) for h in (0, 6, 12, 18, 24)])

    # Windows ending on DAY hold 3 events; the one ending at 06:00 next day holds 4 (the
    # event at 06:00 on DAY is exactly 24 hours before it, so outside).
    assert evaluate(prince_george) == []
    assert evaluate(prince_george, DAY + dt.timedelta(days=1)) == []


def test_events_just_under_24_hours_apart_are_within_24_hours(defs, prince_george):
    fixed_rule(defs, threshold=5)
    first = local(DAY, 6)
    last = first + dt.timedelta(hours=23, minutes=59)
    overdose_events(prince_george, [first + dt.timedelta(hours=h) for h in (0, 6, 12, 18)])
    overdose_events(prince_george, [last])

    [signal] = evaluate(prince_george, DAY + dt.timedelta(days=1))
    assert signal.observed == 5
    assert (signal.window_start, signal.window_end) == (first, last)


def test_a_cluster_across_midnight_counts_as_one_window(defs, prince_george):
    fixed_rule(defs, threshold=5)
    overdose_events(prince_george, [local(DAY, 21), local(DAY, 22), local(DAY, 23)])
    next_day = DAY + dt.timedelta(days=1)
    overdose_events(prince_george, [local(next_day, 0, 30), local(next_day, 1)])

    assert evaluate(prince_george) == []
    [signal] = evaluate(prince_george, next_day)
    assert signal.observed == 5


def test_a_community_rule_replaces_the_default(defs, prince_george, abbotsford):
    fixed_rule(defs, threshold=5)
    fixed_rule(defs, threshold=3, community=prince_george)
    for community in (prince_george, abbotsford):
        overdose_events(community, [local(DAY, h) for h in (1, 5, 9)])

    signals = evaluate_spike_rules(
        start=DAY, end=DAY, community_ids=[prince_george.pk, abbotsford.pk]
    )

    assert [(s.community_id, s.details["threshold"]) for s in signals] == [(prince_george.pk, 3)]


def test_an_inactive_community_rule_switches_the_default_off_there(defs, prince_george):
    fixed_rule(defs, threshold=5)
    fixed_rule(defs, threshold=5, community=prince_george, active=False)
    overdose_events(prince_george, [local(DAY, h) for h in (1, 5, 9, 13, 17)])

    assert evaluate(prince_george) == []


def test_a_rule_for_one_source_counts_only_that_source(defs, prince_george):
    fixed_rule(defs, threshold=3, source="paramedic")
    overdose_events(prince_george, [local(DAY, h) for h in (1, 5)], source="paramedic")
    overdose_events(prince_george, [local(DAY, 9)], source="ed")

    assert evaluate(prince_george) == []
    overdose_events(prince_george, [local(DAY, 12)], source="paramedic")
    [signal] = evaluate(prince_george)
    assert signal.source == "paramedic" and signal.observed == 3


def test_automatic_threshold_is_the_poisson_tail_of_the_recent_average(defs, prince_george):
    assert automatic_threshold(0.01) == 3  # the floor (the tail alone would say 2)
    for mean in (2.0, 6.5, 30.0):
        n = automatic_threshold(mean)
        assert poisson.sf(n - 1, mean) <= 1e-4 < poisson.sf(n - 2, mean)


def test_automatic_rule_fires_on_a_spike_above_the_usual(defs, prince_george):
    SpikeRule.objects.create(definition=defs["all_drug"], threshold=None)
    first = DAY - dt.timedelta(days=28)
    daily_background(prince_george, first=first, days=28, per_day=2)
    threshold = automatic_threshold(2.0)  # 28 days of 2 a day: 9
    # Late in the day, so that no window reaches back to yesterday's background events.
    overdose_events(prince_george, [local(DAY, 13 + h) for h in range(threshold - 1)])
    assert evaluate(prince_george) == []

    overdose_events(prince_george, [local(DAY, 22)])
    [signal] = evaluate(prince_george)

    assert signal.observed == threshold
    assert signal.expected == pytest.approx(2.0)
    assert signal.details["automatic"] is True
    assert signal.p_value == pytest.approx(poisson.sf(threshold - 1, 2.0))


def test_automatic_rule_waits_for_a_week_of_history(defs, prince_george):
    SpikeRule.objects.create(definition=defs["all_drug"], threshold=None)
    daily_background(prince_george, first=DAY - dt.timedelta(days=3), days=3, per_day=1)
    overdose_events(prince_george, [local(DAY, h) for h in range(1, 20)])

    assert evaluate(prince_george) == []


def test_default_rules_are_created_once(defs):
    assert ensure_default_spike_rules() == 1
    rule = SpikeRule.objects.get()
    assert (rule.community, rule.definition.slug, rule.threshold) == (None, "all_drug", None)
    rule.active = False
    rule.save()

    assert ensure_default_spike_rules() == 0
    assert SpikeRule.objects.get().active is False


def test_saving_a_rule_is_audited_and_checked(defs, epidemiologist, regional_epidemiologist):
    rule, created = save_spike_rule(
        actor=epidemiologist, definition=defs["opioid"], threshold=6, window_hours=12
    )
    assert created
    event = AuditEvent.objects.get(action="spike_rule.create")
    assert event.actor_username == "epidemiologist"
    assert event.details["after"]["threshold"] == 6

    rule, created = save_spike_rule(
        actor=epidemiologist, definition=defs["opioid"], threshold=None, window_hours=24
    )
    assert not created and rule.threshold is None
    change = AuditEvent.objects.get(action="spike_rule.change")
    assert change.details["before"]["threshold"] == 6

    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # the province-wide default is not theirs
        save_spike_rule(actor=regional_epidemiologist, definition=defs["opioid"], threshold=4)


def test_real_time_check_raises_and_notifies_for_todays_records(
    defs, prince_george, outreach_worker, django_capture_on_commit_callbacks
):
    fixed_rule(defs, threshold=5)
    today = timezone.localdate()
    now = local(today, 0) + dt.timedelta(minutes=5)
    overdose_events(prince_george, [now + dt.timedelta(minutes=m) for m in range(5)])

    with django_capture_on_commit_callbacks(execute=True):
        check_alert_rules_after_recount([(prince_george.pk, today)])

    alert = Alert.objects.get()
    assert (alert.community, alert.method, alert.period_start) == (
        prince_george,
        "spike_rule",
        today,
    )
    assert AlertNotification.objects.filter(alert=alert, user=outreach_worker).exists()


def test_real_time_check_leaves_old_days_to_the_scheduled_run(defs, prince_george):
    fixed_rule(defs, threshold=5)
    old = timezone.localdate() - dt.timedelta(days=30)
    overdose_events(prince_george, [local(old, h) for h in range(1, 8)])

    check_alert_rules_after_recount([(prince_george.pk, old)])

    assert not Alert.objects.exists()


def test_real_time_check_never_raises(defs, prince_george):
    # A malformed cell (from a bug elsewhere) is logged, not raised into the intake.
    check_alert_rules_after_recount([("not-an-id", "not-a-day")])
    assert not Alert.objects.exists()
