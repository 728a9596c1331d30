"""The alert lifecycle: new → acknowledged → actioned, or dismissed with a reason."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from cairn.access.models import AuditEvent
from cairn.surveillance.alerts.actions import (
    AlertActionError,
    ReasonRequired,
    acknowledge_alert,
    action_alert,
    dismiss_alert,
)
from cairn.surveillance.alerts.testing import definitions, make_alert

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 6, 12)


@pytest.fixture
def alert(bc_geography, prince_george):
    return make_alert(prince_george, definitions()["opioid"], DAY)


def test_acknowledge_then_action_records_who_and_when(alert, epidemiologist):
    alert = acknowledge_alert(actor=epidemiologist, alert=alert)
    assert alert.status == "acknowledged"
    assert alert.acknowledged_by == epidemiologist and alert.acknowledged_at is not None

    alert = action_alert(
        actor=epidemiologist, alert=alert, note="Outreach team told; naloxone out."
    )
    alert.refresh_from_db()
    assert alert.status == "actioned"
    assert alert.actioned_by == epidemiologist
    assert alert.action_note == "Outreach team told; naloxone out."
    actions = list(
        AuditEvent.objects.filter(target_id=str(alert.pk), actor_username="epidemiologist")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["alert.acknowledge", "alert.action"]


def test_a_new_alert_can_be_actioned_directly(alert, epidemiologist):
    alert = action_alert(actor=epidemiologist, alert=alert)
    assert alert.status == "actioned"
    assert alert.acknowledged_by == epidemiologist  # actioning implies having seen it


def test_dismissal_needs_a_reason(alert, epidemiologist):
    for reason in ("", "   "):
        with pytest.raises(ReasonRequired, match="reason is required"):
            dismiss_alert(actor=epidemiologist, alert=alert, reason=reason)
    alert.refresh_from_db()
    assert alert.status == "new"
    assert not AuditEvent.objects.filter(action="alert.dismiss").exists()

    alert = dismiss_alert(actor=epidemiologist, alert=alert, reason="Duplicate records from a feed")
    assert alert.status == "dismissed"
    assert alert.dismissal_reason == "Duplicate records from a feed"
    event = AuditEvent.objects.get(action="alert.dismiss")
    assert event.details == {"reason": "Duplicate records from a feed"}


def test_transitions_out_of_order_are_refused(alert, epidemiologist):
    acknowledge_alert(actor=epidemiologist, alert=alert)
    with pytest.raises(AlertActionError, match="only a new alert can be acknowledged"):
        acknowledge_alert(actor=epidemiologist, alert=alert)
    action_alert(actor=epidemiologist, alert=alert)
    with pytest.raises(AlertActionError, match="cannot|only a new or acknowledged"):
        dismiss_alert(actor=epidemiologist, alert=alert, reason="too late")
    with pytest.raises(AlertActionError):
        action_alert(actor=epidemiologist, alert=alert)


@pytest.mark.parametrize(
    "who", ["outreach_worker", "police_liaison", "municipal_coordinator", "administrator"]
)
def test_roles_without_manage_alerts_cannot_change_an_alert(alert, personas, who):
    with pytest.raises(PermissionDenied):
        acknowledge_alert(actor=personas[who], alert=alert)
    alert.refresh_from_db()
    assert alert.status == "new"


def test_managers_elsewhere_cannot_change_an_alert(alert, er_nurse, regional_epidemiologist):
    # Both may manage alerts, but not in Prince George.
    for actor in (er_nurse, regional_epidemiologist):
        with pytest.raises(PermissionDenied):
            dismiss_alert(actor=actor, alert=alert, reason="not ours")
