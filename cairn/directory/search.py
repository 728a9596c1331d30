"""Search the directory: by type, community, distance from a point, open now, language
and words; one page of results at a time.

One SQL statement finds and orders the page (plus one to count), on PostgreSQL and on
SQLite alike; a few more fetch what each result on the page shows. The rules:
- **type**: the service has any of the given Cairn service types.
- **community**: the service has a location in the community, or a service area that
  is the community or contains it (a health authority, the province), or lies in it.
- **distance**: a bounding box around the point narrows the locations (an index on
  latitude and longitude), then the exact haversine distance to the service's nearest
  location keeps those within `within_km` and orders the results, nearest first.
  Services without a mapped location are left out of a distance search.
- **open now**: at `open_at`, read in the province's time zone (settings.TIME_ZONE),
  the service (or, for hours given for a location, one of its locations) has opening
  hours on that weekday that have begun and not yet ended (cairn.directory.models.OpeningHours;
  hours past midnight are stored as two rows).
- **language**: the service, or one of its locations, works in the language (ISO 639
  code; "zh" also finds "zh-Hant").
- **words**: every word appears in the service's name, alternate name, description or
  provider name (`Service.search_text`).
- Only active and temporarily closed services are listed, unless `statuses` says otherwise.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, FloatField, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cairn.directory import geo
from cairn.directory.listings import is_stale
from cairn.directory.models import (
    Attribute,
    Capacity,
    Language,
    Location,
    OpeningHours,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
)
from cairn.geography.models import Jurisdiction

LISTED_STATUSES = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)
MAX_LIMIT = 100
MAX_WORDS = 8
LOCATION_LAT = "service_at_locations__location__latitude"
LOCATION_LON = "service_at_locations__location__longitude"


class SearchError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass
class ServiceHit:
    service: Service
    distance_km: float | None
    location: Location | None  # the nearest location (or the first one, without a point)
    open_now: bool
    hours_known: bool  # False when no opening hours are listed (then "open now" is unknown)
    capacities: list[Capacity]
    type_codes: list[str]
    type_names: list[str]
    phone: str
    stale: bool

    @property
    def last_verified(self) -> dt.date | None:
        return self.service.assured_date


@dataclass
class SearchResult:
    hits: list[ServiceHit]
    total: int
    limit: int
    offset: int
    at: dt.datetime  # the moment "open now" was judged for
    near: tuple[float, float] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def page_number(self) -> int:
        return self.offset // self.limit + 1 if self.limit else 1

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1


# Conditions --------------------------------------------------------------------------


def words_of(text: str | None) -> list[str]:
    words = [w for w in (text or "").lower().split() if w]
    return words[:MAX_WORDS]


def _resolve_community(community) -> Jurisdiction | None:
    if community is None or community == "":
        return None
    if isinstance(community, Jurisdiction):
        return community
    found = Jurisdiction.objects.filter(code=str(community)).only("id", "path", "name").first()
    if found is None:
        raise SearchError("community", f"No community has the code {community!r}.")
    return found


def community_condition(place: Jurisdiction) -> Q:
    """A location in the place (or inside it), or a service area that covers it."""
    inside = Q(location__community__path=place.path) | Q(
        location__community__path__startswith=place.path + "/"
    )
    parts = place.path.split("/")
    covering = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    located = ServiceAtLocation.objects.filter(inside, service=OuterRef("pk"))
    areas = ServiceArea.objects.filter(
        Q(jurisdiction__path__in=covering) | Q(jurisdiction__path__startswith=place.path + "/"),
        service=OuterRef("pk"),
    )
    return Q(Exists(located)) | Q(Exists(areas))


def local_moment(at: dt.datetime | None) -> dt.datetime:
    """`at` (default now) in the province's time zone."""
    at = at or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return timezone.localtime(at)


def open_hours_at(at: dt.datetime) -> QuerySet[OpeningHours]:
    local = local_moment(at)
    moment = local.time().replace(tzinfo=None)
    return OpeningHours.objects.filter(
        weekday=local.isoweekday(), opens_at__lte=moment, closes_at__gt=moment
    )


def open_condition(at: dt.datetime) -> Q:
    hours = open_hours_at(at)
    own = hours.filter(service=OuterRef("pk"))
    at_location = hours.filter(
        service__isnull=True, location__service_at_locations__service=OuterRef("pk")
    )
    return Q(Exists(own)) | Q(Exists(at_location))


def language_condition(code: str) -> Q:
    code = code.strip().lower()
    matches = Q(code__iexact=code) | Q(code__istartswith=code + "-")
    own = Language.objects.filter(matches, service=OuterRef("pk"))
    at_location = Language.objects.filter(
        matches, location__service_at_locations__service=OuterRef("pk")
    )
    return Q(Exists(own)) | Q(Exists(at_location))


def type_condition(types) -> Q:
    return Q(
        Exists(
            Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term__code__in=list(types))
        )
    )


def _check_point(near) -> tuple[float, float] | None:
    if near is None:
        return None
    try:
        lat, lon = float(near[0]), float(near[1])
    except (TypeError, ValueError, IndexError):
        raise SearchError("near", "Give a point as latitude and longitude.") from None
    if not geo.valid_point(lat, lon):
        raise SearchError("near", "Latitude is -90 to 90 and longitude -180 to 180.")
    return lat, lon


# The search --------------------------------------------------------------------------


def search_services(
    *,
    text: str | None = None,
    types=(),
    community=None,
    near: tuple[float, float] | None = None,
    within_km: float | None = None,
    open_at: dt.datetime | None = None,
    language: str | None = None,
    limit: int = 50,
    offset: int = 0,
    statuses=LISTED_STATUSES,
    now: dt.datetime | None = None,
) -> SearchResult:
    """One page of services matching every condition given (see the module docstring).

    `open_at` keeps only services open at that moment; `now` (default: the current time)
    is when each result's "open now" is shown for.
    """
    point = _check_point(near)
    if within_km is not None:
        try:
            within_km = float(within_km)
        except (TypeError, ValueError):
            raise SearchError("within_km", "Give a distance in kilometres.") from None
        if not 0 < within_km <= 1000:
            raise SearchError("within_km", "Give a distance between 0 and 1,000 km.")
        if point is None:
            raise SearchError("within_km", "A distance needs a point (latitude and longitude).")
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise SearchError("limit", f"Ask for 1 to {MAX_LIMIT} results at a time.")
    if int(offset) < 0:
        raise SearchError("offset", "The offset is 0 or more.")
    limit, offset = int(limit), int(offset)
    unknown = sorted(set(types) - set(_known_type_codes()))
    if unknown:
        raise SearchError("types", f"Unknown service type(s): {', '.join(unknown)}.")
    place = _resolve_community(community)

    services = Service.objects.filter(status__in=list(statuses))
    for word in words_of(text):
        services = services.filter(search_text__contains=word)
    if types:
        services = services.filter(type_condition(types))
    if place is not None:
        services = services.filter(community_condition(place))
    if language:
        services = services.filter(language_condition(language))
    if open_at is not None:
        services = services.filter(open_condition(open_at))

    if point is not None:
        lat, lon = point
        if within_km is not None:
            min_lat, max_lat, min_lon, max_lon = geo.bounding_box(lat, lon, within_km)
            services = services.filter(
                **{
                    f"{LOCATION_LAT}__range": (min_lat, max_lat),
                    f"{LOCATION_LON}__range": (min_lon, max_lon),
                }
            )
        else:
            services = services.filter(
                **{f"{LOCATION_LAT}__isnull": False, f"{LOCATION_LON}__isnull": False}
            )
        distance = geo.haversine_expression(
            lat, lon, lat_field=LOCATION_LAT, lon_field=LOCATION_LON
        )
        services = services.annotate(distance_km=Min(distance, output_field=FloatField()))
        if within_km is not None:
            services = services.filter(distance_km__lte=within_km)
        ordered = services.order_by("distance_km", "name", "pk")
    else:
        ordered = services.order_by("name", "pk")

    if point is not None:
        page_rows = list(ordered.values_list("pk", "distance_km")[offset : offset + limit])
    else:
        page_rows = [
            (pk, None) for pk in ordered.values_list("pk", flat=True)[offset : offset + limit]
        ]
    if len(page_rows) < limit and (offset == 0 or page_rows):
        total = offset + len(page_rows)
    else:
        total = services.count() if point is None else ordered.values("pk").count()
    moment = local_moment(now)
    hits = _hits([pk for pk, _ in page_rows], dict(page_rows), point=point, now=moment)
    return SearchResult(hits=hits, total=total, limit=limit, offset=offset, at=moment, near=point)


def _known_type_codes() -> list[str]:
    from cairn.directory.taxonomy import SERVICE_TYPE_CODES

    return SERVICE_TYPE_CODES


# What each result shows ---------------------------------------------------------------


def open_service_ids(service_ids, at: dt.datetime) -> set[int]:
    """Which of these services are open at `at` (by their own or their locations' hours)."""
    hours = open_hours_at(at)
    open_ids = set(hours.filter(service_id__in=service_ids).values_list("service_id", flat=True))
    open_locations = hours.filter(service__isnull=True).values("location_id")
    open_ids |= set(
        ServiceAtLocation.objects.filter(
            service_id__in=service_ids, location_id__in=open_locations
        ).values_list("service_id", flat=True)
    )
    return open_ids


def services_with_hours(service_ids) -> set[int]:
    known = set(
        OpeningHours.objects.filter(service_id__in=service_ids).values_list("service_id", flat=True)
    )
    located = OpeningHours.objects.filter(service__isnull=True).values("location_id")
    known |= set(
        ServiceAtLocation.objects.filter(
            service_id__in=service_ids, location_id__in=located
        ).values_list("service_id", flat=True)
    )
    return known


def services_with_details(service_ids) -> dict[int, Service]:
    services = (
        Service.objects.filter(pk__in=service_ids)
        .select_related("provider__partner")
        .prefetch_related(
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location__community")
                .prefetch_related("location__addresses")
                .order_by("pk"),
            ),
            Prefetch("capacities", queryset=Capacity.objects.order_by("kind", "label")),
            Prefetch("types"),
            Prefetch("phones", queryset=Phone.objects.order_by("pk")),
        )
    )
    return {s.pk: s for s in services}


def nearest_location(service: Service, point) -> tuple[Location | None, float | None]:
    locations = [sal.location for sal in service.service_at_locations.all() if sal.location]
    if not locations:
        return None, None
    if point is None:
        return locations[0], None
    best, best_km = None, None
    for location in locations:
        if location.latitude is None or location.longitude is None:
            continue
        km = geo.haversine_km(point[0], point[1], location.latitude, location.longitude)
        if best_km is None or km < best_km:
            best, best_km = location, km
    return (best, best_km) if best is not None else (locations[0], None)


def _hits(ids, distances, *, point, now) -> list[ServiceHit]:
    if not ids:
        return []
    services = services_with_details(ids)
    open_ids = open_service_ids(ids, now)
    with_hours = services_with_hours(ids)
    today = now.date()
    hits = []
    for pk in ids:
        service = services[pk]
        location, km = nearest_location(service, point)
        types = sorted(service.types.all(), key=lambda t: t.name)
        phones = list(service.phones.all())
        hits.append(
            ServiceHit(
                service=service,
                distance_km=distances.get(pk) if distances.get(pk) is not None else km,
                location=location,
                open_now=pk in open_ids,
                hours_known=pk in with_hours,
                capacities=list(service.capacities.all()),
                type_codes=[t.code for t in types],
                type_names=[t.name for t in types],
                phone=phones[0].number if phones else "",
                stale=is_stale(service, today),
            )
        )
    return hits
