"""Cairn's pages: the dashboard and the communities.

Each view checks access once at the top, asks one query module for its data and
renders. Sign-in and sign-out live in `cairn.web.auth`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cairn.access.permissions import data_tier_for, has_permission, roles_of
from cairn.access.places import communities_grouped_for, get_community_for_user
from cairn.access.roles import DataTier, Permission
from cairn.access.suppression import suppress_row, suppression_threshold
from cairn.geography.maps import community_map
from cairn.geography.queries import ancestors_of, populations_by_year
from cairn.surveillance.models import Source
from cairn.surveillance.queries import community_event_counts, latest_event_time
from cairn.web.dashboard import memberships_of, panels_for
from cairn.web.decorators import require_permission

EVENT_WINDOW = timedelta(days=365)


@require_safe
@never_cache
def healthz(request):
    """For load balancers and the demo script: the process serves requests. No database."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@login_required
def home(request):
    # Signed in but not yet given a role: say so plainly, show nothing else.
    if not has_permission(request.user, Permission.VIEW_DASHBOARD):
        return render(request, "web/no_role.html")
    roles = roles_of(request.user)
    heading = f"{roles[0].name} dashboard" if len(roles) == 1 else "Your dashboard"
    return render(
        request,
        "web/home.html",
        {
            "heading": heading,
            "roles": roles,
            "memberships": memberships_of(request.user),
            "data_tier": data_tier_for(request.user),
            "panels": panels_for(request.user),
        },
    )


@require_permission(Permission.VIEW_COMMUNITY)
def community_list(request):
    search = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    groups = communities_grouped_for(request.user, search=search)
    context = {
        "groups": groups,
        "search": search,
        "community_count": sum(group.community_count for group in groups),
    }
    template = "web/_community_groups.htmx.html" if request.htmx else "web/community_list.html"
    response = render(request, template, context)
    # The same URL answers with a partial or a page: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_permission(Permission.VIEW_COMMUNITY)
def community_detail(request, code):
    community = get_community_for_user(request.user, code)
    populations = populations_by_year(community)
    return render(
        request,
        "web/community_detail.html",
        {
            "community": community,
            "ancestors": ancestors_of(community),
            "populations": populations,
            "population_sources": sorted({p.source for p in populations if p.source}),
            "boundary_map": community_map(community),
            "events": _event_counts_panel(community, data_tier_for(request.user, community)),
        },
    )


@dataclass(frozen=True)
class EventCountsPanel:
    since: datetime | None
    until: datetime | None
    rows: list[tuple[str, int | None]]  # (source label, count or None when suppressed)
    total: int | None
    suppressed: bool  # whether this tier hides small counts
    threshold: int


def _event_counts_panel(community, tier: DataTier | None) -> EventCountsPanel:
    """Counts by source over the last 12 months of data, as the user's tier may see them."""
    until = latest_event_time()
    suppressed = tier is None or tier < DataTier.LINE_LIST
    threshold = suppression_threshold()
    if until is None:
        return EventCountsPanel(None, None, [], 0, suppressed, threshold)
    since = until - EVENT_WINDOW
    counts = community_event_counts(community, since=since, until=until)
    if suppressed:
        shown, total = suppress_row(counts)
    else:
        shown, total = counts, sum(counts.values())
    rows = [(Source(key).label, shown[key]) for key in Source.values]
    return EventCountsPanel(
        timezone.localtime(since), timezone.localtime(until), rows, total, suppressed, threshold
    )
