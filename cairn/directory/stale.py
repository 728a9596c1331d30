"""`cairn directory stale`: find stale listings and tell their owning organizations.

For each stale listing with an owning organization, one `StaleListingNotice` is left
per stale spell (a confirmation ends the spell, so the next time it goes stale there
is a new notice). The organization sees open notices on "Your listings" (stale
listings first); each of its listing keepers who has an email address gets one email
per run listing the newly noticed listings, retried on failure. Listings without an
owning organization are listed for curators only.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cairn.access.permissions import emailable_users_by_organization
from cairn.access.roles import Permission
from cairn.directory.listings import stale_cutoff, stale_days, stale_listings
from cairn.directory.models import Service
from cairn.directory.models.verification import StaleListingNotice
from cairn.mail import send_each
from cairn.surveillance.alerts.config import from_email, site_url

MAX_EMAIL_ATTEMPTS = 5


@dataclass
class StaleRun:
    stale: list[Service] = field(default_factory=list)
    without_owner: list[Service] = field(default_factory=list)
    notices_created: int = 0
    emails_sent: int = 0


def spell_of(service: Service) -> str:
    return service.assured_date.isoformat() if service.assured_date else "never"


def find_stale_and_notify(*, today=None, send: bool = True) -> StaleRun:
    run = StaleRun()
    services = stale_listings(
        Service.objects.select_related("provider__partner").exclude(status="defunct"), today
    ).order_by("assured_date", "name")
    run.stale = list(services)
    now = timezone.now()
    rows = []
    for service in run.stale:
        partner_id = service.provider.partner_id
        if partner_id is None:
            run.without_owner.append(service)
            continue
        rows.append(
            StaleListingNotice(
                service=service,
                organization_id=partner_id,
                last_verified=service.assured_date,
                spell=spell_of(service),
                created_at=now,
            )
        )
    with transaction.atomic():
        before = StaleListingNotice.objects.count()
        StaleListingNotice.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        run.notices_created = StaleListingNotice.objects.count() - before
    if send:
        run.emails_sent = send_due_emails()
    return run


def send_due_emails() -> int:
    """One email per listing keeper per organization, naming the newly stale listings."""
    sent = 0
    with transaction.atomic():
        due = list(
            StaleListingNotice.objects.filter(
                emailed_at__isnull=True,
                resolved_at__isnull=True,
                email_attempts__lt=MAX_EMAIL_ATTEMPTS,
            )
            .select_related("service", "organization")
            .order_by("organization_id", "service__name")
        )
        by_organization: dict[int, list[StaleListingNotice]] = defaultdict(list)
        for notice in due:
            by_organization[notice.organization_id].append(notice)
        keepers = emailable_users_by_organization(by_organization, Permission.MANAGE_LISTINGS)
        now = timezone.now()
        for organization_id, notices in by_organization.items():
            recipients = keepers.get(organization_id, [])
            if not recipients:
                continue  # nobody to email: the notices stay on "Your listings"
            emailed, error = send_each(
                (stale_email(user, notices) for user in recipients), what="Stale-listing"
            )
            sent += emailed
            ids = [n.pk for n in notices]
            if not error:
                StaleListingNotice.objects.filter(pk__in=ids).update(
                    emailed_at=now, email_attempts=F("email_attempts") + 1, email_error=""
                )
            else:
                StaleListingNotice.objects.filter(pk__in=ids).update(
                    email_attempts=F("email_attempts") + 1, email_error=error
                )
    return sent


def stale_email(user, notices: list[StaleListingNotice]) -> EmailMessage:
    organization = notices[0].organization
    count = len(notices)
    subject = (
        f"Cairn: please confirm {count} directory listing{'s' if count != 1 else ''} "
        f"of {organization.name}"
    )
    body = render_to_string(
        "directory/stale_email.txt",
        {
            "user": user,
            "organization": organization,
            "notices": notices,
            "stale_days": stale_days(),
            "listings_url": site_url() + reverse("directory:my_listings"),
        },
    )
    return EmailMessage(subject=subject[:200], body=body, from_email=from_email(), to=[user.email])


def describe_run(run: StaleRun) -> str:
    return (
        f"{len(run.stale)} stale listing(s) (last verified before {stale_cutoff()} or never): "
        f"{run.notices_created} new notice(s), {run.emails_sent} email(s) sent, "
        f"{len(run.without_owner)} without an owning organization (for curators)."
    )
