"""The public dashboard: no sign-in, published figures only, for anyone on the internet.

Only the province and its health authorities have pages; local health areas appear on
their maps and tables with published (suppressed) figures. Nothing here reads events or
shows anything about a person: every number comes from `published_counts`, protected so
that no count from 1 to 4 shows and none can be worked out from the totals. The
"place not known" bucket appears only as one more published count.
"""

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from cairn.geography.models import Level
from cairn.surveillance.dashboards import exports
from cairn.surveillance.dashboards.geography import UNKNOWN_NAME, Area, jurisdiction_tree
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

PUBLIC_LEVELS = (Level.PROVINCE, Level.HEALTH_AUTHORITY)
PAGE = "surveillance/public/area.html"


def _public_area(code: str | None) -> Area:
    tree = jurisdiction_tree()
    if code is None:
        return tree.province
    area = tree.by_code.get(code)
    if area is None or area.level not in PUBLIC_LEVELS:
        raise Http404("The public dashboard has pages for the province and health authorities.")
    return area


def _today() -> dt.date:
    return timezone.localdate()


def _link_for(area: Area) -> str | None:
    if area.level == Level.HEALTH_AUTHORITY:
        return reverse("public:area", kwargs={"code": area.code})
    if area.level == Level.PROVINCE:
        return reverse("public:index")
    return None


def _nothing_to_show(request, error: NothingToShow, *, area: Area):
    return render(
        request,
        "surveillance/dashboards/nothing_to_show.html",
        {"message": str(error), "area": area, "public": True},
    )


def _bad_request(request, error: DashboardQueryError):
    return render(
        request,
        "surveillance/dashboards/bad_request.html",
        {"error": str(error), "home_url": reverse("public:index"), "public": True},
        status=400,
    )


def _page(request, area: Area):
    try:
        wanted = read_request(request.GET, published=True, today=_today())
    except DashboardQueryError as error:
        return _bad_request(request, error)
    except NothingToShow as error:
        return _nothing_to_show(request, error, area=area)
    base_url = _link_for(area)
    table_only = bool(request.htmx)

    def build() -> dict:
        page = build_area_page(
            selection=wanted.selection,
            area=area,
            tree=jurisdiction_tree(),
            link_for=_link_for,
            base_url=base_url,
            sort=wanted.sort,
            descending=wanted.descending,
        )
        return {
            "page": page,
            "table_csv_url": reverse("public:table_csv", kwargs={"code": area.code}),
            "series_csv_url": reverse("public:series_csv", kwargs={"code": area.code}),
            "suppression_note": suppression_note(),
            "unknown_name": UNKNOWN_NAME,
            "public": True,
        }

    key = ("public", area.code, wanted.selection, wanted.sort, wanted.descending)
    body = render_fragment(key, table_only=table_only, build=build)
    if table_only:
        response = HttpResponse(body)
    else:
        response = render(
            request,
            PAGE,
            {
                "area": area,
                "selection": wanted.selection,
                "request_values": wanted,
                "breadcrumbs": [(a, _link_for(a)) for a in area.ancestors()],
                "base_url": base_url,
                "body": body,
                "sources": Source.choices,
                "unknown_name": UNKNOWN_NAME,
                "allow_daily": False,
            },
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
def index(request):
    return _page(request, _public_area(None))


@require_safe
def area(request, code):
    found = _public_area(code)
    if found.level == Level.PROVINCE:
        query = request.GET.urlencode()
        url = reverse("public:index")
        return redirect(f"{url}?{query}" if query else url)
    return _page(request, found)


def _csv_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    patch_cache_control(response, public=True, max_age=300)
    return response


@require_safe
def table_csv(request, code):
    found = _public_area(code)
    try:
        wanted = read_request(request.GET, published=True, today=_today())
    except DashboardQueryError as error:
        return _bad_request(request, error)
    except NothingToShow:
        return _csv_response("", "cairn-nothing-to-show.csv")
    selection = wanted.selection
    text = cached(
        ("table.csv", found.code, selection),
        lambda: exports.table_csv(
            selection, area_rows(selection, exports.table_areas(found, jurisdiction_tree()))
        ),
    )
    return _csv_response(text, exports.filename(selection, found, "table"))


@require_safe
def series_csv(request, code):
    found = _public_area(code)
    try:
        wanted = read_request(request.GET, published=True, today=_today())
    except DashboardQueryError as error:
        return _bad_request(request, error)
    except NothingToShow:
        return _csv_response("", "cairn-nothing-to-show.csv")
    selection = wanted.selection
    series = area_series(selection, found)
    return _csv_response(
        exports.series_csv(selection, found, series), exports.filename(selection, found, "series")
    )
