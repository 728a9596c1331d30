"""The verification workflow: the stale rule, `cairn directory stale` (notices once per
stale spell, one email per listing keeper, retried on failure), confirmation history."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cairn.access.models import Organization
from cairn.directory.listings import confirm_listing, is_stale, stale_days, stale_listings
from cairn.directory.models import ListingConfirmation, Service, StaleListingNotice
from cairn.directory.stale import find_stale_and_notify
from cairn.directory.tests.builders import build_service

pytestmark = pytest.mark.django_db
CLINIC = "Prince George Rapid Access Addiction Clinic"


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


class FailingEmailBackend:
    """A mail server that is down (the outside world)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def clinic(service_intake):
    service_intake.email = "intake@clinic.example"
    service_intake.save()
    return Organization.objects.get(name=CLINIC)


def test_stale_after_the_setting_s_days_or_when_never_verified(bc_geography, settings):
    assert stale_days() == 90  # the default
    exactly = build_service("Exactly 90 days", assured=days_ago(90))
    older = build_service("91 days", assured=days_ago(91))
    never = build_service("Never", assured=None)
    assert (is_stale(exactly), is_stale(older), is_stale(never)) == (False, True, True)
    assert set(stale_listings(Service.objects.all())) == {older, never}
    settings.CAIRN_DIRECTORY_STALE_DAYS = 30
    assert stale_days() == 30
    assert is_stale(build_service("40 days", assured=days_ago(40)))


def test_the_command_notices_each_stale_listing_once_and_emails_its_keepers(
    bc_geography, clinic, service_intake
):
    stale_clinic = build_service("Clinic OAT", partner=clinic, assured=days_ago(200))
    build_service("Clinic naloxone", provider=stale_clinic.provider, assured=days_ago(3))
    build_service("Ownerless shelter", assured=None)
    out = StringIO()
    call_command("directory", "stale", stdout=out)
    text = out.getvalue()
    assert "Clinic OAT" in text and "Ownerless shelter" in text and "(no owner)" in text
    assert "2 stale listing(s)" in text and "1 new notice(s), 1 email(s) sent" in text
    notice = StaleListingNotice.objects.get()
    assert (notice.service, notice.organization, notice.emailed_at is not None) == (
        stale_clinic,
        clinic,
        True,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["intake@clinic.example"]
    assert "Clinic OAT" in message.body and "/directory/yours/" in message.body
    assert "Clinic naloxone" not in message.body
    # Run again (a daily cron): nothing new, nobody emailed twice.
    call_command("directory", "stale", stdout=StringIO())
    assert StaleListingNotice.objects.count() == 1 and len(mail.outbox) == 1


def test_a_confirmation_ends_the_spell_and_a_later_spell_is_noticed_again(
    bc_geography, clinic, service_intake
):
    service = build_service("Clinic OAT", partner=clinic, assured=days_ago(120))
    find_stale_and_notify()
    with transaction.atomic():
        confirm_listing(actor=service_intake, service=service, organization_id=clinic.pk)
    notice = StaleListingNotice.objects.get()
    assert notice.resolved_at is not None
    service.refresh_from_db()
    assert service.assured_date == timezone.localdate() and not is_stale(service)
    assert service.assurer_email == "intake@clinic.example"
    # 100 days later, it is stale again: a new notice.
    Service.objects.filter(pk=service.pk).update(assured_date=days_ago(100))
    find_stale_and_notify()
    assert StaleListingNotice.objects.filter(resolved_at__isnull=True).count() == 1
    assert len(mail.outbox) == 2


def test_an_email_that_fails_is_kept_and_retried(bc_geography, clinic, settings):
    build_service("Clinic OAT", partner=clinic, assured=None)
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    run = find_stale_and_notify()
    assert run.notices_created == 1 and run.emails_sent == 0
    notice = StaleListingNotice.objects.get()
    assert notice.emailed_at is None and notice.email_attempts == 1
    assert "mail server down" in notice.email_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert find_stale_and_notify().emails_sent == 1
    notice.refresh_from_db()
    assert notice.emailed_at is not None and notice.email_error == ""


def test_dry_run_notifies_nobody(bc_geography, clinic):
    build_service("Clinic OAT", partner=clinic, assured=None)
    out = StringIO()
    call_command("directory", "stale", "--dry-run", stdout=out)
    assert "1 stale listing(s); nobody notified" in out.getvalue()
    assert not StaleListingNotice.objects.exists() and not mail.outbox


def test_your_listings_shows_the_reminder_and_confirmation_history_is_kept(
    client, bc_geography, clinic, service_intake
):
    service = build_service("Clinic OAT", partner=clinic, assured=days_ago(100))
    find_stale_and_notify()
    client.force_login(service_intake)
    html = client.get(reverse("directory:my_listings")).content.decode()
    assert "Needs confirming" in html and "reminder sent" in html
    client.post(reverse("directory:listing_confirm", args=[service.pk]), {"idempotency_key": "a"})
    Service.objects.filter(pk=service.pk).update(assured_date=days_ago(95))
    client.post(reverse("directory:listing_confirm", args=[service.pk]), {"idempotency_key": "b"})
    history = list(ListingConfirmation.objects.filter(service=service).order_by("confirmed_at"))
    assert [c.previous_assured_date for c in history] == [days_ago(100), days_ago(95)]
    html = client.get(reverse("directory:listing_edit", args=[service.pk])).content.decode()
    assert html.count("Still correct by clinic.intake") == 2


def test_a_stale_listing_without_an_organization_is_listed_with_no_owner(bc_geography):
    service = build_service("Street outreach van", assured=None)
    Service.objects.filter(pk=service.pk).update(provider=None)  # HSDS allows it
    out = StringIO()

    call_command("directory", "stale", "--dry-run", stdout=out)

    assert "(no owner)\tStreet outreach van" in out.getvalue()
