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

from django.db.models import Count, FloatField, Min, Prefetch, Q, QuerySet, Window
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
    TaxonomyTerm,
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
    """A location in the place (or inside it), or a service area that covers it.

    Each condition is an uncorrelated IN (subquery), which PostgreSQL runs once and
    hashes, rather than once per service."""
    inside = list(
        Jurisdiction.objects.filter(
            Q(path=place.path) | Q(path__startswith=place.path + "/")
        ).values_list("pk", flat=True)
    )
    parts = place.path.split("/")
    covering = list(
        Jurisdiction.objects.filter(
            path__in=["/".join(parts[: i + 1]) for i in range(len(parts))]
        ).values_list("pk", flat=True)
    )
    located = ServiceAtLocation.objects.filter(location__community_id__in=inside)
    areas = ServiceArea.objects.filter(jurisdiction_id__in=sorted(set(inside) | set(covering)))
    return Q(pk__in=located.values("service_id")) | Q(pk__in=areas.values("service_id"))


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


def _own_or_located(rows: QuerySet) -> Q:
    """Services named by `rows` (which have `service` and `location`), or at a location
    named by rows that name no service."""
    own = rows.filter(service__isnull=False).values("service_id")
    places = rows.filter(service__isnull=True, location__isnull=False).values("location_id")
    at_place = ServiceAtLocation.objects.filter(location_id__in=places).values("service_id")
    return Q(pk__in=own) | Q(pk__in=at_place)


def open_condition(at: dt.datetime) -> Q:
    return _own_or_located(open_hours_at(at))


def language_condition(code: str) -> Q:
    # Codes are written lower-case ("pa", "zh-Hant"); exact and prefix matches (rather
    # than case-blind ones) let PostgreSQL use the index on the code.
    code = code.strip().lower()
    matches = Q(code__in=[code, code.upper()]) | Q(code__startswith=code + "-")
    return _own_or_located(Language.objects.filter(matches))


def type_condition(types) -> Q:
    terms = list(TaxonomyTerm.objects.filter(code__in=list(types)).values_list("pk", flat=True))
    return Q(pk__in=Attribute.objects.filter(taxonomy_term_id__in=terms).values("service_id"))


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

    # Every condition is an uncorrelated IN (subquery) that PostgreSQL runs once and
    # hashes; correlated EXISTS ran once per service and made plans costly enough for
    # the JIT compiler to spend a second on each (cost estimates are now under 15,000,
    # far below jit_above_cost, at 50,000 services).
    if point is None:
        page_rows, total = _page(services.order_by("name", "pk"), offset, limit)
        if total is None:
            total = services.count()
    elif within_km is not None:
        page_rows, total = _page(_within(services, point, within_km), offset, limit)
        if total is None:
            total = _within(services, point, within_km).values("pk").count()
    else:
        page_rows, total = _nearest_first(services, point, offset, limit)
    moment = local_moment(now)
    hits = _hits([pk for pk, _ in page_rows], dict(page_rows), point=point, now=moment)
    return SearchResult(hits=hits, total=total, limit=limit, offset=offset, at=moment, near=point)


# Radii tried in turn for "nearest first" without a distance: the first that holds the
# page decides it, since every service outside a radius is farther than all inside it.
NEAREST_RADII_KM = (5.0, 25.0, 100.0, 400.0)


def _within(services: QuerySet, point, km: float | None) -> QuerySet:
    """Services with a location within `km` of the point (any distance for None), each
    annotated with the distance to its nearest such location, nearest first."""
    lat, lon = point
    if km is not None:
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(lat, lon, km)
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
    distance = geo.haversine_expression(lat, lon, lat_field=LOCATION_LAT, lon_field=LOCATION_LON)
    services = services.annotate(distance_km=Min(distance, output_field=FloatField()))
    if km is not None:
        services = services.filter(distance_km__lte=km)
    return services.order_by("distance_km", "name", "pk")


def _page(ordered: QuerySet, offset: int, limit: int) -> tuple[list[tuple], int | None]:
    """The page's (pk, distance) rows and the total, counted by a window over the same
    query; None for the total when the page is empty past the first one."""
    with_distance = "distance_km" in ordered.query.annotations
    fields = ["pk", "distance_km"] if with_distance else ["pk"]
    rows = list(
        ordered.annotate(total_count=Window(Count("*"))).values_list(*fields, "total_count")[
            offset : offset + limit
        ]
    )
    if not rows:
        return [], (0 if offset == 0 else None)
    return [(row[0], row[1] if with_distance else None) for row in rows], rows[0][-1]


def _nearest_first(services: QuerySet, point, offset: int, limit: int):
    """Every mapped service nearest first, without computing every distance: the
    smallest radius holding the whole page decides it."""
    for km in NEAREST_RADII_KM:
        rows, within = _page(_within(services, point, km), offset, limit)
        if within is not None and within >= offset + limit:
            return rows, _within(services, point, None).values("pk").count()
    rows, total = _page(_within(services, point, None), offset, limit)
    if total is None:
        total = _within(services, point, None).values("pk").count()
    return rows, total


def _known_type_codes() -> list[str]:
    from cairn.directory.taxonomy import SERVICE_TYPE_CODES

    return SERVICE_TYPE_CODES


# What each result shows ---------------------------------------------------------------


def hours_of(service_ids, location_ids_by_service: dict[int, list[int]], at: dt.datetime):
    """(services with any opening hours, services open at `at`), in one query: each
    service's own hours and the hours given for its locations only."""
    by_location: dict[int, set[int]] = {}
    for service_id, location_ids in location_ids_by_service.items():
        for location_id in location_ids:
            by_location.setdefault(location_id, set()).add(service_id)
    rows = OpeningHours.objects.filter(
        Q(service_id__in=list(service_ids))
        | Q(service__isnull=True, location_id__in=list(by_location))
    ).values_list("service_id", "location_id", "weekday", "opens_at", "closes_at")
    local = local_moment(at)
    weekday, moment = local.isoweekday(), local.time().replace(tzinfo=None)
    known: set[int] = set()
    open_now: set[int] = set()
    for service_id, location_id, day, opens_at, closes_at in rows:
        services = {service_id} if service_id else by_location.get(location_id, set())
        known |= services
        if day == weekday and opens_at <= moment < closes_at:
            open_now |= services
    return known, open_now


def _location_ids(service_ids) -> dict[int, list[int]]:
    by_service: dict[int, list[int]] = {}
    for service_id, location_id in ServiceAtLocation.objects.filter(
        service_id__in=list(service_ids), location_id__isnull=False
    ).values_list("service_id", "location_id"):
        by_service.setdefault(service_id, []).append(location_id)
    return by_service


def open_service_ids(service_ids, at: dt.datetime) -> set[int]:
    """Which of these services are open at `at` (by their own or their locations' hours)."""
    return hours_of(service_ids, _location_ids(service_ids), at)[1]


def services_with_hours(service_ids) -> set[int]:
    """Which of these services list any opening hours (their own or their locations')."""
    return hours_of(service_ids, _location_ids(service_ids), timezone.now())[0]


def services_with_details(service_ids) -> dict[int, Service]:
    services = (
        Service.objects.filter(pk__in=service_ids)
        .select_related("provider")
        .prefetch_related(
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location__community")
                .defer("location__community__boundary")
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
    locations = {
        pk: [sal.location_id for sal in service.service_at_locations.all() if sal.location_id]
        for pk, service in services.items()
    }
    with_hours, open_ids = hours_of(ids, locations, now)
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
