"""Within one minute: a record that crosses a spike rule raises the alert and tells the
team in the same request, through the hook after classification (counts, then rules)."""

import pytest
from django.core import mail
from django.utils import timezone

from cairn.surveillance.alerts.testing import definitions
from cairn.surveillance.models.alerts import Alert, AlertNotification, SpikeRule

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/overdose"


def report(number: int) -> dict:
    return {
        "community": "bc-lha-prince-george",
        "fatal": False,
        "naloxone_doses": 2,
        "substances": ["fentanyl"],
        "outcome": "transported",
        "report_id": f"cad-spike-{number}",
    }


def test_the_report_that_crosses_the_threshold_raises_and_notifies_at_once(
    client, personas, first_responder, outreach_worker, django_capture_on_commit_callbacks
):
    outreach_worker.email = "outreach@example.org"
    outreach_worker.save()
    SpikeRule.objects.create(
        community=personas["outreach_worker"].memberships.get().organization.coverage.get(),
        definition=definitions()["all_drug"],
        threshold=3,
    )
    client.force_login(first_responder)

    for number in (1, 2):
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                client.post(URL, report(number), content_type="application/json").status_code == 201
            )
    assert not Alert.objects.exists()

    sent_at = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, report(3), content_type="application/json").status_code == 201

    alert = Alert.objects.get()
    assert (alert.community.code, alert.method, alert.observed) == (
        "bc-lha-prince-george",
        "spike_rule",
        3,
    )
    assert alert.period_start == timezone.localdate()
    entry = AlertNotification.objects.get(alert=alert, user=outreach_worker)
    assert entry.emailed_at is not None
    assert (entry.emailed_at - sent_at).total_seconds() < 60
    assert [m.to for m in mail.outbox] == [["outreach@example.org"]]

    # A fourth report in the same hours joins the same alert: no second email.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, report(4), content_type="application/json")
    alert.refresh_from_db()
    assert (Alert.objects.count(), alert.observed, len(mail.outbox)) == (1, 4, 1)
