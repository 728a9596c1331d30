"""The demo's referrals: every status, some overdue, to the clinic; loaded once."""

import pytest

from cairn.cases.tests.conftest import make_client
from cairn.demo.referrals import load_demo_referrals
from cairn.referrals.models import Referral, ReferralStatus

pytestmark = pytest.mark.django_db


def test_demo_referrals_in_every_status_once(client, er_nurse, outreach_worker, service_intake):
    for number in range(8):
        make_client(er_nurse, given_name=f"Demo{number}", family_name="Person")
    assert load_demo_referrals() == 10
    assert load_demo_referrals() == 0
    referrals = list(Referral.objects.all())
    assert {r.status for r in referrals} == set(ReferralStatus.values)
    assert {r.overdue_kind() for r in referrals} == {"", "answer", "completion"}
    assert {r.to_organization.name for r in referrals} == {
        "Prince George Rapid Access Addiction Clinic"
    }
    assert {r.from_organization.name for r in referrals} == {
        "Vancouver Coastal Overdose Emergency Response Centre",
        "Prince George Community Action Team",
    }
    completed = Referral.objects.get(status="completed")
    assert completed.plan_referral.status == "completed"
    assert (completed.status_changed_at - completed.sent_at).days == 10
    client.force_login(service_intake)
    page = client.get("/referrals/received/?status=all").content.decode()
    assert page.count('class="pill pill-status"') == 10
    assert "Overdue" in page
