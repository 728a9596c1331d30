"""Writes about alerts: raise or merge a signal, the lifecycle, subscriptions, spike rules.

Each action commits atomically with its audit event; notifications are sent after
commit (`transaction.on_commit`), so nobody is told of an alert that rolled back.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cairn.access.audit import record_audit_event
from cairn.access.permissions import has_permission
from cairn.access.roles import Permission
from cairn.geography.models import Jurisdiction, Level
from cairn.surveillance.alerts import config
from cairn.surveillance.models import CaseDefinition, Source
from cairn.surveillance.models.alerts import (
    SPIKE_RULE_METHOD,
    Alert,
    AlertNotification,
    AlertPeriod,
    AlertSignal,
    AlertStatus,
    AlertSubscription,
    SpikeRule,
)

SYSTEM_ACTOR = "surveillance"
MAX_TEXT = 2000


class AlertActionError(ValueError):
    """An alert action that cannot be done as asked; the message says why."""


class ReasonRequired(AlertActionError):
    """Dismissing an alert needs a reason."""


def episode_key(community_id: int, definition_id: int, source: str = "") -> str:
    return f"{community_id}:{definition_id}:{source or '*'}"


@dataclass(frozen=True)
class SignalCandidate:
    """A period a method flagged, before it is stored as an AlertSignal."""

    community_id: int
    definition_id: int
    method: str
    period: str
    period_start: dt.date
    period_end: dt.date
    observed: int
    source: str = ""
    expected: float | None = None
    upperbound: float | None = None
    p_value: float | None = None
    level: str = ""
    window_start: dt.datetime | None = None
    window_end: dt.datetime | None = None
    details: dict = field(default_factory=dict)

    @property
    def episode_key(self) -> str:
        return episode_key(self.community_id, self.definition_id, self.source)

    def figures(self) -> dict:
        return {
            "observed": int(self.observed),
            "expected": _finite(self.expected),
            "upperbound": _finite(self.upperbound),
            "p_value": _finite(self.p_value),
            "level": self.level or "",
        }


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if value == value and value not in (float("inf"), float("-inf")) else None


@dataclass(frozen=True)
class SignalOutcome:
    alert: Alert
    outcome: str  # "raised" | "merged" | "updated" | "unchanged"

    @property
    def raised(self) -> bool:
        return self.outcome == "raised"

    @property
    def merged(self) -> bool:
        return self.outcome == "merged"


def _lock_episode(key: str) -> None:
    """Serialise writers of one episode (the real-time hook and a scheduled run)."""
    if connection.vendor == "postgresql":
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


def record_signal(*, signal: SignalCandidate, notify: bool = True) -> SignalOutcome:
    """Store one signal: a new alert, or part of the ongoing episode's alert.

    Idempotent: the same method and period again updates the stored signal (its
    figures may have grown as late records arrived) and raises nothing new. A signal
    within `episode_gap_days` of an alert of the same community × definition × source
    joins that alert (merged; nobody is notified again).
    """
    if signal.period not in AlertPeriod.values:
        raise AlertActionError(f"period must be day or week, not {signal.period!r}")
    if signal.period_end < signal.period_start:
        raise AlertActionError("a signal's period cannot end before it starts")
    key = signal.episode_key
    now = timezone.now()
    with transaction.atomic():
        _lock_episode(key)
        stored = (
            AlertSignal.objects.select_related("alert")
            .filter(
                episode_key=key,
                method=signal.method,
                period=signal.period,
                period_start=signal.period_start,
            )
            .first()
        )
        if stored is not None:
            return _refresh_signal(stored, signal, now)
        gap = dt.timedelta(days=config.episode_gap_days())
        alert = (
            Alert.objects.select_for_update()
            .filter(
                episode_key=key,
                period_start__lte=signal.period_end + gap,
                period_end__gte=signal.period_start - gap,
            )
            .order_by("period_start", "pk")
            .first()
        )
        if alert is None:
            alert = Alert.objects.create(
                community_id=signal.community_id,
                definition_id=signal.definition_id,
                source=signal.source,
                episode_key=key,
                method=signal.method,
                period=signal.period,
                period_start=signal.period_start,
                period_end=signal.period_end,
                first_seen_at=now,
                last_seen_at=now,
                **signal.figures(),
            )
            _create_signal(alert, signal, now)
            record_audit_event(
                actor=SYSTEM_ACTOR,
                action="alert.raise",
                target=alert,
                summary=_describe(signal),
                details={"signal": _signal_details(signal)},
            )
            if notify:
                _notify_after_commit()
            return SignalOutcome(alert, "raised")
        _create_signal(alert, signal, now)
        alert.signal_count += 1
        alert.last_seen_at = now
        alert.period_end = max(alert.period_end, signal.period_end)
        if signal.period_start < alert.period_start:
            # Signals can arrive out of order (a back-fill runs method by method): the
            # alert always describes the earliest signal of its episode.
            _take_trigger(alert, signal)
        alert.save()
        record_audit_event(
            actor=SYSTEM_ACTOR,
            action="alert.merge",
            target=alert,
            summary=f"Merged into alert {alert.pk}: {_describe(signal)}"[:300],
            details={"signal": _signal_details(signal)},
        )
        return SignalOutcome(alert, "merged")


def _refresh_signal(stored: AlertSignal, signal: SignalCandidate, now) -> SignalOutcome:
    figures = signal.figures()
    window = {"window_start": signal.window_start, "window_end": signal.window_end}
    changed = any(getattr(stored, name) != value for name, value in figures.items()) or any(
        getattr(stored, name) != value for name, value in window.items()
    )
    alert = stored.alert
    if not changed:
        return SignalOutcome(alert, "unchanged")
    for name, value in {**figures, **window}.items():
        setattr(stored, name, value)
    stored.details = signal.details
    stored.updated_at = now
    stored.save()
    if alert.method == stored.method and alert.period_start == stored.period_start:
        for name, value in figures.items():
            setattr(alert, name, value)
    alert.last_seen_at = now
    alert.save()
    return SignalOutcome(alert, "updated")


def _create_signal(alert: Alert, signal: SignalCandidate, now) -> AlertSignal:
    return AlertSignal.objects.create(
        alert=alert,
        episode_key=signal.episode_key,
        method=signal.method,
        period=signal.period,
        period_start=signal.period_start,
        period_end=signal.period_end,
        window_start=signal.window_start,
        window_end=signal.window_end,
        details=signal.details,
        detected_at=now,
        updated_at=now,
        **signal.figures(),
    )


def _take_trigger(alert: Alert, signal: SignalCandidate) -> None:
    alert.method = signal.method
    alert.period = signal.period
    alert.period_start = signal.period_start
    for name, value in signal.figures().items():
        setattr(alert, name, value)


def _describe(signal: SignalCandidate) -> str:
    if signal.method == SPIKE_RULE_METHOD:
        threshold = signal.details.get("threshold")
        hours = signal.details.get("window_hours", 24)
        return (
            f"{signal.observed} events within {hours} hours (spike rule: {threshold} or more) "
            f"on {signal.period_start:%Y-%m-%d}"
        )
    when = (
        f"{signal.period_start:%Y-%m-%d}"
        if signal.period == AlertPeriod.DAY
        else f"the week of {signal.period_start:%Y-%m-%d}"
    )
    return f"{signal.observed} events on {when} by {signal.method}"


def _signal_details(signal: SignalCandidate) -> dict:
    return {
        "community_id": signal.community_id,
        "definition_id": signal.definition_id,
        "source": signal.source,
        "method": signal.method,
        "period": signal.period,
        "period_start": signal.period_start.isoformat(),
        "period_end": signal.period_end.isoformat(),
        **signal.figures(),
        **({"parameters": signal.details} if signal.details else {}),
    }


def _notify_after_commit() -> None:
    from cairn.surveillance.alerts.notify import notify_pending_alerts_safely

    transaction.on_commit(notify_pending_alerts_safely)


# The lifecycle ---------------------------------------------------------------------


_DONE = {"acknowledge": "acknowledged", "action": "marked actioned", "dismiss": "dismissed"}


def _transition(*, actor, alert: Alert, allowed_from: tuple[str, ...], verb: str) -> Alert:
    if not has_permission(actor, Permission.MANAGE_ALERTS, alert):
        raise PermissionDenied(f"Your roles do not let you {verb} alerts in this community.")
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.status not in allowed_from:
        allowed = " or ".join(AlertStatus(s).label.lower() for s in allowed_from)
        raise AlertActionError(
            f"Alert {alert.pk} is {locked.get_status_display().lower()}: only a {allowed} "
            f"alert can be {_DONE[verb]}."
        )
    return locked


@transaction.atomic
def acknowledge_alert(*, actor, alert: Alert) -> Alert:
    """Someone has seen the alert and is looking into it."""
    alert = _transition(
        actor=actor, alert=alert, allowed_from=(AlertStatus.NEW,), verb="acknowledge"
    )
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    record_audit_event(
        actor=actor, action="alert.acknowledge", target=alert, summary=f"Alert {alert.pk}"
    )
    return alert


@transaction.atomic
def action_alert(*, actor, alert: Alert, note: str = "") -> Alert:
    """The response is under way (outreach, a public warning, naloxone distribution)."""
    alert = _transition(
        actor=actor,
        alert=alert,
        allowed_from=(AlertStatus.NEW, AlertStatus.ACKNOWLEDGED),
        verb="action",
    )
    now = timezone.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    alert.status = AlertStatus.ACTIONED
    alert.actioned_at = now
    alert.actioned_by = actor
    alert.action_note = (note or "").strip()[:MAX_TEXT]
    alert.save()
    record_audit_event(
        actor=actor,
        action="alert.action",
        target=alert,
        summary=f"Alert {alert.pk}",
        details={"note": alert.action_note} if alert.action_note else {},
    )
    return alert


@transaction.atomic
def dismiss_alert(*, actor, alert: Alert, reason: str) -> Alert:
    """Not a real rise (a data problem, a known event); the reason is required and kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("Say why the alert is dismissed: a reason is required.")
    alert = _transition(
        actor=actor,
        alert=alert,
        allowed_from=(AlertStatus.NEW, AlertStatus.ACKNOWLEDGED),
        verb="dismiss",
    )
    alert.status = AlertStatus.DISMISSED
    alert.dismissed_at = timezone.now()
    alert.dismissed_by = actor
    alert.dismissal_reason = reason[:MAX_TEXT]
    alert.save(update_fields=["status", "dismissed_at", "dismissed_by", "dismissal_reason"])
    record_audit_event(
        actor=actor,
        action="alert.dismiss",
        target=alert,
        summary=f"Alert {alert.pk}: {reason}"[:300],
        details={"reason": alert.dismissal_reason},
    )
    return alert


def transition_alert(*, actor, alert: Alert, action: str, text: str = "") -> Alert:
    """One entry point for pages and the API: action is acknowledge, action or dismiss."""
    if action == "acknowledge":
        return acknowledge_alert(actor=actor, alert=alert)
    if action == "action":
        return action_alert(actor=actor, alert=alert, note=text)
    if action == "dismiss":
        return dismiss_alert(actor=actor, alert=alert, reason=text)
    raise AlertActionError(f"Unknown action {action!r}: use acknowledge, action or dismiss.")


# The inbox --------------------------------------------------------------------------


def mark_notification_read(*, user, notification: AlertNotification) -> AlertNotification:
    if notification.user_id != user.pk:
        raise PermissionDenied("This inbox entry is someone else's.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, user) -> int:
    return AlertNotification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# Subscriptions ----------------------------------------------------------------------


@transaction.atomic
def subscribe(
    *, user, community: Jurisdiction | None = None, definition: CaseDefinition | None = None
) -> tuple[AlertSubscription, bool]:
    """Ask for alerts of a community (None: every community one may see) and definition."""
    if community is not None:
        if community.level != Level.COMMUNITY:
            raise AlertActionError(f"{community.name} is not a community.")
        if not has_permission(user, Permission.VIEW_AGGREGATES, community):
            raise PermissionDenied(f"Your organizations do not cover {community.name}.")
    elif not has_permission(user, Permission.VIEW_AGGREGATES):
        raise PermissionDenied("None of your roles lets you see alerts.")
    existing = AlertSubscription.objects.filter(
        user=user, community=community, definition=definition
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            subscription = AlertSubscription.objects.create(
                user=user, community=community, definition=definition
            )
    except IntegrityError:  # the same request twice at once
        subscription = AlertSubscription.objects.get(
            user=user, community=community, definition=definition
        )
        return subscription, False
    record_audit_event(
        actor=user,
        action="alert_subscription.add",
        target=subscription,
        summary=subscription_text(subscription),
    )
    return subscription, True


@transaction.atomic
def unsubscribe(*, user, subscription: AlertSubscription) -> None:
    if subscription.user_id != user.pk:
        raise PermissionDenied("This subscription is someone else's.")
    summary = subscription_text(subscription)
    record_audit_event(
        actor=user,
        action="alert_subscription.remove",
        target_type="surveillance.alertsubscription",
        target_id=str(subscription.pk),
        summary=summary,
    )
    subscription.delete()


def subscription_text(subscription: AlertSubscription) -> str:
    place = subscription.community.name if subscription.community_id else "every community"
    what = subscription.definition.name if subscription.definition_id else "every definition"
    return f"{what} in {place}"[:300]


# Spike rules ------------------------------------------------------------------------


def may_edit_spike_rule(user, community: Jurisdiction | None) -> bool:
    """Community rules: MANAGE_ALERTS there. The province-wide default: over the province."""
    if community is not None:
        return has_permission(user, Permission.MANAGE_ALERTS, community)
    province = Jurisdiction.objects.filter(level=Level.PROVINCE).first()
    return province is not None and has_permission(user, Permission.MANAGE_ALERTS, province)


@transaction.atomic
def save_spike_rule(
    *,
    actor,
    definition: CaseDefinition,
    community: Jurisdiction | None = None,
    source: str = "",
    threshold: int | None = None,
    window_hours: int = 24,
    active: bool = True,
) -> tuple[SpikeRule, bool]:
    """Create or change the rule for community (None: the default) × definition × source."""
    if not may_edit_spike_rule(actor, community):
        place = community.name if community is not None else "the whole province"
        raise PermissionDenied(f"Your roles do not let you set spike rules for {place}.")
    if community is not None and community.level != Level.COMMUNITY:
        raise AlertActionError(f"{community.name} is not a community.")
    if source and source not in Source.values:
        raise AlertActionError(f"Unknown source {source!r}: use one of {', '.join(Source.values)}.")
    if threshold is not None and threshold < 2:
        raise AlertActionError("The threshold is at least 2 events (or empty for automatic).")
    if not 1 <= window_hours <= 168:
        raise AlertActionError("The window is from 1 to 168 hours.")
    rule = (
        SpikeRule.objects.select_for_update()
        .filter(community=community, definition=definition, source=source)
        .order_by("pk")
        .first()
    )
    created = rule is None
    before = None if created else _rule_values(rule)
    if created:
        rule = SpikeRule(community=community, definition=definition, source=source)
    rule.threshold = threshold
    rule.window_hours = window_hours
    rule.active = active
    rule.updated_at = timezone.now()
    rule.updated_by = getattr(actor, "get_username", lambda: str(actor))()
    rule.save()
    record_audit_event(
        actor=actor,
        action="spike_rule.create" if created else "spike_rule.change",
        target=rule,
        summary=str(rule)[:300],
        details={"before": before, "after": _rule_values(rule)},
    )
    return rule, created


def _rule_values(rule: SpikeRule) -> dict:
    return {
        "community_id": rule.community_id,
        "definition_id": rule.definition_id,
        "source": rule.source,
        "threshold": rule.threshold,
        "window_hours": rule.window_hours,
        "active": rule.active,
    }


DEFAULT_SPIKE_RULE_DEFINITIONS = ("all_drug",)


@transaction.atomic
def ensure_default_spike_rules(*, actor=SYSTEM_ACTOR) -> int:
    """Province-wide automatic rules for the shipped overdose definition, once.

    Only when no spike rule exists at all, so a rule switched off stays off. Returns
    how many rules were created.
    """
    if SpikeRule.objects.exists():
        return 0
    created = 0
    for definition in CaseDefinition.objects.filter(slug__in=DEFAULT_SPIKE_RULE_DEFINITIONS):
        rule = SpikeRule.objects.create(
            definition=definition, threshold=None, window_hours=24, updated_by=str(actor)
        )
        record_audit_event(
            actor=actor,
            action="spike_rule.create",
            target=rule,
            summary=f"Default rule: {rule}"[:300],
            details={"after": _rule_values(rule)},
        )
        created += 1
    return created
