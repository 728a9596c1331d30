"""A referral's arrival is emailed to the people who take in referrals at the receiving
organization, after the commit, without anything about the person; a mail failure is
kept and `cairn referrals notify` tries again while nobody has opened the referral."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from cairn.access.models import Membership
from cairn.referrals import access, actions
from cairn.referrals.arrivals import MAX_ATTEMPTS, send_arrival_emails
from cairn.referrals.models import Referral
from cairn.referrals.tests.conftest import organization_of, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake_email(service_intake):
    service_intake.email = "intake@clinic.example"
    service_intake.save()
    return service_intake.email


@pytest.fixture
def mail_server_down(settings):
    """A real SMTP connection to a port nobody listens on."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard: closed here
    settings.EMAIL_TIMEOUT = 2


def send_committed(user, service, django_capture_on_commit_callbacks, **fields):
    with django_capture_on_commit_callbacks(execute=True):
        return send(user, service, **fields)


def notify() -> str:
    out = StringIO()
    call_command("referrals", "notify", stdout=out)
    return out.getvalue()


def test_the_receiver_is_emailed_once_the_referral_is_committed(
    er_nurse, plan_referral, clinic_service, intake_email, django_capture_on_commit_callbacks
):
    referral = send_committed(
        er_nurse,
        clinic_service,
        django_capture_on_commit_callbacks,
        plan_referral_id=plan_referral.pk,
        allows=["name", "contact"],
        reason="Robin wants to start buprenorphine this week",
    )

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [intake_email]
    assert referral.reference in email.subject
    assert f"/referrals/{referral.pk}/" in email.body
    assert organization_of(er_nurse).name in email.body
    assert clinic_service.name in email.body
    referral.refresh_from_db()
    assert referral.arrival_emailed_at is not None
    assert referral.arrival_email_attempts == 1


def test_the_email_says_nothing_about_the_person(
    er_nurse, plan_referral, clinic_service, intake_email, django_capture_on_commit_callbacks
):
    referral = send_committed(
        er_nurse,
        clinic_service,
        django_capture_on_commit_callbacks,
        plan_referral_id=plan_referral.pk,
        allows=["name", "contact", "date_of_birth", "reason"],
        reason="Robin wants to start buprenorphine this week",
    )

    assert referral.client is not None
    assert "Robin" in str(referral.shared_details)  # shared in Cairn, not by email
    text = mail.outbox[0].subject + mail.outbox[0].body
    for detail in ("Robin", "Tallgrass", "1991", "604-555-0142", "buprenorphine"):
        assert detail not in text


def test_nobody_is_emailed_before_the_commit(er_nurse, clinic_service, intake_email):
    send(er_nurse, clinic_service)  # inside the test's transaction, not yet committed

    assert mail.outbox == []


def test_only_people_who_take_in_referrals_there_are_emailed(
    er_nurse,
    outreach_worker,
    police_liaison,
    clinic_service,
    intake_email,
    django_capture_on_commit_callbacks,
):
    for user in (outreach_worker, police_liaison, er_nurse):
        user.email = f"{user.username}@example.org"
        user.save()

    send_committed(outreach_worker, clinic_service, django_capture_on_commit_callbacks)

    assert [email.to for email in mail.outbox] == [[intake_email]]


def test_an_inactive_receiver_is_not_emailed(
    er_nurse, service_intake, clinic_service, intake_email, django_capture_on_commit_callbacks
):
    service_intake.is_active = False
    service_intake.save()

    referral = send_committed(er_nurse, clinic_service, django_capture_on_commit_callbacks)

    assert mail.outbox == []
    referral.refresh_from_db()
    assert referral.arrival_emailed_at is None
    assert "has an email address" in referral.arrival_email_error


def test_a_mail_server_down_loses_nothing_and_notify_sends_it_later(
    er_nurse,
    clinic_service,
    intake_email,
    mail_server_down,
    settings,
    django_capture_on_commit_callbacks,
):
    referral = send_committed(er_nurse, clinic_service, django_capture_on_commit_callbacks)

    referral.refresh_from_db()
    assert Referral.objects.filter(pk=referral.pk).exists()
    assert referral.arrival_emailed_at is None
    assert referral.arrival_email_attempts == 1
    assert "ConnectionRefusedError" in referral.arrival_email_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = notify()

    assert "1 email(s) sent" in out
    assert [email.to for email in mail.outbox] == [[intake_email]]
    referral.refresh_from_db()
    assert referral.arrival_emailed_at is not None
    assert referral.arrival_email_error == ""
    assert "0 email(s) sent" in notify()
    assert len(mail.outbox) == 1


def test_no_retry_once_the_referral_was_opened(
    er_nurse, service_intake, clinic_service, intake_email, mail_server_down, settings
):
    referral = send(er_nurse, clinic_service)
    send_arrival_emails([referral.pk])
    actions.record_received(
        actor=service_intake, referral=referral, sides=access.sides_of(service_intake, referral)
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    notify()

    assert mail.outbox == []


def test_retries_stop_after_the_last_attempt(
    er_nurse, clinic_service, intake_email, mail_server_down
):
    referral = send(er_nurse, clinic_service)

    for _ in range(MAX_ATTEMPTS + 2):
        send_arrival_emails()

    referral.refresh_from_db()
    assert referral.arrival_email_attempts == MAX_ATTEMPTS
    assert referral.arrival_emailed_at is None


def test_a_receiver_in_two_roles_there_gets_one_email(
    er_nurse, service_intake, clinic_service, intake_email, django_capture_on_commit_callbacks
):
    Membership.objects.create(
        user=service_intake, organization=organization_of(service_intake), role="oerc_clinician"
    )

    send_committed(er_nurse, clinic_service, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
