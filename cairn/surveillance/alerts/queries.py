"""Reads about alerts, already scoped to the user.

Alerts are aggregate-tier objects: anyone who may see a community may see its alerts.
`get_alert_for_user` is the choke point for one alert: an alert in a community the
user does not see does not exist for them (404), whatever id is in the URL.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from cairn.access.models import AuditEvent
from cairn.access.permissions import communities_visible_to, grants_for, has_permission
from cairn.access.roles import Permission
from cairn.surveillance.models import Event
from cairn.surveillance.models.alerts import (
    Alert,
    AlertNotification,
    AlertStatus,
    AlertSubscription,
    SpikeRule,
)

SORTS = {
    "newest": ("-period_end", "-id"),
    "oldest": ("period_start", "id"),
    "community": ("community__name", "-period_end"),
    "definition": ("definition__position", "definition__slug", "-period_end"),
    "observed": ("-observed", "-period_end"),
    "status": ("status", "-period_end"),
}
DEFAULT_SORT = "newest"


def alerts_visible_to(user) -> QuerySet[Alert]:
    if not has_permission(user, Permission.VIEW_AGGREGATES):
        return Alert.objects.none()
    # A community's boundary is a large GeoJSON document that no alert page needs.
    alerts = Alert.objects.select_related("community", "definition").defer("community__boundary")
    if not sees_everywhere(user):
        alerts = alerts.filter(community__in=communities_visible_to(user))
    return alerts


def sees_everywhere(user) -> bool:
    """Province-wide roles: no need to filter by community (a cheaper query)."""
    return any(g.wide and g.role.has(Permission.VIEW_COMMUNITY) for g in grants_for(user))


def get_alert_for_user(user, alert_id) -> Alert:
    try:
        alert_id = int(alert_id)
    except (TypeError, ValueError):
        raise Http404("No such alert.") from None
    alert = alerts_visible_to(user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert, or not in a community your organizations cover.")
    return alert


@dataclass(frozen=True)
class AlertFilters:
    status: str = ""
    community: str = ""  # community code
    definition: str = ""  # definition slug
    method: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, query) -> "AlertFilters":
        def clean(name: str) -> str:
            return str(query.get(name, "")).replace("\x00", "").strip()[:120]

        status = clean("status")
        if status not in AlertStatus.values and status != "open":
            status = ""
        sort = clean("sort")
        return cls(
            status=status,
            community=clean("community"),
            definition=clean("definition"),
            method=clean("method"),
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )

    def apply(self, alerts: QuerySet[Alert]) -> QuerySet[Alert]:
        if self.status == "open":
            alerts = alerts.filter(status__in=[AlertStatus.NEW, AlertStatus.ACKNOWLEDGED])
        elif self.status:
            alerts = alerts.filter(status=self.status)
        if self.community:
            alerts = alerts.filter(community__code=self.community)
        if self.definition:
            alerts = alerts.filter(definition__slug=self.definition)
        if self.method:
            alerts = alerts.filter(
                Q(method=self.method) | Q(signals__method=self.method)
            ).distinct()
        return alerts.order_by(*SORTS[self.sort])


def inbox_for(user) -> QuerySet[AlertNotification]:
    """The user's inbox entries, for alerts in communities they still see."""
    visible = alerts_visible_to(user)
    return (
        AlertNotification.objects.filter(user=user, alert__in=visible.values("pk"))
        .select_related("alert__community", "alert__definition")
        .defer("alert__community__boundary")
        .order_by("-created_at", "-id")
    )


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox_for(user).filter(read_at__isnull=True).count()


def subscriptions_of(user) -> QuerySet[AlertSubscription]:
    return (
        AlertSubscription.objects.filter(user=user)
        .select_related("community", "definition")
        .defer("community__boundary")
    )


def spike_rules_visible_to(user) -> QuerySet[SpikeRule]:
    rules = SpikeRule.objects.select_related("community", "definition").defer("community__boundary")
    if sees_everywhere(user):
        return rules
    return rules.filter(Q(community__isnull=True) | Q(community__in=communities_visible_to(user)))


def may_see_records(user, alert: Alert) -> bool:
    """The records behind an alert are line-list data: public health and the care team."""
    return has_permission(user, Permission.VIEW_LINE_LIST, alert.community)


RECORDS_LIMIT = 200


def records_behind(alert: Alert, *, limit: int = RECORDS_LIMIT) -> tuple[list[Event], int]:
    """The events of the alert's episode (community, definition, source, its days).

    The caller checks `may_see_records` first. Returns (the first `limit`, total).
    """
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(alert.period_start, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(alert.period_end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    events = Event.objects.filter(
        community=alert.community,
        occurred_at__gte=start,
        occurred_at__lt=end,
        matches__definition_id=alert.definition_id,
    )
    if alert.source:
        events = events.filter(source=alert.source)
    total = events.count()
    rows = list(
        events.order_by("occurred_at", "pk").only(
            "pk", "source", "occurred_at", "age_band", "sex", "disposition", "fatal"
        )[:limit]
    )
    return rows, total


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str
    what: str
    detail: str = ""


ACTION_WORDS = {
    "alert.raise": "Raised",
    "alert.merge": "A further signal joined this alert",
    "alert.acknowledge": "Acknowledged",
    "alert.action": "Marked actioned",
    "alert.dismiss": "Dismissed",
}


def alert_history(alert: Alert, *, exact: bool) -> list[HistoryEntry]:
    """What happened to the alert, oldest first, from its audit events.

    `exact` False (aggregate tier): signals are described without their counts.
    """
    from cairn.surveillance.alerts.actions import SYSTEM_ACTOR
    from cairn.surveillance.alerts.describe import method_label, period_text, shown_count

    events = AuditEvent.objects.filter(
        target_type=Alert._meta.label_lower, target_id=str(alert.pk)
    ).order_by("created_at", "id")
    entries = []
    for event in events:
        detail = event.details.get("reason") or event.details.get("note") or ""
        signal = event.details.get("signal")
        if signal:
            start = dt.date.fromisoformat(signal["period_start"])
            detail = (
                f"{method_label(signal['method'])}, {period_text(signal['period'], start)}: "
                f"{shown_count(signal.get('observed'), exact=exact)} events"
            )
        entries.append(
            HistoryEntry(
                when=event.created_at,
                who=(
                    "Cairn (automatic)"
                    if event.actor_username in ("", SYSTEM_ACTOR)
                    else event.actor_username
                ),
                what=ACTION_WORDS.get(event.action, event.action),
                detail=detail,
            )
        )
    return entries
