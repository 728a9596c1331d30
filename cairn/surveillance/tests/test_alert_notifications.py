"""Who is told of a new alert, in the inbox and by email, and what the email says."""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from cairn.access.models import Organization
from cairn.access.tests.factories import UserFactory
from cairn.surveillance.alerts.actions import record_signal, subscribe
from cairn.surveillance.alerts.notify import notify_pending_alerts, recipients_for
from cairn.surveillance.alerts.testing import definitions, overdose_events, signal
from cairn.surveillance.models import EventIdentity
from cairn.surveillance.models.alerts import AlertNotification

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def defs(bc_geography):
    return definitions()


@pytest.fixture
def with_emails(personas):
    for key, user in personas.items():
        user.email = f"{key}@example.org"
        user.save()
    return personas


def raise_alert(community, definition, day=TODAY, **kwargs):
    alert = record_signal(signal=signal(community, definition, day, **kwargs), notify=False).alert
    notify_pending_alerts()
    return alert


def told(alert) -> dict[str, str]:
    return {
        n.user.username: n.reason
        for n in AlertNotification.objects.filter(alert=alert).select_related("user")
    }


def test_a_prince_george_alert_reaches_its_action_team_only(defs, prince_george, personas):
    alert = raise_alert(prince_george, defs["opioid"])

    assert told(alert) == {
        "outreach.worker": "action_team",
        "peer.worker": "action_team",
        "municipal.coordinator": "action_team",
    }


def test_a_vancouver_alert_reaches_the_regional_response_centre(
    defs, vancouver_centre_north, personas
):
    alert = raise_alert(vancouver_centre_north, defs["opioid"])

    assert told(alert) == {"er.nurse": "response_centre"}


def test_a_response_centre_clinician_elsewhere_is_not_told(defs, abbotsford, personas):
    alert = raise_alert(abbotsford, defs["opioid"])

    assert told(alert) == {}


def test_subscribers_are_told_if_they_may_see_the_community(
    defs, prince_george, abbotsford, police_liaison, regional_epidemiologist, epidemiologist
):
    subscribe(user=police_liaison, community=prince_george, definition=defs["opioid"])
    subscribe(user=regional_epidemiologist)  # every community they see, every definition
    subscribe(user=epidemiologist, definition=defs["fentanyl"])

    prince_george_opioid = raise_alert(prince_george, defs["opioid"])
    prince_george_fentanyl = raise_alert(prince_george, defs["fentanyl"])
    abbotsford_fentanyl = raise_alert(abbotsford, defs["fentanyl"])

    assert told(prince_george_opioid)["police.liaison"] == "subscription"
    assert "fraser.epidemiologist" not in told(prince_george_opioid)  # not their region
    assert "epidemiologist" not in told(prince_george_opioid)  # not their definition
    assert "police.liaison" not in told(prince_george_fentanyl)
    assert told(prince_george_fentanyl)["epidemiologist"] == "subscription"
    assert told(abbotsford_fentanyl) == {
        "fraser.epidemiologist": "subscription",
        "epidemiologist": "subscription",
    }


def test_subscribing_to_a_community_one_cannot_see_is_refused(
    defs, prince_george, regional_epidemiologist
):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        subscribe(user=regional_epidemiologist, community=prince_george)


def test_inactive_members_are_not_told(defs, prince_george, outreach_worker):
    outreach_worker.is_active = False
    outreach_worker.save()

    alert = raise_alert(prince_george, defs["opioid"])

    assert "outreach.worker" not in told(alert)


def test_an_action_team_member_of_a_wider_organization_is_told(defs, prince_george, bc_geography):
    from cairn.access.models import Membership
    from cairn.geography.models import Jurisdiction

    northern = Organization.objects.create(
        name="Northern outreach", slug="northern-outreach", sector="community_agency"
    )
    northern.coverage.add(Jurisdiction.objects.get(code="bc-ha-northern"))
    worker = UserFactory(username="northern.worker")
    Membership.objects.create(user=worker, organization=northern, role="outreach_worker")

    assert recipients_for(raise_alert(prince_george, defs["opioid"]))[worker.pk] == "action_team"


def test_each_person_gets_one_email_listing_their_new_alerts(defs, prince_george, with_emails):
    record_signal(signal=signal(prince_george, defs["opioid"], TODAY), notify=False)
    record_signal(signal=signal(prince_george, defs["fentanyl"], TODAY), notify=False)
    notify_pending_alerts()

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == [
        "municipal_coordinator@example.org",
        "outreach_worker@example.org",
        "peer_worker@example.org",
    ]
    message = next(m for m in mail.outbox if m.to == ["outreach_worker@example.org"])
    assert message.subject == "Cairn: 2 new alerts (Prince George)"
    assert "Opioid overdose" in message.body or "opioid overdose" in message.body
    assert "fentanyl overdose" in message.body
    assert "http://localhost:8000/alerts/" in message.body
    assert all(n.emailed_at for n in AlertNotification.objects.all())


def test_email_holds_no_identifiers_and_suppresses_small_counts(
    defs, prince_george, vancouver_centre_north, with_emails
):
    events = overdose_events(prince_george, [timezone.now() - dt.timedelta(hours=1)])
    EventIdentity.objects.create(
        event=events[0],
        given_name="Rowan",
        family_name="Quill-Synthetic",
        health_number="9876543210",
        phone="250-555-0199",
        postal_code="V2L 1A1",
    )
    raise_alert(prince_george, defs["opioid"], observed=3, expected=0.4, upperbound=2.1)
    raise_alert(vancouver_centre_north, defs["opioid"], observed=3, expected=0.4, upperbound=2.1)

    by_address = {m.to[0]: m for m in mail.outbox}
    outreach = by_address["outreach_worker@example.org"].body
    for identifier in ("Rowan", "Quill", "9876543210", "250-555-0199", "V2L", "T40"):
        assert identifier not in outreach
    assert "Events: fewer than 5" in outreach  # an outreach worker sees aggregates
    assert "under 5" in outreach and "0.4" not in outreach
    nurse = by_address["er_nurse@example.org"].body
    assert "Events: 3" in nurse  # the care team sees exact counts
    for message in mail.outbox:
        assert "addict" not in message.body.lower() and "abuser" not in message.body.lower()


def test_old_alerts_fill_the_inbox_but_send_no_email(defs, prince_george, with_emails):
    alert = raise_alert(prince_george, defs["opioid"], TODAY - dt.timedelta(days=60))

    assert "outreach.worker" in told(alert)
    assert mail.outbox == []


class FailingBackend:
    """The outside world failing: the mail server refuses."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_failed_emails_are_kept_and_sent_by_the_next_run(defs, prince_george, with_emails):
    with override_settings(EMAIL_BACKEND=f"{__name__}.FailingBackend"):
        raise_alert(prince_george, defs["opioid"])
    failed = AlertNotification.objects.get(user__username="outreach.worker")
    assert failed.emailed_at is None and failed.email_attempts == 1
    assert "mail server down" in failed.email_error

    notify_pending_alerts()

    failed.refresh_from_db()
    assert failed.emailed_at is not None
    assert len(mail.outbox) == 3


def test_notifying_twice_creates_no_second_entry(defs, prince_george, personas):
    alert = raise_alert(prince_george, defs["opioid"])
    alert.notified_at = None  # as if a crash came between the entries and the mark
    alert.save()

    notify_pending_alerts()

    assert AlertNotification.objects.filter(alert=alert).count() == 3
