"""Listings for the search, page and verification tests, built on the real models.

`build_service` writes a provider, a service with its types, a location with an
address, weekly opening hours (a schedule, and its OpeningHours rows derived by the
HSDS import's own `rebuild_opening_hours`), languages and service areas.
"""

import datetime as dt

from cairn.directory.hsds.hours import rebuild_opening_hours
from cairn.directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Phone,
    Provider,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from cairn.directory.taxonomy import ensure_cairn_service_types
from cairn.geography.placement import place

DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def search_text_of(service: Service) -> str:
    provider = service.provider.name if service.provider_id else ""
    parts = [service.name, service.alternate_name, service.description, provider]
    return " ".join(" ".join(parts).lower().split())


def add_hours(*, service=None, location=None, days, opens: str, closes: str) -> Schedule:
    """Weekly hours on ISO weekdays `days` (1 = Monday); closing before opening runs
    past midnight into the next day."""
    schedule = Schedule.objects.create(
        service=service,
        location=location,
        freq="WEEKLY",
        byday=",".join(DAY_CODES[d - 1] for d in days),
        opens_at=opens,
        closes_at=closes,
    )
    rebuild_opening_hours(schedule_ids=[schedule.pk])  # as the HSDS import derives them
    return schedule


def build_service(
    name: str,
    *,
    provider: Provider | None = None,
    provider_name: str = "",
    partner=None,
    types=("oat",),
    point: tuple[float, float] | None = (53.9171, -122.7497),
    address: str = "1108 3rd Ave",
    city: str = "Prince George",
    postal_code: str = "V2L 3E5",
    hours=((1, 2, 3, 4, 5), "09:00", "17:00"),
    languages=("en",),
    areas=(),
    assured: dt.date | None = None,
    status: str = "active",
    description: str = "",
    phone: str = "250-555-0100",
    **fields,
) -> Service:
    ensure_cairn_service_types()
    if provider is None:
        provider = Provider.objects.create(
            name=provider_name or f"{name} provider", description="A provider.", partner=partner
        )
    service = Service.objects.create(
        provider=provider,
        name=name,
        description=description or f"{name}: walk in or call.",
        status=status,
        assured_date=assured,
        **fields,
    )
    service.search_text = search_text_of(service)
    service.save(update_fields=["search_text"])
    for code in types:
        Attribute.objects.create(
            service=service,
            link_id=service.hsds_id,
            link_type="service",
            link_entity="service",
            taxonomy_term=TaxonomyTerm.objects.get(code=code),
        )
    location = None
    if point is not None or address:
        community = None
        if point is not None:
            placement = place(latitude=point[0], longitude=point[1])
            community = placement.community_id
        location = Location.objects.create(
            provider=provider,
            name=f"{name} site",
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            community_id=community,
        )
        Address.objects.create(
            location=location,
            address_1=address,
            city=city,
            state_province="BC",
            postal_code=postal_code,
            country="CA",
        )
        ServiceAtLocation.objects.create(service=service, location=location)
    if hours:
        days, opens, closes = hours
        add_hours(service=service, location=location, days=days, opens=opens, closes=closes)
    for code in languages:
        Language.objects.create(service=service, code=code)
    for jurisdiction in areas:
        ServiceArea.objects.create(
            service=service, name=jurisdiction.name, jurisdiction=jurisdiction
        )
    if phone:
        Phone.objects.create(service=service, number=phone)
    return service
