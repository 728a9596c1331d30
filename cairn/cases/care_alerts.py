"""Care alerts: raise (idempotent), list and acknowledge, for the team holding a case.

`raise_care_alert` is what every part of case management calls when something needs
the care team's attention for one person: an overdue follow-up or plan action, an
opioid agonist treatment (OAT) stop or missed doses. The same `source_key` is raised
once: a second call returns the first alert unchanged, so a scheduler or a retried
request never duplicates an alert.

The inbox of a user is the open alerts of their care-team organizations for people
those organizations hold. Acknowledging is per alert, by a member of its team.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cairn.access.audit import actor_name as _username
from cairn.access.audit import record_audit_event
from cairn.access.models import Organization
from cairn.cases.access import (
    care_team_organization_ids,
    case_manager_organization_ids,
    clients_visible_to,
    require_care_team,
)
from cairn.cases.models import Client, ClientHolding
from cairn.cases.models.care_alerts import CareAlert, CareAlertKind

SYSTEM_ACTOR = "system:cases.care-alerts"
STATES = ("open", "acknowledged", "all")


class CareAlertError(ValueError):
    """The alert cannot be raised or changed as asked; `field` names the field at fault."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.field = field


def raise_care_alert(
    *,
    client: Client | int,
    organization: Organization | int,
    kind: str,
    text: str,
    link: str = "",
    source_key: str,
    actor=SYSTEM_ACTOR,
    now: dt.datetime | None = None,
) -> CareAlert:
    """Raise one alert to the care team of `organization` (which must hold the case).

    Idempotent on `source_key`: when an alert with this key exists it is returned
    unchanged and nothing is written; `alert.created` tells which happened. The text
    must carry no names (the inbox is a list; the link opens the audited record).
    Raises CareAlertError for an unknown kind, an empty or long text or key, or an
    organization that does not hold the case.
    """
    client_id = client.pk if isinstance(client, Client) else int(client)
    organization_id = (
        organization.pk if isinstance(organization, Organization) else int(organization)
    )
    if kind not in CareAlertKind.values:
        raise CareAlertError(f"Kind: give one of {', '.join(CareAlertKind.values)}.", "kind")
    text = (text or "").strip()
    if not text or len(text) > 300:
        raise CareAlertError("Text: give 1 to 300 characters.", "text")
    source_key = (source_key or "").strip()
    if not source_key or len(source_key) > 200:
        raise CareAlertError("Source key: give 1 to 200 characters.", "source_key")
    link = (link or "").strip()[:300]
    with transaction.atomic():
        existing = CareAlert.objects.filter(source_key=source_key).first()
        if existing is not None:
            existing.created = False
            return existing
        if not ClientHolding.objects.filter(
            client_id=client_id, organization_id=organization_id
        ).exists():
            raise CareAlertError(
                "Organization: it does not hold this person's case.", "organization"
            )
        try:
            with transaction.atomic():  # a savepoint: a concurrent raise wins, and is returned
                alert = CareAlert.objects.create(
                    client_id=client_id,
                    organization_id=organization_id,
                    kind=kind,
                    text=text,
                    link=link,
                    source_key=source_key,
                    raised_at=now or timezone.now(),
                    raised_by=_username(actor),
                )
        except IntegrityError:
            alert = CareAlert.objects.get(source_key=source_key)
            alert.created = False
            return alert
        record_audit_event(
            actor=actor,
            action="cases.care_alert.raise",
            target_type="cases.client",
            target_id=str(client_id),
            summary=f"Care alert {alert.pk} raised: {kind}",
            details={"alert_id": alert.pk, "kind": kind, "organization_id": organization_id},
        )
    alert.created = True
    return alert


def alerts_for(user, *, state: str = "open", client: Client | None = None) -> QuerySet[CareAlert]:
    """The alerts of the user's care-team organizations, for people they hold, newest
    first. Callers that show names audit the list (`record_client_list_read`)."""
    require_care_team(user)
    if state not in STATES:
        raise CareAlertError(f"State: give one of {', '.join(STATES)}.", "state")
    rows = CareAlert.objects.filter(
        organization_id__in=care_team_organization_ids(user),
        client__in=clients_visible_to(user),
    ).select_related("organization", "client")
    if client is not None:
        rows = rows.filter(client=client)
    if state == "open":
        rows = rows.filter(acknowledged_at__isnull=True)
    elif state == "acknowledged":
        rows = rows.filter(acknowledged_at__isnull=False)
    return rows.order_by("-raised_at", "-pk")


def open_alert_count(user) -> int:
    return alerts_for(user).count()


def acknowledge(*, actor, alert_id) -> CareAlert:
    """Acknowledge one alert of the actor's teams (a repeat changes nothing); audited.
    Needs MANAGE_CASES in the alert's organization. Http404 for an alert that is not
    the actor's teams' (whether or not it exists)."""
    require_care_team(actor)
    try:
        alert_id = int(alert_id)
    except (TypeError, ValueError):
        raise Http404("No care alert with this number.") from None
    with transaction.atomic():
        alert = (
            alerts_for(actor, state="all")
            .filter(pk=alert_id, organization_id__in=case_manager_organization_ids(actor))
            .select_for_update(of=("self",))
            .first()
        )
        if alert is None:
            raise Http404("No care alert with this number for your teams.")
        if alert.acknowledged_at is None:
            alert.acknowledged_at = timezone.now()
            alert.acknowledged_by = _username(actor)
            alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
            record_audit_event(
                actor=actor,
                action="cases.care_alert.acknowledge",
                target_type="cases.client",
                target_id=str(alert.client_id),
                summary=f"Care alert {alert.pk} acknowledged",
                details={"alert_id": alert.pk, "kind": alert.kind},
            )
    return alert


# Feeding the inbox --------------------------------------------------------------------


def alerts_from_follow_up_escalations(*, actor=SYSTEM_ACTOR) -> list[CareAlert]:
    """Raise a `follow_up_overdue` alert for every escalated, still open follow-up
    (escalated by `followups.escalate_overdue`); once per follow-up."""
    from cairn.cases.models.followups import FollowUp

    raised = []
    escalated = FollowUp.objects.filter(
        contacted_at__isnull=True, escalated_at__isnull=False
    ).exclude(pk__in=_keyed_ids("follow_up_overdue:"))
    for follow_up in escalated.order_by("due_at", "pk"):
        try:
            alert = raise_care_alert(
                client=follow_up.client_id,
                organization=follow_up.organization_id,
                kind=CareAlertKind.FOLLOW_UP_OVERDUE,
                text=f"Follow-up {follow_up.pk} is overdue: first contact was due within "
                f"{follow_up.hours_allowed} h of discharge.",
                link=reverse("cases:follow_up_detail", args=[follow_up.pk]),
                source_key=f"follow_up_overdue:{follow_up.pk}",
                actor=actor,
            )
        except CareAlertError:  # the team no longer holds the case
            continue
        if alert.created:
            raised.append(alert)
    return raised


def _keyed_ids(prefix: str) -> list[int]:
    keys = CareAlert.objects.filter(source_key__startswith=prefix).values_list(
        "source_key", flat=True
    )
    return [int(k[len(prefix) :]) for k in keys if k[len(prefix) :].isdigit()]
