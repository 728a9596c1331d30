"""The demo's clients and cases: realistic spread, linked to demo visits, loaded once."""

from collections import Counter

import pytest
from django.conf import settings
from django.utils import timezone

from cairn.access.personas import PERSONAS
from cairn.cases.access import clients_visible_to
from cairn.cases.models import Client, EpisodeSource, RecordStatus
from cairn.cases.models.assessments import RiskAssessment
from cairn.cases.models.care_alerts import CareAlert
from cairn.cases.models.followups import FollowUp, FollowUpAttempt
from cairn.cases.models.groups import GroupPlacement
from cairn.cases.models.plans import PlanAction, Referral
from cairn.cases.queries import worklist
from cairn.demo import actions as demo_actions
from cairn.demo.cases import delete_demo_cases, load_demo_cases
from cairn.demo.plan import RunSpec
from cairn.surveillance.classification.reclassify import (
    queue_reclassification,
    run_reclassification,
)
from cairn.surveillance.definitions import load_default_definitions

pytestmark = pytest.mark.django_db


def _spec(days: int = 20) -> RunSpec:
    return RunSpec(
        seed=1,
        end=demo_actions.default_end_date(),
        scale="tiny",
        years=2,
        days=days,
        time_zone=settings.TIME_ZONE,
    )


@pytest.fixture
def demo_province(personas):
    run = demo_actions.load_demo_data(spec=_spec())
    load_default_definitions()
    run_reclassification(queue_reclassification(reason="demo data", requested_by="test"))
    return run


def test_demo_cases_cover_every_state_and_are_loaded_once(demo_province, personas):
    loaded = load_demo_cases()

    assert loaded is not None and loaded.clients >= 300
    nurse, police = personas["er_nurse"], personas["police_liaison"]
    mine = clients_visible_to(nurse)
    assert 200 < mine.count() < Client.objects.count()  # the other centre's are not hers
    assert clients_visible_to(police).count() == 0
    assert Client.objects.filter(identity_status="anonymous").count() > 20
    assert Client.objects.filter(status=RecordStatus.MERGED).count() == 1
    # Episodes come from the demo's own ED overdose visits in the centre's area.
    sources = EpisodeSource.objects.select_related("event__community", "episode__organization")
    assert sources.count() > 50
    for source in sources:
        assert source.event.matches.filter(definition__slug="all_drug").exists()
        assert source.event.disposition != "died"
    # Every tier, every group, every outcome, referrals in many states, overdue actions.
    assert set(RiskAssessment.objects.values_list("tier", flat=True)) == {
        "low",
        "moderate",
        "high",
        "highest",
    }
    groups = set(GroupPlacement.objects.values_list("group", flat=True))
    assert {"recreational", "street_involved", "hidden_regular", "first_nations"} <= groups
    assert set(FollowUpAttempt.objects.values_list("outcome", flat=True)) == {
        "reached",
        "not_reached",
        "declined",
    }
    assert len(set(Referral.objects.values_list("status", flat=True))) >= 6
    today = timezone.localdate()
    overdue_actions = PlanAction.objects.filter(status="open", due_on__lt=today)
    assert overdue_actions.exists()
    assert CareAlert.objects.filter(kind="action_overdue").count() == loaded.care_alerts > 0
    now = timezone.now()
    states = Counter(
        f.state(now)
        for f in FollowUp.objects.filter(organization__name=PERSONAS["er_nurse"].organization)
    )
    assert states["contacted"] > 100 and states["overdue"] > 0 and states["due"] > 0
    for follow_up in FollowUp.objects.exclude(contacted_at=None):
        assert follow_up.discharged_at <= follow_up.contacted_at <= now
    # Recent visits are still waiting to be opened.
    assert worklist(nurse).exists()

    assert load_demo_cases() is None  # again: nothing to do
    assert Client.objects.count() == loaded.clients


def test_deleting_the_demo_cases_frees_the_demo_visits(demo_province):
    """`demo-data --replace` deletes the demo's cases before the events they point at."""
    loaded = load_demo_cases()
    assert delete_demo_cases() == loaded.clients
    assert not Client.objects.exists() and not EpisodeSource.objects.exists()
    assert not FollowUp.objects.exists() and not RiskAssessment.objects.exists()
    assert delete_demo_cases() == 0


def test_the_team_holding_the_case_records_its_attempts(demo_province, personas):
    load_demo_cases()
    nurse = personas["er_nurse"]
    for attempt in FollowUpAttempt.objects.select_related("follow_up__organization"):
        mine = attempt.follow_up.organization.name == PERSONAS["er_nurse"].organization
        assert (attempt.recorded_by_id == nurse.pk) == mine
