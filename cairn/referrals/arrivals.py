"""Telling the receiving organization that a referral has arrived.

Right after a referral is committed, each active member of the receiving organization
whose role takes in referrals (`receive_referrals`) and who has an email address gets
one email: the reference, the two organizations, the service, the answer-by time and a
link. Nothing about the person: email is not a safe place for health information, and
the link opens the referral only for those allowed to see it.

A mail server that is down loses nothing: the attempt and its error are kept on the
referral, and `cairn referrals notify` (scheduled) tries again, up to MAX_ATTEMPTS
times, for as long as nobody at the receiving organization has opened the referral.
"""

from django.core.mail import EmailMessage
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cairn.access.permissions import emailable_users_by_organization
from cairn.access.roles import Permission
from cairn.mail import send_each
from cairn.referrals.models import Referral, ReferralStatus
from cairn.surveillance.alerts.config import from_email, site_url

MAX_ATTEMPTS = 5


def arrival_email(user, referral: Referral) -> EmailMessage:
    organization = referral.to_organization
    body = render_to_string(
        "referrals/arrival_email.txt",
        {
            "user": user,
            "organization": organization,
            "referral": referral,
            "respond_by": timezone.localtime(referral.respond_by),
            "referral_url": site_url() + reverse("referrals:detail", args=[referral.pk]),
        },
    )
    subject = f"Cairn: referral {referral.reference} for {organization.name}"
    return EmailMessage(subject=subject[:200], body=body, from_email=from_email(), to=[user.email])


def pending_arrivals():
    """Referrals whose arrival email is still due: not sent, tries left, not yet opened."""
    return Referral.objects.filter(
        status=ReferralStatus.SENT,
        arrival_emailed_at__isnull=True,
        arrival_email_attempts__lt=MAX_ATTEMPTS,
    )


def send_arrival_emails(referral_ids=None) -> int:
    """Email the receivers of each pending referral (of `referral_ids`, or all); returns
    the number of emails sent. Never raises for a mail failure: it is kept for a retry."""
    referrals = pending_arrivals().select_related("to_organization", "from_organization", "service")
    if referral_ids is not None:
        referrals = referrals.filter(pk__in=list(referral_ids))
    referrals = list(referrals.order_by("sent_at", "pk"))
    receivers = emailable_users_by_organization(
        {r.to_organization_id for r in referrals}, Permission.RECEIVE_REFERRALS
    )
    sent = 0
    for referral in referrals:
        recipients = receivers.get(referral.to_organization_id, [])
        if recipients:
            emailed, error = send_each(
                (arrival_email(user, referral) for user in recipients), what="Referral arrival"
            )
            sent += emailed
        else:
            error = (
                f"Nobody at {referral.to_organization.name} who takes in referrals has an "
                "email address; the referral waits on their referrals list."
            )
        changes = {"arrival_email_attempts": F("arrival_email_attempts") + 1}
        if error:
            changes["arrival_email_error"] = error[:300]
        else:
            changes.update(arrival_emailed_at=timezone.now(), arrival_email_error="")
        Referral.objects.filter(pk=referral.pk).update(**changes)
    return sent
