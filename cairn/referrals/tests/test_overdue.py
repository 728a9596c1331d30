"""Overdue referrals: flagged on both sides' lists; `cairn referrals overdue` raises a
notice once (and a care alert to the sending team for a referral from a case)."""

import datetime as dt

import pytest
from django.core.management import call_command

from cairn.cases.models import CareAlert
from cairn.referrals import access, actions
from cairn.referrals.models import OverdueNotice
from cairn.referrals.tests.conftest import age, send

pytestmark = pytest.mark.django_db


def run_command() -> str:
    from io import StringIO

    out = StringIO()
    call_command("referrals", "overdue", stdout=out)
    return out.getvalue()


def test_not_answered_within_two_days_is_overdue(outreach_worker, clinic_service):
    referral = send(outreach_worker, clinic_service)
    assert referral.overdue_kind() == ""
    age(referral, days=2, minutes=1)
    assert referral.overdue_kind() == "answer"


def test_received_but_not_answered_is_still_overdue(
    outreach_worker, service_intake, clinic_service
):
    referral = send(outreach_worker, clinic_service)
    referral = actions.record_received(
        actor=service_intake, referral=referral, sides=access.sides_of(service_intake, referral)
    )
    age(referral, days=3)
    assert referral.overdue_kind() == "answer"


def test_accepted_and_not_completed_within_30_days_is_overdue(
    outreach_worker, service_intake, clinic_service
):
    referral = send(outreach_worker, clinic_service)
    referral = actions.take_step(
        actor=service_intake,
        referral=referral,
        sides=access.sides_of(service_intake, referral),
        step="accept",
    )
    assert referral.overdue_kind() == ""
    age(referral, days=31)
    assert referral.overdue_kind() == "completion"


def test_the_command_raises_a_notice_once(outreach_worker, clinic_service):
    late = send(outreach_worker, clinic_service)
    send(outreach_worker, clinic_service)  # on time
    age(late, days=3)
    assert "Raised 1 overdue notice(s): 1 without an answer" in run_command()
    assert "Raised 0 overdue notice(s)" in run_command()
    notice = OverdueNotice.objects.get()
    assert notice.referral_id == late.pk and notice.kind == "answer"


def test_a_referral_from_a_case_raises_one_care_alert_to_the_sending_team(
    er_nurse, clinic_service, plan_referral
):
    referral = send(er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["name"])
    age(referral, days=3)
    run_command()
    run_command()
    alert = CareAlert.objects.get(source_key=f"referral_overdue:{referral.pk}:answer")
    assert alert.client_id == plan_referral.client_id
    assert referral.reference in alert.text
    assert "Robin" not in alert.text


def test_both_lists_flag_it_and_filter_it(client, outreach_worker, service_intake, clinic_service):
    late = send(outreach_worker, clinic_service)
    on_time = send(outreach_worker, clinic_service)
    age(late, days=3)
    for user, url in (
        (outreach_worker, "/referrals/sent/"),
        (service_intake, "/referrals/received/"),
    ):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "Overdue: no answer since" in page
        overdue_only = client.get(url + "?status=overdue").content.decode()
        assert late.reference in overdue_only and on_time.reference not in overdue_only


def test_the_notice_shows_on_the_timeline(client, outreach_worker, clinic_service):
    referral = send(outreach_worker, clinic_service)
    age(referral, days=3)
    actions.raise_overdue_notices()
    client.force_login(outreach_worker)
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "<strong>Overdue</strong>" in page


def test_the_command_judges_at_a_given_moment(outreach_worker, clinic_service):
    referral = send(outreach_worker, clinic_service)
    later = (referral.respond_by + dt.timedelta(hours=1)).isoformat()
    from io import StringIO

    out = StringIO()
    call_command("referrals", "overdue", "--now", later, stdout=out)
    assert "Raised 1 overdue notice(s)" in out.getvalue()
