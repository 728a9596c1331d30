"""The public directory: search and a listing's page. No sign-in needed; nothing
about any person is read or written here, so nothing is audited."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cairn.directory import queries
from cairn.directory.access import may_manage_listing
from cairn.directory.forms import SearchForm, new_idempotency_key
from cairn.directory.presentation import stale_rule_in_words
from cairn.directory.search import SearchError, search_services

PAGE_SIZE = 20
DEFAULT_KM_WITH_POINT = None  # nearest first, no radius, unless one is chosen


def _search_context(request) -> tuple[dict, int]:
    form = SearchForm(
        request.GET or None,
        communities=queries.community_choices(),
        languages=queries.language_choices(),
    )
    context = {"form": form, "result": None, "error": "", "stale_rule": stale_rule_in_words()}
    if not form.is_bound:
        form = SearchForm(
            {}, communities=queries.community_choices(), languages=queries.language_choices()
        )
        form.is_valid()
        context["form"] = form
    if not form.is_valid():
        context["error"] = "; ".join(
            f"{form.fields[name].label or name}: {' '.join(errors)}"
            if name in form.fields
            else " ".join(errors)
            for name, errors in form.errors.items()
        )
        return context, 400
    data = form.cleaned_data
    near = (data["lat"], data["lon"]) if data.get("lat") is not None else None
    community = data["community"] or None
    if near is None and community and data.get("km"):
        # "Within 25 km of Quesnel": the radius is measured from the community's middle
        # and replaces the community condition (services just across its edge count).
        near, community = queries.community_centre(community), None
        if near is None:
            context["error"] = "Distance: this community has no mapped area; use your location."
            return context, 400
    page = data.get("page") or 1
    now = timezone.now()
    try:
        result = search_services(
            text=data["q"],
            types=data["type"],
            community=community,
            near=near,
            within_km=float(data["km"]) if data.get("km") else None,
            open_at=now if data["open"] else None,
            language=data["lang"] or None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
            now=now,
        )
    except SearchError as error:
        context["error"] = f"{error.field}: {error}"
        return context, 400
    query = request.GET.copy()
    query.pop("page", None)
    context.update(result=result, query=query.urlencode(), near=near)
    return context, 200


@require_GET
def search(request):
    context, status = _search_context(request)
    if request.htmx:
        return render(request, "directory/_results.htmx.html", context)
    return render(request, "directory/search.html", context, status=status)


@require_GET
def service_detail(request, service_id: int):
    near = None
    try:
        lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            near = (lat, lon)
    except (KeyError, ValueError):
        pass
    page = queries.service_page(service_id, near=near)
    context = {
        "page": page,
        "service": page.service,
        "may_keep": may_manage_listing(request.user, page.service),
        "confirm_key": new_idempotency_key(),
        "stale_rule": stale_rule_in_words(),
    }
    return render(request, "directory/service_detail.html", context)
