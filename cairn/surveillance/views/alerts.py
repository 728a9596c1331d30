"""Pages for alerts: the list, one alert, its lifecycle, the inbox, subscriptions, spike rules.

Every member may see the alerts of the communities they see (aggregate tier, small
counts suppressed); the records behind an alert only with line-list access there.
Acknowledging, actioning and dismissing need MANAGE_ALERTS in the alert's community,
as does setting spike rules. One alert is always fetched through
`get_alert_for_user`, which answers 404 for an alert the user may not see.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from cairn.access.permissions import communities_visible_to, has_permission
from cairn.access.roles import Permission
from cairn.geography.models import Jurisdiction
from cairn.surveillance.alerts import actions, config, queries
from cairn.surveillance.alerts.describe import (
    METHOD_LABELS,
    describe_alert,
    method_label,
    sees_exact_counts,
    shown_count,
    shown_figure,
)
from cairn.surveillance.models import CaseDefinition, Source
from cairn.surveillance.models.alerts import AlertNotification, AlertStatus, AlertSubscription
from cairn.web.decorators import require_permission

PAGE_SIZE = 50
ALL = "*"


def _with_vary(response):
    patch_vary_headers(response, ["HX-Request"])
    return response


def _light(communities):
    """Communities without their boundaries (large GeoJSON), by name."""
    return communities.only("code", "name", "path", "level").order_by("name")


# The list ---------------------------------------------------------------------------


def _rows(user, alerts) -> list[dict]:
    exact_by_community: dict[int, bool] = {}
    rows = []
    for alert in alerts:
        if alert.community_id not in exact_by_community:
            exact_by_community[alert.community_id] = sees_exact_counts(user, alert.community)
        exact = exact_by_community[alert.community_id]
        rows.append(
            {
                "alert": alert,
                "method": method_label(alert.method),
                "observed": shown_count(alert.observed, exact=exact),
                "expected": shown_figure(alert.expected, exact=exact),
            }
        )
    return rows


@require_permission(Permission.VIEW_AGGREGATES)
def alert_list(request):
    filters = queries.AlertFilters.from_query(request.GET)
    visible = queries.alerts_visible_to(request.user)
    page = Paginator(filters.apply(visible), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": _rows(request.user, page.object_list),
        "filters": filters,
        "statuses": [("open", "Open (new or acknowledged)"), *AlertStatus.choices],
        "communities": _light(Jurisdiction.objects.filter(pk__in=visible.values("community_id"))),
        "definitions": CaseDefinition.objects.filter(pk__in=visible.values("definition_id")),
        "methods": list(METHOD_LABELS.items()),
        "sorts": [
            ("newest", "Most recent first"),
            ("oldest", "Oldest first"),
            ("community", "Community"),
            ("definition", "Case definition"),
            ("observed", "Most events first"),
            ("status", "Status"),
        ],
        "query": _query_without_page(request),
        "may_manage_rules": has_permission(request.user, Permission.MANAGE_ALERTS),
    }
    template = (
        "surveillance/alerts/_alert_table.htmx.html"
        if request.htmx
        else "surveillance/alerts/alert_list.html"
    )
    return _with_vary(render(request, template, context))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# One alert --------------------------------------------------------------------------


class TransitionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("acknowledge", "Acknowledge"),
            ("action", "Mark actioned"),
            ("dismiss", "Dismiss"),
        ]
    )
    text = forms.CharField(
        required=False,
        max_length=actions.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note or reason",
        help_text="What was done (for actioned), or why it is not a real rise (required to "
        "dismiss).",
    )


def _detail_context(request, alert, *, form=None) -> dict:
    from cairn.surveillance.alerts.series import alert_series

    user = request.user
    exact = sees_exact_counts(user, alert.community)
    may_manage = has_permission(user, Permission.MANAGE_ALERTS, alert.community)
    records, records_total = ([], 0)
    may_see_records = queries.may_see_records(user, alert)
    if may_see_records:
        records, records_total = queries.records_behind(alert)
    series = alert_series(alert, exact=exact)
    signals = [
        {
            "signal": signal,
            "method": method_label(signal.method),
            "observed": shown_count(signal.observed, exact=exact),
            "expected": shown_figure(signal.expected, exact=exact),
            "upperbound": (
                shown_count(int(signal.upperbound), exact=exact)
                if signal.method == "spike_rule" and signal.upperbound is not None
                else shown_figure(signal.upperbound, exact=exact)
            ),
        }
        for signal in alert.signals.order_by("period_start", "method")
    ]
    return {
        "alert": alert,
        "description": describe_alert(alert, viewer=user),
        "chart": mark_safe(_chart_svg(series)),  # noqa: S308 (every text is escaped by charts)
        "series": series,
        "signals": signals,
        "history": queries.alert_history(alert, exact=exact),
        "may_manage": may_manage and alert.is_open,
        "form": form or TransitionForm(),
        "may_see_records": may_see_records,
        "records": records,
        "records_total": records_total,
        "exact": exact,
        "gap_days": config.episode_gap_days(),
    }


def _chart_svg(series) -> str:
    from cairn.surveillance.dashboards.charts import series_chart_svg

    return series_chart_svg(
        periods=series.periods,
        observed=series.observed,
        expected=series.expected,
        upperbound=series.upperbound,
        alarms=series.alarms,
        title=series.title,
        y_label="events",
    )


@require_permission(Permission.VIEW_AGGREGATES)
def alert_detail(request, alert_id):
    alert = queries.get_alert_for_user(request.user, alert_id)
    AlertNotification.objects.filter(user=request.user, alert=alert, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(request, "surveillance/alerts/alert_detail.html", _detail_context(request, alert))


@require_POST
@require_permission(Permission.MANAGE_ALERTS)
def alert_transition(request, alert_id):
    alert = queries.get_alert_for_user(request.user, alert_id)
    form = TransitionForm(request.POST)
    error = None
    if form.is_valid():
        try:
            alert = actions.transition_alert(
                actor=request.user,
                alert=alert,
                action=form.cleaned_data["action"],
                text=form.cleaned_data["text"],
            )
        except actions.AlertActionError as problem:
            error = str(problem)
            form.add_error("text" if isinstance(problem, actions.ReasonRequired) else None, error)
    else:
        error = "Choose what to do with the alert."
    if error and request.htmx:
        # htmx swaps only 2xx answers: the form comes back with its error in place.
        context = {**_detail_context(request, alert, form=form), "error": error}
        return _with_vary(render(request, "surveillance/alerts/_status.htmx.html", context))
    if error:
        context = {**_detail_context(request, alert, form=form), "error": error}
        return render(request, "surveillance/alerts/alert_detail.html", context, status=400)
    messages.success(request, f"Alert {alert.pk} is now {alert.get_status_display().lower()}.")
    url = reverse("alerts:alert_detail", kwargs={"alert_id": alert.pk})
    if request.htmx:
        return _with_vary(HttpResponse(headers={"HX-Redirect": url}))
    return redirect(url)


# The inbox --------------------------------------------------------------------------


@require_permission(Permission.VIEW_AGGREGATES)
def inbox(request):
    entries = queries.inbox_for(request.user)
    show = request.GET.get("show", "")
    if show == "unread":
        entries = entries.filter(read_at__isnull=True)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    items = []
    for entry in page.object_list:
        items.append(
            {"entry": entry, "description": describe_alert(entry.alert, viewer=request.user)}
        )
    return render(
        request,
        "surveillance/alerts/inbox.html",
        {
            "page": page,
            "items": items,
            "show": show,
            "unread": queries.unread_count(request.user),
        },
    )


@require_POST
@require_permission(Permission.VIEW_AGGREGATES)
def notification_read(request, notification_id):
    entry = queries.inbox_for(request.user).filter(pk=notification_id).first()
    if entry is None:
        raise Http404("No such inbox entry.")
    actions.mark_notification_read(user=request.user, notification=entry)
    if request.htmx:
        return _with_vary(
            render(
                request,
                "surveillance/alerts/_inbox_entry.htmx.html",
                {
                    "item": {
                        "entry": entry,
                        "description": describe_alert(entry.alert, viewer=request.user),
                    }
                },
            )
        )
    return redirect("alerts:inbox")


@require_POST
@require_permission(Permission.VIEW_AGGREGATES)
def inbox_read_all(request):
    marked = actions.mark_all_read(user=request.user)
    messages.success(request, f"Marked {marked} alert{'s' if marked != 1 else ''} as read.")
    return redirect("alerts:inbox")


# Subscriptions ----------------------------------------------------------------------


class SubscriptionForm(forms.Form):
    community = forms.ChoiceField(label="Community")
    definition = forms.ChoiceField(label="Case definition")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.communities = {c.code: c for c in _light(communities_visible_to(user))}
        self.definitions = {d.slug: d for d in CaseDefinition.objects.filter(active=True)}
        self.fields["community"].choices = [
            (ALL, "Every community I can see"),
            *((code, c.name) for code, c in self.communities.items()),
        ]
        self.fields["definition"].choices = [
            (ALL, "Every case definition"),
            *((slug, d.name) for slug, d in self.definitions.items()),
        ]

    def chosen(self):
        data = self.cleaned_data
        community = None if data["community"] == ALL else self.communities[data["community"]]
        definition = None if data["definition"] == ALL else self.definitions[data["definition"]]
        return community, definition


@require_permission(Permission.VIEW_AGGREGATES)
def subscriptions(request):
    status = 200
    if request.method == "POST":
        form = SubscriptionForm(request.POST, user=request.user)
        if form.is_valid():
            community, definition = form.chosen()
            try:
                subscription, created = actions.subscribe(
                    user=request.user, community=community, definition=definition
                )
            except actions.AlertActionError as error:
                form.add_error(None, str(error))
            else:
                text = actions.subscription_text(subscription)
                messages.success(
                    request,
                    f"You will be told of alerts for {text}."
                    if created
                    else f"You already receive alerts for {text}.",
                )
                return redirect("alerts:subscriptions")
        status = 400
    else:
        form = SubscriptionForm(user=request.user)
    return render(
        request,
        "surveillance/alerts/subscriptions.html",
        {
            "form": form,
            "subscriptions": queries.subscriptions_of(request.user),
            "automatic": _automatic_reasons(request.user),
        },
        status=status,
    )


def _automatic_reasons(user) -> list[str]:
    """Why the user is told of alerts without subscribing (their role), in words."""
    from cairn.access.permissions import roles_of
    from cairn.surveillance.alerts.notify import ACTION_TEAM_ROLES, RESPONSE_CENTRE_ROLES

    keys = {role.key for role in roles_of(user)}
    reasons = []
    if keys & set(ACTION_TEAM_ROLES):
        reasons.append(
            "You are on a community action team: you are told of every alert in the "
            "communities your organization covers."
        )
    if keys & set(RESPONSE_CENTRE_ROLES):
        reasons.append(
            "You work at an overdose emergency response centre: you are told of every alert "
            "in the communities your centre covers."
        )
    return reasons


@require_POST
@require_permission(Permission.VIEW_AGGREGATES)
def unsubscribe(request, subscription_id):
    subscription = AlertSubscription.objects.filter(pk=subscription_id, user=request.user).first()
    if subscription is None:
        raise Http404("No such subscription.")
    text = actions.subscription_text(subscription)
    actions.unsubscribe(user=request.user, subscription=subscription)
    messages.success(request, f"You will no longer be told of alerts for {text}.")
    return redirect("alerts:subscriptions")


# Spike rules ------------------------------------------------------------------------


class SpikeRuleForm(forms.Form):
    community = forms.ChoiceField(label="Community")
    definition = forms.ChoiceField(label="Case definition")
    source = forms.ChoiceField(
        label="Source", choices=[("", "Every source"), *Source.choices], required=False
    )
    threshold = forms.IntegerField(
        label="Events within the window",
        required=False,
        min_value=2,
        max_value=100_000,
        help_text="Leave empty for an automatic threshold from the community's recent days.",
    )
    window_hours = forms.IntegerField(
        label="Window (hours)", initial=24, min_value=1, max_value=168
    )
    active = forms.BooleanField(label="Active", required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.communities = {
            c.code: c
            for c in _light(communities_visible_to(user))
            if has_permission(user, Permission.MANAGE_ALERTS, c)
        }
        self.definitions = {d.slug: d for d in CaseDefinition.objects.all()}
        choices = [(code, c.name) for code, c in self.communities.items()]
        if actions.may_edit_spike_rule(user, None):
            choices.insert(0, (ALL, "Every community (the province-wide default)"))
        self.fields["community"].choices = choices
        self.fields["definition"].choices = [(s, d.name) for s, d in self.definitions.items()]


@require_permission(Permission.MANAGE_ALERTS)
def spike_rules(request):
    status = 200
    if request.method == "POST":
        form = SpikeRuleForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            community = None if data["community"] == ALL else form.communities[data["community"]]
            try:
                rule, created = actions.save_spike_rule(
                    actor=request.user,
                    community=community,
                    definition=form.definitions[data["definition"]],
                    source=data["source"] or "",
                    threshold=data["threshold"],
                    window_hours=data["window_hours"],
                    active=data["active"],
                )
            except (actions.AlertActionError, PermissionDenied) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{'Added' if created else 'Changed'}: {rule}.")
                return redirect("alerts:spike_rules")
        status = 400
    else:
        form = SpikeRuleForm(user=request.user)
    rules = queries.spike_rules_visible_to(request.user)
    return render(
        request,
        "surveillance/alerts/spike_rules.html",
        {"form": form, "rules": rules, "list_url": reverse("alerts:alert_list")},
        status=status,
    )
