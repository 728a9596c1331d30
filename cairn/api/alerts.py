"""API: alerts in the user's communities, one alert, its lifecycle, and the user's inbox.

Alerts are aggregate-tier objects: counts from 1 to 4 (and expected values under 5)
come back as null, with `suppressed: true`, for users whose tier is aggregate.
Acknowledging, actioning and dismissing need the manage_alerts permission in the
alert's community. An alert the user may not see answers 404.
"""

import datetime as dt
import json

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from cairn.access.permissions import has_permission
from cairn.access.roles import Permission
from cairn.access.suppression import suppression_threshold
from cairn.api.errors import ErrorOut
from cairn.api.geography import PlaceOut
from cairn.surveillance.alerts import actions, queries
from cairn.surveillance.alerts.describe import sees_exact_counts
from cairn.surveillance.models.alerts import Alert, AlertStatus

router = Router(tags=["alerts"])

MAX_LIMIT = 500


class DefinitionOut(Schema):
    slug: str
    name: str


class SignalOut(Schema):
    method: str
    period: str
    period_start: dt.date
    period_end: dt.date
    observed: int | None = Field(description="null when suppressed for your data tier")
    expected: float | None
    upperbound: float | None = Field(description="For spike rules: the threshold.")
    p_value: float | None
    level: str
    window_start: dt.datetime | None
    window_end: dt.datetime | None


class AlertOut(Schema):
    id: int
    community: PlaceOut
    definition: DefinitionOut
    source: str = Field(description="empty: every source")
    method: str = Field(description="method of the triggering signal; spike_rule for rules")
    period: str = Field(description="day or week")
    period_start: dt.date = Field(description="first day of the triggering period")
    period_end: dt.date = Field(description="last day of the latest period signalled")
    observed: int | None = Field(description="null when suppressed for your data tier")
    expected: float | None
    upperbound: float | None
    p_value: float | None
    level: str
    suppressed: bool = Field(description="true when small counts are hidden from you")
    signal_count: int
    status: str
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    actioned_at: dt.datetime | None
    actioned_by: str | None
    action_note: str
    dismissed_at: dt.datetime | None
    dismissed_by: str | None
    dismissal_reason: str


class AlertDetailOut(AlertOut):
    signals: list[SignalOut]
    records_visible: bool = Field(
        description="whether you may open the de-identified records behind it (line list)"
    )


class AlertListOut(Schema):
    count: int
    alerts: list[AlertOut]


class InboxEntryOut(Schema):
    id: int
    alert: AlertOut
    reason: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    emailed_at: dt.datetime | None


class InboxOut(Schema):
    unread: int
    entries: list[InboxEntryOut]


class AlertFiltersIn(Schema):
    status: str = Field("", description="new, acknowledged, actioned, dismissed or open")
    community: str = Field("", description="community code")
    definition: str = Field("", description="case definition slug")
    method: str = ""
    sort: str = Field("newest", description=", ".join(queries.SORTS))
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


def _count(value, exact: bool) -> int | None:
    if value is None:
        return None
    value = int(value)
    return value if exact or not 0 < value < suppression_threshold() else None


def _figure(value, exact: bool) -> float | None:
    if value is None:
        return None
    return value if exact or value >= suppression_threshold() else None


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _alert_out(alert: Alert, user, exact_cache: dict | None = None) -> dict:
    cache = exact_cache if exact_cache is not None else {}
    if alert.community_id not in cache:
        cache[alert.community_id] = sees_exact_counts(user, alert.community)
    exact = cache[alert.community_id]
    upperbound = (
        _count(alert.upperbound, exact) if alert.is_spike_rule else _figure(alert.upperbound, exact)
    )
    return {
        "id": alert.pk,
        "community": {"code": alert.community.code, "name": alert.community.name},
        "definition": {"slug": alert.definition.slug, "name": alert.definition.name},
        "source": alert.source,
        "method": alert.method,
        "period": alert.period,
        "period_start": alert.period_start,
        "period_end": alert.period_end,
        "observed": _count(alert.observed, exact),
        "expected": _figure(alert.expected, exact),
        "upperbound": upperbound,
        "p_value": alert.p_value,
        "level": alert.level,
        "suppressed": not exact,
        "signal_count": alert.signal_count,
        "status": alert.status,
        "first_seen_at": alert.first_seen_at,
        "last_seen_at": alert.last_seen_at,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": _username(alert.acknowledged_by),
        "actioned_at": alert.actioned_at,
        "actioned_by": _username(alert.actioned_by),
        "action_note": alert.action_note,
        "dismissed_at": alert.dismissed_at,
        "dismissed_by": _username(alert.dismissed_by),
        "dismissal_reason": alert.dismissal_reason,
    }


def _detail_out(alert: Alert, user) -> dict:
    exact = sees_exact_counts(user, alert.community)
    signals = [
        {
            "method": s.method,
            "period": s.period,
            "period_start": s.period_start,
            "period_end": s.period_end,
            "observed": _count(s.observed, exact),
            "expected": _figure(s.expected, exact),
            "upperbound": _count(s.upperbound, exact)
            if s.method == "spike_rule"
            else _figure(s.upperbound, exact),
            "p_value": s.p_value,
            "level": s.level,
            "window_start": s.window_start,
            "window_end": s.window_end,
        }
        for s in alert.signals.order_by("period_start", "method")
    ]
    return {
        **_alert_out(alert, user),
        "signals": signals,
        "records_visible": queries.may_see_records(user, alert),
    }


def _require_alerts(user) -> None:
    if not has_permission(user, Permission.VIEW_AGGREGATES):
        raise PermissionDenied("None of your roles lets you see alerts.")


def _with_people(alerts):
    return alerts.select_related("acknowledged_by", "actioned_by", "dismissed_by")


@router.get(
    "/alerts",
    response={200: AlertListOut, 401: ErrorOut, 403: ErrorOut},
    url_name="alert_list",
    summary="Alerts in the communities the user may see, newest first",
)
def alert_list(request, filters: Query[AlertFiltersIn]):
    _require_alerts(request.auth)
    chosen = queries.AlertFilters(
        status=filters.status if filters.status in [*AlertStatus.values, "open"] else "",
        community=filters.community,
        definition=filters.definition,
        method=filters.method,
        sort=filters.sort if filters.sort in queries.SORTS else queries.DEFAULT_SORT,
    )
    alerts = _with_people(chosen.apply(queries.alerts_visible_to(request.auth)))
    cache: dict = {}
    page = alerts[filters.offset : filters.offset + filters.limit]
    return {
        "count": alerts.count(),
        "alerts": [_alert_out(alert, request.auth, cache) for alert in page],
    }


@router.get(
    "/alerts/{alert_id}",
    response={200: AlertDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    url_name="alert_detail",
    summary="One alert with its signals",
)
def alert_detail(request, alert_id: int):
    _require_alerts(request.auth)
    alert = queries.get_alert_for_user(request.auth, alert_id)
    return _detail_out(alert, request.auth)


def _check_manager(request) -> None:
    if not has_permission(request.auth, Permission.MANAGE_ALERTS):
        raise PermissionDenied("Your roles do not let you acknowledge, action or dismiss alerts.")


def _transition(request, alert_id: int, action: str, text: str = ""):
    _check_manager(request)
    alert = queries.get_alert_for_user(request.auth, alert_id)
    try:
        alert = actions.transition_alert(actor=request.auth, alert=alert, action=action, text=text)
    except actions.ReasonRequired as error:
        raise HttpError(422, str(error)) from None
    except actions.AlertActionError as error:
        raise HttpError(409, str(error)) from None
    return _detail_out(queries.get_alert_for_user(request.auth, alert.pk), request.auth)


_TRANSITION_RESPONSES = {
    200: AlertDetailOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response=_TRANSITION_RESPONSES,
    url_name="alert_acknowledge",
    summary="Acknowledge a new alert (409 if it is not new)",
)
def alert_acknowledge(request, alert_id: int):
    return _transition(request, alert_id, "acknowledge")


def _body_text(request, name: str) -> str:
    """A text field from a JSON body (or a form), read after the access checks."""
    if request.content_type == "application/json":
        if not request.body.strip():
            return ""
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise HttpError(400, "The body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise HttpError(400, f"The body must be a JSON object with {name!r}.")
        value = data.get(name, "")
        if not isinstance(value, str):
            raise HttpError(422, f"{name!r} must be text.")
        return value
    return request.POST.get(name, "")


def _body_schema(name: str, description: str, *, required: bool) -> dict:
    return {
        "requestBody": {
            "required": required,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {name: {"type": "string", "description": description}},
                        **({"required": [name]} if required else {}),
                    }
                }
            },
        }
    }


@router.post(
    "/alerts/{alert_id}/action",
    response=_TRANSITION_RESPONSES,
    url_name="alert_action",
    summary="Mark a new or acknowledged alert actioned, with an optional note",
    openapi_extra=_body_schema("note", "What was done.", required=False),
)
def alert_action(request, alert_id: int):
    _check_manager(request)
    queries.get_alert_for_user(request.auth, alert_id)
    return _transition(request, alert_id, "action", _body_text(request, "note"))


@router.post(
    "/alerts/{alert_id}/dismiss",
    response=_TRANSITION_RESPONSES,
    url_name="alert_dismiss",
    summary="Dismiss a new or acknowledged alert; the reason is required (422 without)",
    openapi_extra=_body_schema("reason", "Why it is not a real rise.", required=True),
)
def alert_dismiss(request, alert_id: int):
    _check_manager(request)
    queries.get_alert_for_user(request.auth, alert_id)
    return _transition(request, alert_id, "dismiss", _body_text(request, "reason"))


@router.get(
    "/inbox",
    response={200: InboxOut, 401: ErrorOut, 403: ErrorOut},
    url_name="inbox",
    summary="The user's alert inbox, newest first",
)
def inbox(request, unread_only: bool = False, limit: int = Query(100, ge=1, le=MAX_LIMIT)):
    _require_alerts(request.auth)
    entries = queries.inbox_for(request.auth).select_related(
        "alert__acknowledged_by", "alert__actioned_by", "alert__dismissed_by"
    )
    if unread_only:
        entries = entries.filter(read_at__isnull=True)
    cache: dict = {}
    return {
        "unread": queries.unread_count(request.auth),
        "entries": [
            {
                "id": entry.pk,
                "alert": _alert_out(entry.alert, request.auth, cache),
                "reason": entry.reason,
                "created_at": entry.created_at,
                "read_at": entry.read_at,
                "emailed_at": entry.emailed_at,
            }
            for entry in entries[:limit]
        ],
    }


@router.post(
    "/inbox/{entry_id}/read",
    response={200: InboxEntryOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    url_name="inbox_read",
    summary="Mark one inbox entry read",
)
def inbox_read(request, entry_id: int):
    _require_alerts(request.auth)
    entry = queries.inbox_for(request.auth).filter(pk=entry_id).first()
    if entry is None:
        raise HttpError(404, "No such inbox entry.")
    entry = actions.mark_notification_read(user=request.auth, notification=entry)
    return {
        "id": entry.pk,
        "alert": _alert_out(entry.alert, request.auth),
        "reason": entry.reason,
        "created_at": entry.created_at,
        "read_at": entry.read_at,
        "emailed_at": entry.emailed_at,
    }
