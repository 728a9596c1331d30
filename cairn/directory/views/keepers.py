"""Keeping listings current: "Your listings" (stale first, one-click confirmation),
the edit page and capacity updates. For the owning organization's listing keepers
(MANAGE_LISTINGS) and curators (MANAGE_DIRECTORY); every change is audited by the
actions in cairn.directory.listings."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cairn.directory import listings, queries
from cairn.directory.access import (
    acting_organization_id,
    get_service_for_keeper,
    is_curator,
    require_listing_keeper,
    services_kept_by,
)
from cairn.directory.forms import CapacityForm, ListingForm, new_idempotency_key
from cairn.directory.models.capacity import YES_NO_KINDS, CapacityKind
from cairn.directory.presentation import stale_rule_in_words

LISTINGS_PER_PAGE = 50


def keeper_view(view: Callable) -> Callable:
    """Anonymous visitors sign in; members who keep no listings are refused (403)."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        require_listing_keeper(request.user)
        return view(request, *args, **kwargs)

    return login_required(never_cache(guarded))


@keeper_view
def my_listings(request):
    services = services_kept_by(request.user)
    ordered = queries.kept_listings(services)
    paginator = Paginator(ordered, LISTINGS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {"service": s, "stale": listings.is_stale(s, today), "key": new_idempotency_key()}
        for s in page.object_list
    ]
    context = {
        "rows": rows,
        "page_obj": page,
        "stale_total": queries.stale_count(services, today),
        "total": paginator.count,
        "curator": is_curator(request.user),
        "stale_rule": stale_rule_in_words(),
        "stale_days": listings.stale_days(),
    }
    return render(request, "directory/my_listings.html", context)


@keeper_view
@require_POST
def listing_confirm(request, service_id: int):
    service = get_service_for_keeper(request.user, service_id)
    try:
        listings.confirm_listing(
            actor=request.user,
            service=service,
            organization_id=acting_organization_id(request.user, service),
            note=request.POST.get("note", ""),
            creation_key=request.POST.get("idempotency_key", ""),
        )
    except listings.ListingError as error:
        if request.htmx:
            return render(
                request,
                "directory/_listing_row.htmx.html",
                {
                    "row": {"service": service, "stale": True, "key": new_idempotency_key()},
                    "error": error,
                },
                status=422,
            )
        messages.error(request, f"{error.field}: {error}")
        return redirect("directory:my_listings")
    service.refresh_from_db()
    if request.htmx:
        row = {
            "service": service,
            "stale": False,
            "key": new_idempotency_key(),
            "just_confirmed": True,
        }
        service.open_notices = []
        return render(request, "directory/_listing_row.htmx.html", {"row": row})
    messages.success(request, f"Confirmed “{service.name}” as correct today.")
    return redirect(request.POST.get("next") or "directory:my_listings")


@keeper_view
@require_http_methods(["GET", "POST"])
def listing_edit(request, service_id: int):
    service = get_service_for_keeper(request.user, service_id)
    if request.method == "GET":
        initial = {field: getattr(service, field) for field in ListingForm.EDITABLE}
        for field in ("minimum_age", "maximum_age"):
            if initial[field] is not None:
                initial[field] = int(initial[field])
        initial.update(confirm=True, idempotency_key=new_idempotency_key())
        form = ListingForm(initial=initial)
        return _render_edit(request, service, form)
    form = ListingForm(request.POST)
    if not form.is_valid():
        return _render_edit(request, service, form, status=400)
    try:
        update = listings.update_listing(
            actor=request.user,
            service=service,
            data=form.listing_data(),
            organization_id=acting_organization_id(request.user, service),
            confirm=form.cleaned_data["confirm"],
            note=form.cleaned_data["note"],
            creation_key=form.cleaned_data["idempotency_key"],
        )
    except listings.ListingError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return _render_edit(request, service, form, status=400)
    changed = ", ".join(sorted(update.changes)) or "nothing changed"
    confirmed = " and confirmed it as correct today" if update.confirmation else ""
    messages.success(request, f"Saved “{service.name}” ({changed}){confirmed}.")
    return redirect("directory:service_detail", service_id=service.pk)


def _render_edit(request, service, form, status=200):
    context = {
        "service": service,
        "form": form,
        "stale": listings.is_stale(service),
        "confirmations": queries.confirmation_history(service),
        "stale_rule": stale_rule_in_words(),
    }
    return render(request, "directory/listing_edit.html", context, status=status)


@keeper_view
@require_http_methods(["GET", "POST"])
def capacity_update(request, service_id: int):
    service = get_service_for_keeper(request.user, service_id)
    if request.method == "GET":
        form = CapacityForm(initial={"idempotency_key": new_idempotency_key()})
        return _render_capacity(request, service, form)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        return _render_capacity(request, service, form, status=400)
    data = form.cleaned_data
    try:
        listings.update_capacity(
            actor=request.user,
            service=service,
            kind=data["kind"],
            label=data["label"],
            available=data["available"],
            is_available=data["is_available"] or None,
            note=data["note"],
            creation_key=data["idempotency_key"],
        )
    except listings.ListingError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return _render_capacity(request, service, form, status=400)
    messages.success(request, f"Capacity of “{service.name}” updated.")
    return redirect("directory:capacity_update", service_id=service.pk)


def _render_capacity(request, service, form, status=200):
    context = {
        "service": service,
        "form": form,
        "capacities": list(service.capacities.order_by("kind", "label")),
        "history": queries.capacity_history(service),
        "kinds": CapacityKind.choices,
        "yes_no_kinds": sorted(YES_NO_KINDS),
    }
    return render(request, "directory/capacity.html", context, status=status)
