"""Reads for the directory pages: one listing with everything a person needs, the
community and language pickers, and a keeper's listings (stale first)."""

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.core.cache import cache
from django.db.models import Avg, F, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from cairn.directory import geo
from cairn.directory.listings import is_stale, stale_condition
from cairn.directory.models import (
    Capacity,
    Language,
    Location,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from cairn.directory.models.capacity import CapacityChange
from cairn.directory.models.verification import ListingConfirmation, StaleListingNotice
from cairn.directory.presentation import (
    age_range,
    language_name,
    schedule_in_words,
    verified_in_words,
)
from cairn.directory.search import local_moment, open_service_ids, services_with_hours
from cairn.geography.models import Jurisdiction, Level


def community_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Communities grouped by health authority, for a <select> with <optgroup>s (kept
    five minutes, like the languages)."""
    cached = cache.get("directory:community_choices")
    if cached is not None:
        return cached
    communities = (
        Jurisdiction.objects.filter(level=Level.COMMUNITY)
        .select_related("parent__parent")
        .only("code", "name", "parent__parent__name")
        .order_by("parent__parent__name", "name")
    )
    choices = [
        (authority, [(c.code, c.name) for c in members])
        for authority, members in groupby(communities, key=lambda c: c.parent.parent.name)
    ]
    cache.set("directory:community_choices", choices, CHOICES_SECONDS)
    return choices


CHOICES_SECONDS = 300


def language_choices() -> list[tuple[str, str]]:
    """The languages listings are offered in (kept five minutes: a distinct over every
    language row on each search would cost more than the search)."""
    cached = cache.get("directory:language_choices")
    if cached is not None:
        return cached
    codes = {
        code.lower()
        for code in Language.objects.exclude(code="").values_list("code", flat=True).distinct()
    }
    choices = sorted(((code, language_name(code)) for code in codes), key=lambda c: c[1])
    cache.set("directory:language_choices", choices, CHOICES_SECONDS)
    return choices


def community_centre(code: str) -> tuple[float, float] | None:
    """Where to measure "within N km of a community" from: the middle of the community's
    mapped directory sites (in a large rural area, where the town and its services are),
    else the middle of its bounding box; None for an unknown or unmapped community."""
    sites = Location.objects.filter(
        community__code=code, latitude__isnull=False, longitude__isnull=False
    ).aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
    if sites["lat"] is not None:
        return sites["lat"], sites["lon"]
    box = (
        Jurisdiction.objects.filter(code=code)
        .values_list("min_lat", "max_lat", "min_lon", "max_lon")
        .first()
    )
    if not box or None in box:
        return None
    return (box[0] + box[1]) / 2, (box[2] + box[3]) / 2


@dataclass
class PlaceOnPage:
    location: Location
    address_lines: list[str]
    community: str
    hours: list[str]
    distance_km: float | None = None

    @property
    def map_url(self) -> str:
        if self.location.latitude is None or self.location.longitude is None:
            return ""
        lat, lon = self.location.latitude, self.location.longitude
        return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}"


@dataclass
class ServicePage:
    service: Service
    places: list[PlaceOnPage]
    hours: list[str]  # the service's own schedules
    open_now: bool
    at: dt.datetime
    type_names: list[str]
    languages: list[str]
    phones: list
    contacts: list
    costs: list
    documents: list
    areas: list[str]
    capacities: list[Capacity]
    stale: bool
    hours_known: bool = False
    age_range: str = ""
    verified_words: str = ""
    confirmations: list[ListingConfirmation] = field(default_factory=list)


def _address_lines(location: Location) -> list[str]:
    lines = []
    for address in location.addresses.all():
        first = ", ".join(p for p in (address.address_1, address.address_2) if p)
        second = " ".join(
            p for p in (address.city, address.state_province, address.postal_code) if p
        )
        lines.extend(line for line in (first, second) if line)
        break
    return lines


def service_page(service_id: int, *, now: dt.datetime | None = None, near=None) -> ServicePage:
    """Everything a person needs about one listing; Http404 for none (or a defunct one)."""
    service = (
        Service.objects.select_related("provider__partner")
        .prefetch_related(
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location__community")
                .defer("location__community__boundary")
                .prefetch_related(
                    "location__addresses",
                    Prefetch("location__schedules", queryset=Schedule.objects.order_by("pk")),
                    "location__languages",
                )
                .order_by("pk"),
            ),
            Prefetch("schedules", queryset=Schedule.objects.order_by("pk")),
            "types",
            "languages",
            "phones",
            "contacts",
            "cost_options",
            "required_documents",
            Prefetch(
                "service_areas",
                queryset=ServiceArea.objects.select_related("jurisdiction").defer(
                    "jurisdiction__boundary"
                ),
            ),
            Prefetch("capacities", queryset=Capacity.objects.order_by("kind", "label")),
        )
        .filter(pk=service_id)
        .exclude(status="defunct")
        .first()
    )
    if service is None:
        raise Http404("No such listing in the directory.")
    moment = local_moment(now)
    places = []
    languages = [language_name(lang.code, lang.name) for lang in service.languages.all()]
    for sal in service.service_at_locations.all():
        location = sal.location
        if location is None:
            continue
        distance = None
        if near and location.latitude is not None and location.longitude is not None:
            distance = geo.haversine_km(near[0], near[1], location.latitude, location.longitude)
        places.append(
            PlaceOnPage(
                location=location,
                address_lines=_address_lines(location),
                community=location.community.name if location.community else "",
                hours=[
                    schedule_in_words(s)
                    for s in location.schedules.all()
                    if s.service_id is None and s.service_at_location_id in (None, sal.pk)
                ],
                distance_km=distance,
            )
        )
        for lang in location.languages.all():
            name = language_name(lang.code, lang.name)
            if name not in languages:
                languages.append(name)
    return ServicePage(
        service=service,
        places=places,
        hours=[schedule_in_words(s) for s in service.schedules.all()],
        open_now=service.pk in open_service_ids([service.pk], moment),
        at=moment,
        type_names=sorted(t.name for t in service.types.all()),
        languages=languages,
        phones=list(service.phones.all()),
        contacts=list(service.contacts.all()),
        costs=list(service.cost_options.all()),
        documents=list(service.required_documents.all()),
        areas=[
            a.jurisdiction.name if a.jurisdiction else a.name
            for a in service.service_areas.all()
            if a.jurisdiction or a.name
        ],
        capacities=list(service.capacities.all()),
        stale=is_stale(service, moment.date()),
        hours_known=service.pk in services_with_hours([service.pk]),
        age_range=age_range(service.minimum_age, service.maximum_age),
        verified_words=verified_in_words(service.assured_date, moment.date()),
        confirmations=list(
            ListingConfirmation.objects.filter(service=service).order_by("-confirmed_at")[:5]
        ),
    )


# A keeper's listings -----------------------------------------------------------------


def kept_listings(
    services: QuerySet[Service], *, today: dt.date | None = None
) -> QuerySet[Service]:
    """Stale listings first (never verified, then the oldest), then the rest by name."""
    today = today or timezone.localdate()
    return (
        services.exclude(status="defunct")
        .prefetch_related(
            Prefetch("capacities", queryset=Capacity.objects.order_by("kind", "label")),
            Prefetch(
                "stale_notices",
                queryset=StaleListingNotice.objects.filter(resolved_at__isnull=True),
                to_attr="open_notices",
            ),
        )
        .order_by(F("assured_date").asc(nulls_first=True), "name", "pk")
    )


def stale_count(services: QuerySet[Service], today: dt.date | None = None) -> int:
    return services.exclude(status="defunct").filter(stale_condition(today)).count()


def capacity_history(service: Service, limit: int = 20) -> list[CapacityChange]:
    return list(
        CapacityChange.objects.filter(service=service).order_by("-changed_at", "-pk")[:limit]
    )


def confirmation_history(service: Service, limit: int = 20) -> list[ListingConfirmation]:
    return list(
        ListingConfirmation.objects.filter(service=service).order_by("-confirmed_at", "-pk")[:limit]
    )
