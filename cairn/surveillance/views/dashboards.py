"""Surveillance dashboards for signed-in members: any area they cover, at their data tier.

Every member with VIEW_AGGREGATES may open the dashboard of an area their organizations
cover (the province for wide-area roles). Whether the figures are exact or suppressed is
`data_tier_for(user, area)`: line-list tiers see exact counts; the aggregate tier sees the
published figures, the same as the public dashboard. Pages read only the counts tables.
"""

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from cairn.access.permissions import data_tier_for, has_permission, jurisdictions_visible_to
from cairn.access.places import get_community_for_user
from cairn.access.roles import DataTier, Permission
from cairn.geography.models import Jurisdiction
from cairn.surveillance.dashboards import exports
from cairn.surveillance.dashboards.geography import (
    LEVEL_LABELS,
    LEVEL_ORDER,
    UNKNOWN_NAME,
    Area,
    jurisdiction_tree,
)
from cairn.surveillance.dashboards.pages import build_area_page, render_fragment
from cairn.surveillance.dashboards.params import read_request
from cairn.surveillance.dashboards.queries import (
    DashboardQueryError,
    NothingToShow,
    area_rows,
    area_series,
    cached,
    suppression_note,
)
from cairn.surveillance.models import Source
from cairn.web.decorators import require_permission

PAGE = "surveillance/dashboards/area.html"


def _open_area(user, code: str) -> tuple[Area, Jurisdiction]:
    """The area with this code if the user may open it: 404 unknown, 403 not covered."""
    tree = jurisdiction_tree()
    area = tree.by_code.get(code)
    if area is None:
        raise Http404(f"No area has the code {code!r}.")
    if area.is_community:
        jurisdiction = get_community_for_user(user, code)
    else:
        jurisdiction = Jurisdiction.objects.defer("boundary").get(pk=area.key)
        if not has_permission(user, Permission.VIEW_COMMUNITY, jurisdiction):
            raise PermissionDenied(f"Your organizations do not cover {area.name}.")
    if not has_permission(user, Permission.VIEW_AGGREGATES, jurisdiction):
        raise PermissionDenied(f"None of your roles shows figures for {area.name}.")
    return area, jurisdiction


def _published_for(user, jurisdiction: Jurisdiction) -> bool:
    tier = data_tier_for(user, jurisdiction)
    return tier is None or tier < DataTier.LINE_LIST


def _visible_codes(user) -> set[str]:
    return set(jurisdictions_visible_to(user).values_list("code", flat=True))


def _today() -> dt.date:
    return timezone.localdate()


def _nothing_to_show(request, error: NothingToShow, *, area: Area):
    return render(
        request,
        "surveillance/dashboards/nothing_to_show.html",
        {"message": str(error), "area": area, "public": False},
    )


def _bad_request(request, error: DashboardQueryError, *, area: Area | None = None):
    return render(
        request,
        "surveillance/dashboards/bad_request.html",
        {"error": str(error), "area": area, "home_url": reverse("dashboards:index")},
        status=400,
    )


@require_safe
@require_permission(Permission.VIEW_AGGREGATES)
def index(request):
    """The widest area the user covers: the province for wide-area roles, else a list."""
    tree = jurisdiction_tree()
    codes = _visible_codes(request.user)
    top = [
        area
        for area in (tree.by_code[c] for c in codes if c in tree.by_code)
        if area.parent is None or area.parent.code not in codes
    ]
    top.sort(key=lambda a: (LEVEL_ORDER.index(a.level), a.name))
    query = request.GET.urlencode()
    if len(top) == 1:
        url = reverse("dashboards:area", kwargs={"code": top[0].code})
        return redirect(f"{url}?{query}" if query else url)
    return render(
        request,
        "surveillance/dashboards/index.html",
        {"areas": [(a, reverse("dashboards:area", kwargs={"code": a.code})) for a in top]},
    )


@require_safe
@require_permission(Permission.VIEW_AGGREGATES)
def area(request, code):
    area, jurisdiction = _open_area(request.user, code)
    published = _published_for(request.user, jurisdiction)
    try:
        wanted = read_request(request.GET, published=published, today=_today())
    except DashboardQueryError as error:
        return _bad_request(request, error, area=area)
    except NothingToShow as error:
        return _nothing_to_show(request, error, area=area)
    tree = jurisdiction_tree()
    codes = _visible_codes(request.user)
    base_url = reverse("dashboards:area", kwargs={"code": area.code})
    table_only = bool(request.htmx) and not area.is_community

    def link_for(other: Area) -> str | None:
        if other.is_unknown or other.code not in codes:
            return None
        return reverse("dashboards:area", kwargs={"code": other.code})

    def build() -> dict:
        page = build_area_page(
            selection=wanted.selection,
            area=area,
            tree=tree,
            link_for=link_for,
            base_url=base_url,
            sort=wanted.sort,
            descending=wanted.descending,
        )
        return {
            "page": page,
            "table_csv_url": reverse("dashboards:table_csv", kwargs={"code": area.code}),
            "series_csv_url": reverse("dashboards:series_csv", kwargs={"code": area.code}),
            "suppression_note": suppression_note(),
            "unknown_name": UNKNOWN_NAME,
            "public": False,
        }

    # Links go to the areas the viewer may open: part of what the HTML depends on.
    links = hashlib.blake2b(" ".join(sorted(codes)).encode(), digest_size=8).hexdigest()
    key = ("member", area.code, wanted.selection, wanted.sort, wanted.descending, links)
    body = render_fragment(key, table_only=table_only, build=build)
    if table_only:
        response = HttpResponse(body)
    else:
        response = render(
            request,
            PAGE,
            {
                "area": area,
                "level_label": LEVEL_LABELS.get(area.level, ""),
                "selection": wanted.selection,
                "request_values": wanted,
                "breadcrumbs": [(a, link_for(a)) for a in area.ancestors()],
                "base_url": base_url,
                "body": body,
                "sources": Source.choices,
                "allow_daily": not published,
            },
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _csv_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@require_permission(Permission.VIEW_AGGREGATES)
def table_csv(request, code):
    area, jurisdiction = _open_area(request.user, code)
    published = _published_for(request.user, jurisdiction)
    try:
        wanted = read_request(request.GET, published=published, today=_today())
    except DashboardQueryError as error:
        return _bad_request(request, error, area=area)
    except NothingToShow:
        return _csv_response("", "cairn-nothing-to-show.csv")
    selection = wanted.selection
    text = cached(
        ("table.csv", area.code, selection),
        lambda: exports.table_csv(
            selection, area_rows(selection, exports.table_areas(area, jurisdiction_tree()))
        ),
    )
    return _csv_response(text, exports.filename(selection, area, "table"))


@require_safe
@require_permission(Permission.VIEW_AGGREGATES)
def series_csv(request, code):
    area, jurisdiction = _open_area(request.user, code)
    published = _published_for(request.user, jurisdiction)
    try:
        wanted = read_request(request.GET, published=published, today=_today())
    except DashboardQueryError as error:
        return _bad_request(request, error, area=area)
    except NothingToShow:
        return _csv_response("", "cairn-nothing-to-show.csv")
    selection = wanted.selection
    series = area_series(selection, area)
    return _csv_response(
        exports.series_csv(selection, area, series), exports.filename(selection, area, "series")
    )
