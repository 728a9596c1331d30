"""Done when: the demo's injected spikes raise alerts at the right places and dates, and
notify the right people (cairn demo-setup: data, counts, a first surveillance run)."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from cairn.demo.models import InjectedSpike
from cairn.surveillance.models.alerts import Alert, AlertNotification, SurveillanceRun

pytestmark = pytest.mark.django_db

ACTION_TEAM = {"outreach.worker", "peer.worker", "municipal.coordinator"}
NOT_TOLD_IN_PRINCE_GEORGE = {
    "police.liaison",
    "first.responder",
    "fn.partner",
    "er.nurse",
    "fraser.epidemiologist",
    "epidemiologist",
    "admin",
}


def demo_setup() -> str:
    out = io.StringIO()
    call_command(
        "demo_setup", "--days", "240", "--scale", "tiny", "--end", "2024-09-30", stdout=out
    )
    return out.getvalue()


def alerts_at(spike) -> list[Alert]:
    first = timezone.localtime(spike.starts_at).date()
    last = timezone.localtime(spike.ends_at).date()
    return list(
        Alert.objects.filter(
            community_id=spike.community_id, period_start__lte=last, period_end__gte=first
        )
    )


def told(alerts) -> set[str]:
    return set(
        AlertNotification.objects.filter(alert__in=alerts).values_list("user__username", flat=True)
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo for the module (a few seconds of data and a surveillance run)."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            printed = demo_setup()
            yield printed
            transaction.set_rollback(True)


def test_every_injected_spike_raises_an_alert_at_its_place_and_dates(demo):
    spikes = list(InjectedSpike.objects.all())
    assert len(spikes) >= 3
    missed = [spike.description for spike in spikes if not alerts_at(spike)]
    assert missed == []
    assert f"{len(spikes)} of {len(spikes)}" in demo


def test_the_prince_george_spike_reaches_its_action_team_only(demo):
    spike = InjectedSpike.objects.get(community_code="bc-lha-prince-george")
    people = told(alerts_at(spike))

    assert people >= ACTION_TEAM
    assert not people & NOT_TOLD_IN_PRINCE_GEORGE


def test_spikes_in_vancouver_coastal_reach_its_response_centre(demo):
    for spike in InjectedSpike.objects.exclude(community_code="bc-lha-prince-george"):
        alerts = alerts_at(spike)
        in_vancouver_coastal = spike.community.path.startswith("bc/bc-ha-vancouver-coastal/")
        assert ("er.nurse" in told(alerts)) == in_vancouver_coastal, spike.description


def test_setting_up_again_runs_nothing_twice(demo):
    alerts, runs = Alert.objects.count(), SurveillanceRun.objects.count()

    again = demo_setup()

    assert "already loaded" in again
    assert (Alert.objects.count(), SurveillanceRun.objects.count()) == (alerts, runs)
