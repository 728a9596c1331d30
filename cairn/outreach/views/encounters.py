"""Outreach encounter pages: the phone form, the team's list, corrections, the client
link, and the team's indicators.

The form works without JavaScript (post, then redirect to "Recorded"). With it,
static/outreach/encounter-form.js sends the same form with fetch, asking for JSON
(`Accept: application/json`), keeps a draft in the browser until the server confirms,
and on a network or server error keeps every input and offers a retry with the same
creation key, so the retry returns the encounter already made.
"""

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cairn.access.roles import Permission
from cairn.cases.models.clients import ConsentMethod
from cairn.outreach import encounters as actions
from cairn.outreach.access import get_team_for, may_record_outreach
from cairn.outreach.encounter_form import CONNECTIONS, PROVIDED, EncounterForm
from cairn.outreach.indicators import (
    GROUPS,
    add_months,
    default_period,
    indicators_csv,
    indicators_for_viewer,
    month_start,
)
from cairn.outreach.models import EncounterClientLink
from cairn.web.decorators import require_permission

PAGE_SIZE = 25  # a phone screenful or three; each page renders quickly


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _encounter_gate(view):
    """Sign in first; then only those who may see encounters somewhere get further."""

    def guarded(request, *args, **kwargs):
        if not actions.may_see_encounters_anywhere(request.user):
            raise PermissionDenied("Only outreach workers and care teams see encounters.")
        return view(request, *args, **kwargs)

    guarded.__name__ = view.__name__
    guarded.__doc__ = view.__doc__
    return login_required(never_cache(guarded))


def _team_for_recording(request, slug):
    team = get_team_for(request.user, slug)
    if not may_record_outreach(request.user, team):
        raise PermissionDenied("Only members of this team's organizations may record its outreach.")
    return team


def _team_for_encounters(request, slug):
    team = get_team_for(request.user, slug)
    if not actions.may_see_encounters(request.user, team):
        raise PermissionDenied("Only the team's outreach workers and care team see its encounters.")
    return team


def _referral_url(encounter) -> str | None:
    """Where to start a closed-loop referral from this encounter, once referrals exist."""
    try:
        return f"{reverse('referrals:send')}?encounter={encounter.pk}"
    except NoReverseMatch:
        return None


def _form_context(team, form, *, editing=None) -> dict:
    return {
        "team": team,
        "form": form,
        "provided": [form[name] for name, _ in PROVIDED],
        "connections": [form[name] for name, _ in CONNECTIONS],
        "encounter": editing,
    }


# The phone form -----------------------------------------------------------------------


@require_permission(Permission.RECORD_OUTREACH)
@never_cache
def encounter_new(request, slug):
    team = _team_for_recording(request, slug)
    communities = list(team.communities.all())
    if request.method == "POST":
        form = EncounterForm(request.POST, communities=communities)
        if form.is_valid():
            data = dict(form.cleaned_data)
            key = data.pop("creation_key")
            try:
                saved = actions.record_encounter(
                    actor=request.user, team=team, details=data, idempotency_key=key
                )
            except actions.EncounterError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                url = reverse(
                    "outreach:encounter_recorded",
                    kwargs={"slug": team.slug, "encounter_id": saved.encounter.pk},
                )
                if _wants_json(request):
                    return JsonResponse(
                        {"id": saved.encounter.pk, "created": saved.created, "url": url},
                        status=201 if saved.created else 200,
                    )
                return redirect(url)
        if _wants_json(request):
            return JsonResponse(
                {
                    "detail": "The encounter was not recorded; correct what is marked.",
                    "errors": [{"field": f, "message": m} for f, m in form.error_list()],
                },
                status=400,
            )
        status = 400
    else:
        default_community = communities[0].code if len(communities) >= 1 else ""
        form = EncounterForm(
            initial={
                "creation_key": str(uuid.uuid4()),
                "occurred_on": timezone.localdate(),
                "community": default_community,
                "group": EncounterForm.base_fields["group"].initial,
                "naloxone_kits": 0,
            },
            communities=communities,
        )
        status = 200
    return render(request, "outreach/encounter_form.html", _form_context(team, form), status=status)


@_encounter_gate
def encounter_recorded(request, slug, encounter_id):
    team = _team_for_encounters(request, slug)
    encounter = actions.get_encounter_for(request.user, team, encounter_id)
    return render(
        request,
        "outreach/encounter_recorded.html",
        {
            "team": team,
            "encounter": encounter,
            "referral_url": _referral_url(encounter) if encounter.connection_made else None,
            "may_change": actions.may_change(request.user, encounter),
            "may_record": may_record_outreach(request.user, team),
        },
    )


# The team's list ---------------------------------------------------------------------


def _month_filter(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError):
        return None


@_encounter_gate
def encounter_list(request, slug):
    team = _team_for_encounters(request, slug)
    month = _month_filter(request.GET.get("month", ""))
    group = request.GET.get("group", "")
    if group not in dict(GROUPS):
        group = ""
    include_voided = request.GET.get("voided") == "1"
    follow_up_only = request.GET.get("follow_up") == "1"
    rows = actions.team_encounters(
        team,
        month=month,
        group=group,
        include_voided=include_voided,
        follow_up_only=follow_up_only,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    links = actions.client_links_visible_to(request.user, shown)
    may_record = may_record_outreach(request.user, team)
    now = timezone.now()
    today = timezone.localdate()
    months = [add_months(month_start(today), -i) for i in range(12)]
    return render(
        request,
        "outreach/encounter_list.html",
        {
            "team": team,
            "page": page,
            "rows": [
                (
                    e,
                    links.get(e.pk),
                    actions.may_change(request.user, e, now=now, may_record=may_record),
                )
                for e in shown
            ],
            "months": months,
            "month": month,
            "groups": GROUPS,
            "group": group,
            "include_voided": include_voided,
            "follow_up_only": follow_up_only,
            "may_record": may_record,
            "may_link": bool(actions.care_team_member_organization_ids(request.user, team)),
        },
    )


# Corrections -----------------------------------------------------------------------


def _changeable(request, slug, encounter_id):
    team = _team_for_encounters(request, slug)
    encounter = actions.get_encounter_for(request.user, team, encounter_id)
    if not actions.may_change(request.user, encounter):
        raise PermissionDenied(
            "Only the worker who recorded an encounter may correct or void it, within "
            f"{int(actions.EDIT_WINDOW.total_seconds() // 3600)} hours of recording it."
        )
    return team, encounter


@require_permission(Permission.RECORD_OUTREACH)
@never_cache
def encounter_edit(request, slug, encounter_id):
    team, encounter = _changeable(request, slug, encounter_id)
    communities = list(team.communities.all())
    status = 200
    if request.method == "POST":
        form = EncounterForm(request.POST, communities=communities, with_key=False)
        if form.is_valid():
            try:
                actions.edit_encounter(
                    actor=request.user, encounter=encounter, details=dict(form.cleaned_data)
                )
            except actions.EncounterError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, f"Encounter {encounter.pk} corrected.")
                return redirect("outreach:encounter_list", slug=team.slug)
        status = 400
    else:
        initial = {name: getattr(encounter, name) for name in actions.DETAIL_FIELDS}
        initial["community"] = encounter.community.code
        form = EncounterForm(initial=initial, communities=communities, with_key=False)
    return render(
        request,
        "outreach/encounter_form.html",
        _form_context(team, form, editing=encounter),
        status=status,
    )


@require_permission(Permission.RECORD_OUTREACH)
@require_POST
def encounter_void(request, slug, encounter_id):
    team, encounter = _changeable(request, slug, encounter_id)
    try:
        actions.void_encounter(
            actor=request.user, encounter=encounter, reason=request.POST.get("reason", "")
        )
    except actions.EncounterError as error:
        messages.error(request, f"Not voided: {error}")
        return redirect("outreach:encounter_edit", slug=team.slug, encounter_id=encounter.pk)
    messages.success(request, f"Encounter {encounter.pk} voided; it is kept for the audit.")
    return redirect("outreach:encounter_list", slug=team.slug)


# Linking to a person's case (care team only) -------------------------------------------


def _linkable(request, slug, encounter_id):
    team = get_team_for(request.user, slug)
    if not actions.care_team_member_organization_ids(request.user, team):
        raise PermissionDenied(
            "Only the care team of one of this team's member organizations links encounters."
        )
    return team, actions.get_encounter_for(request.user, team, encounter_id)


@require_permission(Permission.VIEW_IDENTIFIABLE)
@never_cache
def encounter_link(request, slug, encounter_id):
    team, encounter = _linkable(request, slug, encounter_id)
    error = None
    values = {"client_id": "", "consent_method": "", "consent_note": ""}
    status = 200
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip() for key in values}
        try:
            actions.link_encounter_to_client(
                actor=request.user,
                encounter=encounter,
                client_id=values["client_id"],
                consent_method=values["consent_method"],
                consent_note=values["consent_note"],
            )
        except actions.EncounterError as exc:
            error = (exc.field, str(exc))
        except Http404:
            error = ("client_id", "No client record with this number is held by your team.")
        else:
            messages.success(request, f"Encounter {encounter.pk} linked to the person's case.")
            return redirect("outreach:encounter_list", slug=team.slug)
        status = 400
    return render(
        request,
        "outreach/encounter_link.html",
        {
            "team": team,
            "encounter": encounter,
            "values": values,
            "error": error,
            "consent_methods": ConsentMethod.choices,
        },
        status=status,
    )


@require_permission(Permission.VIEW_IDENTIFIABLE)
@require_POST
def encounter_unlink(request, slug, encounter_id):
    team, encounter = _linkable(request, slug, encounter_id)
    link = EncounterClientLink.objects.filter(encounter=encounter, removed_at__isnull=True).first()
    if link is None:
        raise Http404("This encounter has no link in force.")
    try:
        actions.remove_client_link(
            actor=request.user, link=link, reason=request.POST.get("reason", "")
        )
    except actions.EncounterError as error:
        messages.error(request, f"Not removed: {error}")
    else:
        messages.success(request, f"The link of encounter {encounter.pk} was removed.")
    return redirect("outreach:encounter_list", slug=team.slug)


# Indicators ------------------------------------------------------------------------


def _period(request) -> tuple[dt.date, dt.date]:
    start, end = default_period()
    chosen_start = _month_filter(request.GET.get("start", ""))
    chosen_end = _month_filter(request.GET.get("end", ""))
    if chosen_start:
        start = chosen_start
    if chosen_end:
        end = min(add_months(chosen_end, 1) - dt.timedelta(days=1), timezone.localdate())
    if start > end:
        start = month_start(end)
    return start, end


@login_required
@never_cache
def encounter_indicators(request, slug):
    team = get_team_for(request.user, slug)
    start, end = _period(request)
    view = indicators_for_viewer(request.user, team, start=start, end=end)
    return render(
        request,
        "outreach/encounter_indicators.html",
        {"team": team, "indicators": view, "start": start, "end": end},
    )


@login_required
@never_cache
def encounter_indicators_csv(request, slug):
    team = get_team_for(request.user, slug)
    start, end = _period(request)
    view = indicators_for_viewer(request.user, team, start=start, end=end)
    response = HttpResponse(indicators_csv(view), content_type="text/csv; charset=utf-8")
    name = f"{team.slug}-outreach-{start:%Y-%m}-to-{end:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
