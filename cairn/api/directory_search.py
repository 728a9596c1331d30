"""API: the resource directory for people (search, a listing) and for its keepers
(their listings, capacity, confirmation). Search and listings are public (no sign-in);
the keepers' operations follow cairn.directory.access and write through
cairn.directory.listings (audited). Bad input answers 422 naming the field."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.security import SessionAuth as NinjaSessionAuth

from cairn.api import auth as api_auth
from cairn.api.errors import ErrorOut
from cairn.directory import listings, queries
from cairn.directory.access import (
    acting_organization_id,
    get_service_for_keeper,
    require_listing_keeper,
    services_kept_by,
)
from cairn.directory.search import MAX_LIMIT, SearchError, search_services


def _keepers_only() -> list:
    """Session or bearer token, letting in only listing keepers and curators (else 403)."""

    class SessionAuth(NinjaSessionAuth):
        def authenticate(self, request, key):
            user = super().authenticate(request, key)
            if user is not None:
                require_listing_keeper(user)
            return user

    class ApiTokenAuth(api_auth.ApiTokenAuth):
        def authenticate(self, request, token):
            user = super().authenticate(request, token)
            if user is not None:
                require_listing_keeper(user)
            return user

    return [SessionAuth(), ApiTokenAuth()]


router = Router(tags=["directory"])
KEEPERS = _keepers_only()


class FieldErrorOut(ErrorOut):
    field: str = Field(description="the parameter or body field at fault")


def _refusal(error) -> Status:
    return Status(422, {"detail": f"{error.field}: {error}", "field": error.field})


class SearchIn(Schema):
    text: str = Field("", description="words that must all appear (name, description, provider)")
    type: list[str] = Field(default_factory=list, description="service type codes; any of them")
    community: str = Field("", description="community code, e.g. bc-lha-prince-george")
    lat: float | None = Field(None, description="latitude of the point to measure from")
    lon: float | None = Field(None, description="longitude of the point to measure from")
    km: float | None = Field(None, description="only services within this many km of the point")
    open_now: bool = Field(False, description="only services open now (Pacific time)")
    language: str = Field("", description="ISO 639 code, e.g. pa")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class CapacityOut(Schema):
    kind: str
    label: str
    available: int | None
    is_available: bool | None
    note: str
    updated_at: dt.datetime


class AddressOut(Schema):
    address_1: str
    city: str
    state_province: str
    postal_code: str


class PlaceOut(Schema):
    name: str
    latitude: float | None
    longitude: float | None
    community: str | None
    address: AddressOut | None
    hours: list[str]


class ResultOut(Schema):
    id: int
    hsds_id: str
    name: str
    provider: str | None
    status: str
    types: list[str]
    distance_km: float | None
    open_now: bool | None = Field(description="None when no opening hours are listed")
    place: PlaceOut | None
    phone: str
    capacity: list[CapacityOut]
    last_verified: dt.date | None
    stale: bool
    url: str


class SearchOut(Schema):
    total: int
    limit: int
    offset: int
    at: dt.datetime
    results: list[ResultOut]


def _capacities(capacities) -> list[dict]:
    return [
        {
            "kind": c.kind,
            "label": c.label,
            "available": c.available,
            "is_available": c.is_available,
            "note": c.note,
            "updated_at": c.updated_at,
        }
        for c in capacities
    ]


def _place(location, hours=()) -> dict | None:
    if location is None:
        return None
    addresses = list(location.addresses.all())
    first = addresses[0] if addresses else None
    return {
        "name": location.name,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "community": location.community.code if location.community_id else None,
        "address": (
            {
                "address_1": first.address_1,
                "city": first.city,
                "state_province": first.state_province,
                "postal_code": first.postal_code,
            }
            if first
            else None
        ),
        "hours": list(hours),
    }


@router.get(
    "/directory/search",
    response={200: SearchOut, 422: FieldErrorOut},
    auth=None,
    url_name="directory_search",
    summary="Search the directory (public)",
)
def directory_search(request, filters: Query[SearchIn]):
    near = None
    if filters.lat is not None or filters.lon is not None:
        near = (filters.lat, filters.lon)
    try:
        result = search_services(
            text=filters.text,
            types=filters.type,
            community=filters.community or None,
            near=near,
            within_km=filters.km,
            open_at=timezone.now() if filters.open_now else None,
            language=filters.language or None,
            limit=filters.limit,
            offset=filters.offset,
        )
    except SearchError as error:
        return _refusal(error)
    return {
        "total": result.total,
        "limit": result.limit,
        "offset": result.offset,
        "at": result.at,
        "results": [
            {
                "id": hit.service.pk,
                "hsds_id": hit.service.hsds_id,
                "name": hit.service.name,
                "provider": hit.service.provider.name if hit.service.provider_id else None,
                "status": hit.service.status,
                "types": hit.type_codes,
                "distance_km": round(hit.distance_km, 3) if hit.distance_km is not None else None,
                "open_now": hit.open_now if hit.hours_known else None,
                "place": _place(hit.location),
                "phone": hit.phone,
                "capacity": _capacities(hit.capacities),
                "last_verified": hit.service.assured_date,
                "stale": hit.stale,
                "url": f"/directory/services/{hit.service.pk}/",
            }
            for hit in result.hits
        ],
    }


class ServiceOut(Schema):
    id: int
    hsds_id: str
    name: str
    provider: str | None
    description: str
    status: str
    types: list[str]
    open_now: bool | None
    hours: list[str]
    places: list[PlaceOut]
    eligibility: str
    ages: str
    cost: str
    languages: list[str]
    how_to_get_in: str
    phones: list[str]
    email: str
    website: str
    serves: list[str]
    capacity: list[CapacityOut]
    last_verified: dt.date | None
    stale: bool


@router.get(
    "/directory/services/{service_id}",
    response={200: ServiceOut, 404: ErrorOut},
    auth=None,
    url_name="directory_service",
    summary="One listing, with everything a person needs (public)",
)
def directory_service(request, service_id: int):
    page = queries.service_page(service_id)
    service = page.service
    return {
        "id": service.pk,
        "hsds_id": service.hsds_id,
        "name": service.name,
        "provider": service.provider.name if service.provider_id else None,
        "description": service.description,
        "status": service.status,
        "types": page.type_names,
        "open_now": page.open_now if page.hours_known else None,
        "hours": page.hours,
        "places": [_place(p.location, p.hours) for p in page.places],
        "eligibility": service.eligibility_description,
        "ages": page.age_range,
        "cost": service.fees_description,
        "languages": page.languages,
        "how_to_get_in": service.application_process,
        "phones": [p.number for p in page.phones],
        "email": service.email,
        "website": service.url,
        "serves": page.areas,
        "capacity": _capacities(page.capacities),
        "last_verified": service.assured_date,
        "stale": page.stale,
    }


class ListingOut(Schema):
    id: int
    name: str
    status: str
    last_verified: dt.date | None
    stale: bool
    capacity: list[CapacityOut]


@router.get(
    "/directory/listings",
    response={200: list[ListingOut], 401: ErrorOut, 403: ErrorOut},
    auth=KEEPERS,
    url_name="directory_listings",
    summary="The listings you keep, stale ones first",
)
def directory_listings(
    request, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)
):
    today = timezone.localdate()
    services = queries.kept_listings(services_kept_by(request.auth), today=today)
    return [
        {
            "id": s.pk,
            "name": s.name,
            "status": s.status,
            "last_verified": s.assured_date,
            "stale": listings.is_stale(s, today),
            "capacity": _capacities(s.capacities.all()),
        }
        for s in services[offset : offset + limit]
    ]


class CapacityIn(Schema):
    kind: str = Field(description="same_day_oat, beds, naloxone_kits or other")
    label: str = Field("", description="what is counted, for kind 'other'")
    available: int | None = Field(None, description="how many are free (beds, kits)")
    is_available: bool | None = Field(None, description="yes/no (same-day OAT)")
    note: str = ""
    idempotency_key: str = ""


def _key(request, body_key: str) -> str:
    return (request.headers.get("Idempotency-Key") or body_key or "").strip()[:80]


@router.post(
    "/directory/services/{service_id}/capacity",
    response={200: CapacityOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorOut},
    auth=KEEPERS,
    url_name="directory_capacity_update",
    summary="Update one capacity of a listing you keep (history kept, audited)",
)
def directory_capacity_update(request, service_id: int, body: CapacityIn):
    service = get_service_for_keeper(request.auth, service_id)
    try:
        change = listings.update_capacity(
            actor=request.auth,
            service=service,
            kind=body.kind,
            label=body.label,
            available=body.available,
            is_available=body.is_available,
            note=body.note,
            creation_key=_key(request, body.idempotency_key),
        )
    except listings.ListingError as error:
        return _refusal(error)
    return _capacities([change.capacity])[0]


class ConfirmIn(Schema):
    note: str = ""
    idempotency_key: str = ""


class ConfirmOut(Schema):
    id: int
    service_id: int
    kind: str
    confirmed_at: dt.datetime
    confirmed_by: str
    last_verified: dt.date | None


@router.post(
    "/directory/services/{service_id}/confirm",
    response={200: ConfirmOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorOut},
    auth=KEEPERS,
    url_name="directory_confirm",
    summary="Confirm a listing you keep is still correct (audited)",
)
def directory_confirm(request, service_id: int, body: ConfirmIn):
    service = get_service_for_keeper(request.auth, service_id)
    try:
        confirmation = listings.confirm_listing(
            actor=request.auth,
            service=service,
            organization_id=acting_organization_id(request.auth, service),
            note=body.note,
            creation_key=_key(request, body.idempotency_key),
        )
    except listings.ListingError as error:
        return _refusal(error)
    service.refresh_from_db(fields=["assured_date"])
    return {
        "id": confirmation.pk,
        "service_id": service.pk,
        "kind": confirmation.kind,
        "confirmed_at": confirmation.confirmed_at,
        "confirmed_by": confirmation.confirmed_by_name,
        "last_verified": service.assured_date,
    }
