"""Campaign pages: the list with its filters, the month calendar, planning and changing a
campaign, its page (materials, then the surveys, results, reach and outcomes sections of
the other parts) and the First Nations partners' decision.

Every view asks `cairn.campaigns.access` first and writes through
`cairn.campaigns.planning` / `cairn.campaigns.materials`. A form with wrong input
renders again with 400, what was typed, and the message naming the field; a success
redirects to the campaign's page.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.access.models import Organization
from cairn.campaigns import access, planning
from cairn.campaigns import materials as workflow
from cairn.campaigns.models.campaigns import FIRST_NATIONS_AUDIENCES, Audience, Channel, Frame
from cairn.campaigns.models.materials import FirstNationsDecision, MaterialStatus
from cairn.cases.forms import new_idempotency_key
from cairn.geography.models import Level

MAX_ID = 2**31 - 1


def campaign_view(view):
    """Signed-in only; the answer varies with HX-Request (partial or page)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response

    return login_required(wrapped)


def get_campaign(user, campaign_id, *, manage: bool = False):
    """The campaign as `access.get_campaign_for` decides; 404 for an impossible number."""
    if not isinstance(campaign_id, int) or not 0 < campaign_id <= MAX_ID:
        raise Http404("No such campaign.")
    return access.get_campaign_for(user, campaign_id, manage=manage)


def _require_area(user) -> None:
    if not access.may_use_campaigns(user):
        raise PermissionDenied("The Campaigns area is for communications staff and partners.")


def _filter_context(request, result) -> dict:
    visible = access.campaigns_for(request.user)
    organizations = Organization.objects.filter(campaigns__in=visible).distinct().order_by("name")
    years = sorted(
        {c.starts_on.year for c in visible.only("starts_on")}
        | {c.ends_on.year for c in visible.only("ends_on")}
        | {timezone.localdate().year}
    )
    communities = (
        visible.values_list("communities__code", "communities__name")
        .exclude(communities__code=None)
        .distinct()
        .order_by("communities__name")
    )
    return {
        "frames": Frame.choices,
        "audiences": Audience.choices,
        "channels": Channel.choices,
        "phases": planning.PHASES,
        "organizations": organizations,
        "years": years,
        "community_choices": list(communities),
        "filters": result.values,
        "filter_errors": result.errors,
        "query": request.GET.urlencode(),
    }


def _listed(campaigns):
    return campaigns.select_related("organization", "owner").prefetch_related(
        "audiences", "channels", "communities"
    )


@campaign_view
@require_GET
def campaign_list(request):
    _require_area(request.user)
    result = planning.filter_campaigns(access.campaigns_for(request.user), request.GET)
    campaigns = _listed(result.campaigns).order_by("-starts_on", "name")[:500]
    context = {
        **_filter_context(request, result),
        "campaigns": campaigns,
        "today": timezone.localdate(),
        "may_plan": access.may_plan(request.user),
    }
    status = 400 if result.errors else 200
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "campaigns/plan/_campaign_rows.html", context, status=status)
    return render(request, "campaigns/plan/campaign_list.html", context, status=status)


@campaign_view
@require_GET
def campaign_calendar(request):
    _require_area(request.user)
    result = planning.filter_campaigns(access.campaigns_for(request.user), request.GET)
    errors = dict(result.errors)
    try:
        year, month = planning.month_of(request.GET.get("month"))
    except planning.CampaignError as error:
        errors[error.field] = str(error)
        today = timezone.localdate()
        year, month = today.year, today.month
    month_view = planning.month_calendar(result.campaigns, year, month)
    params = request.GET.copy()
    params.pop("month", None)
    context = {
        **_filter_context(request, result),
        "filter_errors": errors,
        "calendar": month_view,
        "today": timezone.localdate(),
        "filter_query": params.urlencode(),
        "may_plan": access.may_plan(request.user),
    }
    return render(
        request, "campaigns/plan/campaign_calendar.html", context, status=400 if errors else 200
    )


# Planning --------------------------------------------------------------------------------


def _community_groups(organization):
    """The organization's regions and communities, grouped by level for the form."""
    groups = []
    communities = list(planning.communities_for(organization).only("code", "name", "level"))
    for level, label in Level.choices:
        rows = sorted((c for c in communities if c.level == level), key=lambda c: c.name)
        if rows:
            groups.append((label, rows))
    return groups


def _campaign_form(request, *, campaign=None, errors=None, status=200):
    posted = request.POST if request.method == "POST" else None
    if campaign is not None:
        organization = campaign.organization
        organizations = [organization]
    else:
        ids = access.organizations_for_new_campaigns(request.user)
        organizations = list(Organization.objects.filter(pk__in=ids).order_by("name"))
        chosen_org = (posted or {}).get("organization", "")
        organization = next((o for o in organizations if str(o.pk) == chosen_org), organizations[0])
    if posted is not None:
        chosen = {
            "audiences": posted.getlist("audiences"),
            "channels": posted.getlist("channels"),
            "communities": posted.getlist("communities"),
            "frame": posted.get("frame", ""),
            "owner": posted.get("owner", ""),
        }
    elif campaign is not None:
        chosen = {
            "audiences": campaign.audience_keys,
            "channels": campaign.channel_keys,
            "communities": [c.code for c in campaign.communities.all()],
            "frame": campaign.frame,
            "owner": str(campaign.owner_id),
        }
    else:
        chosen = {
            "audiences": [],
            "channels": [],
            "communities": [],
            "frame": "",
            "owner": str(request.user.pk),
        }
    return render(
        request,
        "campaigns/plan/campaign_form.html",
        {
            "campaign": campaign,
            "organization": organization,
            "organizations": organizations,
            "community_groups": _community_groups(organization),
            "owners": planning.owners_for(organization),
            "frames": Frame.choices,
            "audiences": Audience.choices,
            "channels": Channel.choices,
            "first_nations_audiences": sorted(a.value for a in FIRST_NATIONS_AUDIENCES),
            "chosen": chosen,
            "errors": errors or {},
            "posted": posted,
            "idempotency_key": (posted or {}).get("idempotency_key") or new_idempotency_key(),
        },
        status=status,
    )


def _plan_fields(post) -> dict:
    return {
        "name": post.get("name", ""),
        "objective": post.get("objective", ""),
        "frame": post.get("frame", ""),
        "audiences": post.getlist("audiences"),
        "channels": post.getlist("channels"),
        "communities": post.getlist("communities"),
        "starts_on": post.get("starts_on", ""),
        "ends_on": post.get("ends_on", ""),
        "budget": post.get("budget", ""),
        "partners": post.get("partners", ""),
        "owner": post.get("owner", ""),
    }


@campaign_view
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    if not access.may_plan(request.user):
        raise PermissionDenied("Only communications staff (manage_campaigns) plan campaigns.")
    if request.method == "GET":
        return _campaign_form(request)
    try:
        campaign = planning.create_campaign(
            actor=request.user,
            organization=request.POST.get("organization", "") or None,
            idempotency_key=request.POST.get("idempotency_key", ""),
            **_plan_fields(request.POST),
        )
    except planning.CampaignError as error:
        return _campaign_form(request, errors={error.field: str(error)}, status=400)
    return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)


@campaign_view
@require_http_methods(["GET", "POST"])
def campaign_edit(request, campaign_id):
    campaign = get_campaign(request.user, campaign_id, manage=True)
    if request.method == "GET":
        return _campaign_form(request, campaign=campaign)
    try:
        planning.update_campaign(
            actor=request.user, campaign=campaign, **_plan_fields(request.POST)
        )
    except planning.CampaignError as error:
        return _campaign_form(
            request, campaign=campaign, errors={error.field: str(error)}, status=400
        )
    return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)


# The campaign's page ---------------------------------------------------------------------


def detail_context(request, campaign, *, errors=None, posted=None) -> dict:
    user = request.user
    materials = list(campaign.materials.order_by("created_at", "pk"))
    counts = {s: sum(1 for m in materials if m.status == s) for s in MaterialStatus.values}
    return {
        "campaign": campaign,
        "may_manage": access.may_manage(user, campaign),
        "may_approve_first_nations": access.may_approve_first_nations(user, campaign),
        "audiences": [a.get_audience_display() for a in campaign.audiences.all()],
        "channels": [c.get_channel_display() for c in campaign.channels.all()],
        "communities": sorted(campaign.communities.defer("boundary").all(), key=lambda c: c.path),
        "partners": [p.strip() for p in campaign.partners.splitlines() if p.strip()],
        "budget": f"${campaign.budget:,.2f} CAD" if campaign.budget is not None else "",
        "phase": campaign.phase(),
        "materials": materials,
        "status_counts": [(label, counts[value]) for value, label in MaterialStatus.choices],
        "first_nations_current": workflow.first_nations_approval(campaign),
        "first_nations_history": list(
            campaign.first_nations_approvals.select_related("decided_by", "organization").order_by(
                "-decided_at", "-pk"
            )
        ),
        "decisions": FirstNationsDecision.choices,
        "errors": errors or {},
        "posted": posted or {},
        "idempotency_key": new_idempotency_key(),
    }


@campaign_view
@require_GET
def campaign_detail(request, campaign_id):
    campaign = get_campaign(request.user, campaign_id)
    return render(request, "campaigns/plan/campaign_detail.html", detail_context(request, campaign))


@campaign_view
@require_POST
def first_nations_approval(request, campaign_id):
    campaign = get_campaign(request.user, campaign_id)
    if not access.may_approve_first_nations(request.user, campaign):
        raise PermissionDenied(
            "Only a First Nations partner covering this campaign's communities may decide."
        )
    try:
        workflow.record_first_nations_decision(
            campaign,
            request.user,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
            idempotency_key=request.POST.get("idempotency_key", ""),
        )
    except planning.CampaignError as error:
        context = detail_context(
            request, campaign, errors={error.field: str(error)}, posted=request.POST
        )
        return render(request, "campaigns/plan/campaign_detail.html", context, status=400)
    return redirect(
        f"{redirect('campaigns:campaign_detail', campaign_id=campaign.pk).url}#first-nations"
    )
