"""Care alerts: raised once per source key, listed for the holding team only,
acknowledged with an audit event."""

import pytest
from django.http import Http404

from cairn.access.models import AuditEvent
from cairn.cases import care_alerts
from cairn.cases.models import CareAlert, ClientHolding
from cairn.cases.tests.conftest import make_client


@pytest.fixture
def person(er_nurse):
    return make_client(er_nurse, given_name="Robin", family_name="Lake")


def _team(person):
    return ClientHolding.objects.filter(client=person).first().organization


def test_an_alert_is_raised_once_per_source_key_and_audited(er_nurse, person):
    AuditEvent.objects.all().delete()
    first = care_alerts.raise_care_alert(
        client=person,
        organization=_team(person),
        kind="oat_stopped",
        text="OAT stopped: no dose for 3 days.",
        link=f"/cases/clients/{person.pk}/",
        source_key="oat:episode:1:stopped",
    )
    again = care_alerts.raise_care_alert(
        client=person.pk,
        organization=_team(person).pk,
        kind="oat_stopped",
        text="A different text",
        link="",
        source_key="oat:episode:1:stopped",
    )
    assert first.created and not again.created and first.pk == again.pk
    assert CareAlert.objects.count() == 1 and again.text == "OAT stopped: no dose for 3 days."
    event = AuditEvent.objects.get(action="cases.care_alert.raise")
    assert event.target_id == str(person.pk) and event.details["kind"] == "oat_stopped"


def test_bad_alerts_are_refused_with_the_field(er_nurse, other_clinician, person):
    from cairn.access.models import Membership

    other_team = Membership.objects.get(user=other_clinician).organization
    cases = [
        ({"kind": "someday"}, "kind"),
        ({"text": "  "}, "text"),
        ({"source_key": ""}, "source_key"),
        ({"organization": other_team}, "organization"),
    ]
    for change, field in cases:
        arguments = {
            "client": person,
            "organization": _team(person),
            "kind": "action_overdue",
            "text": "Action overdue",
            "link": "",
            "source_key": f"bad:{field}",
            **change,
        }
        with pytest.raises(care_alerts.CareAlertError) as error:
            care_alerts.raise_care_alert(**arguments)
        assert error.value.field == field
    assert CareAlert.objects.count() == 0


def test_the_inbox_is_the_holding_teams_and_acknowledging_is_audited(
    er_nurse, other_clinician, person
):
    alert = care_alerts.raise_care_alert(
        client=person,
        organization=_team(person),
        kind="oat_missed_doses",
        text="3 doses missed in a row.",
        link="",
        source_key="oat:missed:1",
    )
    assert list(care_alerts.alerts_for(er_nurse)) == [alert]
    assert list(care_alerts.alerts_for(other_clinician)) == []
    with pytest.raises(Http404):
        care_alerts.acknowledge(actor=other_clinician, alert_id=alert.pk)
    AuditEvent.objects.all().delete()
    care_alerts.acknowledge(actor=er_nurse, alert_id=alert.pk)
    care_alerts.acknowledge(actor=er_nurse, alert_id=alert.pk)
    assert AuditEvent.objects.filter(action="cases.care_alert.acknowledge").count() == 1
    assert list(care_alerts.alerts_for(er_nurse)) == []
    assert [a.pk for a in care_alerts.alerts_for(er_nurse, state="acknowledged")] == [alert.pk]
    alert.refresh_from_db()
    assert alert.acknowledged_by == er_nurse.get_username()


def test_overdue_plan_actions_alert_the_holding_team_once(er_nurse, person):
    import datetime as dt

    from django.core.management import call_command

    from cairn.cases import plans

    today = dt.date(2026, 11, 26)
    late = plans.add_action(
        actor=er_nurse, client=person, text="Call the clinic", due_on=dt.date(2026, 11, 20)
    )
    plans.add_action(actor=er_nurse, client=person, text="Due later", due_on=today)
    plans.add_action(actor=er_nurse, client=person, text="No due date")
    done = plans.add_action(
        actor=er_nurse, client=person, text="Done already", due_on=dt.date(2026, 11, 1)
    )
    plans.set_action_status(actor=er_nurse, client=person, action_id=done.pk, status="done")
    raised = plans.escalate_overdue_actions(today=today)
    assert [a.source_key for a in raised] == [f"action_overdue:{late.pk}:{late.due_on:%Y-%m-%d}"]
    alert = raised[0]
    assert alert.kind == "action_overdue" and alert.organization == _team(person)
    assert "overdue by 6 days" in alert.text and "Call the clinic" not in alert.text
    assert alert.link == f"/cases/clients/{person.pk}/plan/"
    assert plans.escalate_overdue_actions(today=today) == []
    call_command("escalate_actions", today="2026-11-26")
    assert CareAlert.objects.filter(kind="action_overdue").count() == 1
    assert list(care_alerts.alerts_for(er_nurse)) == [alert]


def test_escalated_follow_ups_feed_the_inbox_once(er_nurse, person):
    import datetime as dt

    from django.utils import timezone

    from cairn.cases import actions, followups

    opened = actions.open_episode(
        actor=er_nurse, client=person, occurred_at=timezone.now() - dt.timedelta(days=5)
    )
    follow_up = followups.start_follow_up(actor=er_nurse, episode=opened.episode)
    assert followups.escalate_overdue() == [follow_up]
    raised = care_alerts.alerts_from_follow_up_escalations()
    assert [a.source_key for a in raised] == [f"follow_up_overdue:{follow_up.pk}"]
    assert raised[0].link == f"/cases/follow-ups/{follow_up.pk}/"
    assert care_alerts.alerts_from_follow_up_escalations() == []


def test_a_bad_day_for_the_command_is_refused():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--today"):
        call_command("escalate_actions", today="26/11/2026")
