"""Who is told of a new alert, the inbox entries, and the emails.

Recipients of a new alert in a community:
- the community's action team: members whose role is outreach worker, peer support
  worker or municipal coordinator, in an organization whose coverage includes the
  community (the people who respond on the ground and convene the local response);
- the overdose emergency response centre for the region: overdose response clinicians
  whose organization's coverage includes the community (their health authority);
- subscribers: anyone who asked for alerts of that community (or every community they
  may see) and definition (or every definition), if they may see the community.

Police liaisons, first responders, First Nations health partners, epidemiologists and
administrators see alerts for their communities in Cairn but are emailed only when they
subscribe (docs/alerts.md explains why).

Each person gets one inbox entry per alert. A signal merged into an existing alert
notifies nobody again. Emails go only to people with an address, only for alerts whose
last period is recent (a back-fill of old data fills inboxes, not mailboxes), and one
email per person per batch, listing the batch's alerts. Emails carry no information
about any person: community, definition, dates and counts (suppressed below the
threshold for people whose tier is aggregate), and a link.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cairn.access.models import Membership
from cairn.access.permissions import has_permission
from cairn.access.roles import Permission
from cairn.geography.models import Jurisdiction
from cairn.surveillance.alerts import config
from cairn.surveillance.alerts.describe import describe_alert
from cairn.surveillance.models.alerts import (
    Alert,
    AlertNotification,
    AlertSubscription,
    NotificationReason,
)

logger = logging.getLogger(__name__)

ACTION_TEAM_ROLES = ("outreach_worker", "peer_support_worker", "municipal_coordinator")
RESPONSE_CENTRE_ROLES = ("oerc_clinician",)
MAX_EMAIL_ATTEMPTS = 5
BATCH = 500


@dataclass
class NotifyResult:
    alerts: int = 0
    notifications: int = 0
    emails: int = 0

    def add(self, other: "NotifyResult") -> None:
        self.alerts += other.alerts
        self.notifications += other.notifications
        self.emails += other.emails


def _covering_paths(community: Jurisdiction) -> list[str]:
    parts = community.path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def recipients_for(alert: Alert, *, cache: dict | None = None) -> dict[int, str]:
    """User id -> why they are told (NotificationReason), for a new alert.

    `cache` (one per batch) keeps each community's team and each community ×
    definition's subscribers, so a batch of alerts does not ask twice.
    """
    cache = {} if cache is None else cache
    team_key = ("team", alert.community_id)
    if team_key not in cache:
        cache[team_key] = _team_for(alert.community)
    recipients = dict(cache[team_key])
    subscribers_key = ("subscribers", alert.community_id, alert.definition_id)
    if subscribers_key not in cache:
        cache[subscribers_key] = _subscribers_for(alert.community, alert.definition_id)
    for user_id in cache[subscribers_key]:
        recipients.setdefault(user_id, NotificationReason.SUBSCRIPTION)
    return recipients


def _team_for(community: Jurisdiction) -> dict[int, str]:
    recipients: dict[int, str] = {}
    memberships = (
        Membership.objects.filter(
            role__in=ACTION_TEAM_ROLES + RESPONSE_CENTRE_ROLES,
            organization__coverage__path__in=_covering_paths(community),
            user__is_active=True,
        )
        .values_list("user_id", "role")
        .distinct()
    )
    for user_id, role in sorted(memberships, key=lambda row: row[1] not in ACTION_TEAM_ROLES):
        reason = (
            NotificationReason.ACTION_TEAM
            if role in ACTION_TEAM_ROLES
            else NotificationReason.RESPONSE_CENTRE
        )
        recipients.setdefault(user_id, reason)
    return recipients


def _subscribers_for(community: Jurisdiction, definition_id: int) -> list[int]:
    subscriptions = AlertSubscription.objects.filter(
        Q(community=community) | Q(community__isnull=True),
        Q(definition_id=definition_id) | Q(definition__isnull=True),
        user__is_active=True,
    ).select_related("user")
    return [
        s.user_id
        for s in subscriptions
        if has_permission(s.user, Permission.VIEW_AGGREGATES, community)
    ]


def local_today() -> dt.date:
    return timezone.localdate()


def _email_due(alert: Alert, has_address: bool) -> bool:
    horizon = local_today() - dt.timedelta(days=config.email_horizon_days())
    return has_address and alert.period_end >= horizon


def notify_pending_alerts(*, send: bool = True) -> NotifyResult:
    """Make the inbox entries of every alert not yet notified, then send due emails."""
    result = NotifyResult()
    while True:
        with transaction.atomic():
            pending = Alert.objects.filter(notified_at__isnull=True).order_by("pk")
            if connection.vendor == "postgresql":
                pending = pending.select_for_update(skip_locked=True, of=("self",))
            alerts = list(pending.select_related("community").defer("community__boundary")[:BATCH])
            if not alerts:
                break
            result.notifications += _notify(alerts)
            result.alerts += len(alerts)
        if len(alerts) < BATCH:
            break
    if send:
        result.emails = send_due_emails()
    return result


def _notify(alerts: list[Alert]) -> int:
    User = get_user_model()
    now = timezone.now()
    cache: dict = {}
    wanted = {alert.pk: recipients_for(alert, cache=cache) for alert in alerts}
    user_ids = {user_id for recipients in wanted.values() for user_id in recipients}
    with_address = set(
        User.objects.filter(pk__in=user_ids).exclude(email="").values_list("pk", flat=True)
    )
    rows = [
        AlertNotification(
            user_id=user_id,
            alert=alert,
            reason=reason,
            created_at=now,
            email_due=_email_due(alert, user_id in with_address),
        )
        for alert in alerts
        for user_id, reason in wanted[alert.pk].items()
    ]
    AlertNotification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(notified_at=now)
    return len(rows)


def notify_pending_alerts_safely() -> None:
    """For transaction.on_commit: a mail server being down never breaks the intake."""
    try:
        notify_pending_alerts()
    except Exception:
        logger.exception("Could not notify people of new alerts; the next run retries.")


def send_due_emails() -> int:
    """One email per person listing their due alerts; failures are kept and retried."""
    sent = 0
    with transaction.atomic():
        due = AlertNotification.objects.filter(
            email_due=True, emailed_at__isnull=True, email_attempts__lt=MAX_EMAIL_ATTEMPTS
        ).order_by("user_id", "alert_id")
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True, of=("self",))
        due = list(
            due.select_related("user", "alert__community", "alert__definition").defer(
                "alert__community__boundary"
            )[: BATCH * 4]
        )
        by_user: dict[int, list[AlertNotification]] = defaultdict(list)
        for notification in due:
            by_user[notification.user_id].append(notification)
        now = timezone.now()
        for notifications in by_user.values():
            message = alert_email(notifications)
            try:
                message.send()
            except Exception as error:
                logger.warning("Alert email to user %s failed: %s", notifications[0].user_id, error)
                for notification in notifications:
                    notification.email_attempts += 1
                    notification.email_error = f"{type(error).__name__}: {error}"[:300]
                    notification.save(update_fields=["email_attempts", "email_error"])
                continue
            sent += 1
            AlertNotification.objects.filter(pk__in=[n.pk for n in notifications]).update(
                emailed_at=now, email_attempts=F("email_attempts") + 1, email_error=""
            )
    return sent


def alert_email(notifications: list[AlertNotification]) -> EmailMessage:
    user = notifications[0].user
    items = []
    for notification in notifications:
        alert = notification.alert
        description = describe_alert(alert, viewer=user)
        items.append(
            {
                "description": description,
                "reason": notification.get_reason_display(),
                "url": config.site_url() + reverse("alerts:alert_detail", args=[alert.pk]),
            }
        )
    if len(notifications) == 1:
        subject = f"Cairn alert: {items[0]['description'].headline}"
    else:
        places = sorted({n.alert.community.name for n in notifications})
        subject = f"Cairn: {len(notifications)} new alerts ({', '.join(places[:3])}"
        subject += ", …)" if len(places) > 3 else ")"
    body = render_to_string(
        "surveillance/alerts/email.txt",
        {
            "user": user,
            "items": items,
            "inbox_url": config.site_url() + reverse("alerts:inbox"),
            "subscriptions_url": config.site_url() + reverse("alerts:subscriptions"),
        },
    )
    return EmailMessage(
        subject=subject[:200], body=body, from_email=config.from_email(), to=[user.email]
    )
