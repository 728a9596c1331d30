"""The demo's resource directory: about 150 invented but plausible BC services.

`load_demo_directory()` writes providers, services, locations with addresses and points,
weekly hours, languages, service areas, capacity and last-verified dates across the demo
communities: opioid agonist treatment clinics (among them the Prince George Rapid Access
Addiction Clinic, owned by the access organization of that name, which clinic.intake
keeps), take-home naloxone, overdose prevention sites, drug checking, harm reduction
supplies, housing, shelters, withdrawal management, mental health, peer support (the
Prince George Peer Support Network's own listing) and primary care. About one listing in
five is stale (last verified more than 90 days ago, or never), the clinic's OAT
listing among them, so "Your listings" has something to confirm.

Idempotent: every row has a fixed HSDS id (uuid5 of a key); a second call finds the same
rows and adds or changes nothing (a confirmation made in the demo stays). Opening hours,
communities and search words are derived by the HSDS helpers (cairn.directory.hsds), as
an import would. Works on PostgreSQL and on the SQLite demo. Every name, address and
phone number is invented.
"""

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cairn.access.models import Organization
from cairn.access.personas import PERSONAS
from cairn.directory.hsds.hours import rebuild_opening_hours
from cairn.directory.hsds.importer import place_directory_locations, refresh_search_text
from cairn.directory.models import (
    Address,
    Attribute,
    Capacity,
    CapacityChange,
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
from cairn.geography.models import Jurisdiction

SEED = 20261126
DEMO = "cairn-demo"
CLINIC = PERSONAS["service_intake"].organization
PEER_NETWORK = PERSONAS["peer_worker"].organization


def demo_id(key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{DEMO}:{key}"))


@dataclass(frozen=True)
class Town:
    key: str
    name: str
    lat: float
    lon: float
    fsa: str
    streets: tuple[str, ...]
    languages: tuple[str, ...] = ()


TOWNS = [
    Town(
        "pg",
        "Prince George",
        53.9171,
        -122.7497,
        "V2L",
        ("3rd Ave", "George St", "Victoria St", "Dominion St", "4th Ave"),
        ("crx",),
    ),
    Town(
        "van",
        "Vancouver",
        49.2810,
        -123.1000,
        "V6A",
        ("E Hastings St", "Main St", "Powell St", "Cordova St", "Alexander St"),
        ("zh", "yue", "fr", "es"),
    ),
    Town(
        "sur",
        "Surrey",
        49.1913,
        -122.8490,
        "V3T",
        ("King George Blvd", "135A St", "108 Ave", "City Pkwy"),
        ("pa", "hi", "tl"),
    ),
    Town(
        "abb",
        "Abbotsford",
        49.0504,
        -122.3045,
        "V2T",
        ("Essendene Ave", "Gladys Ave", "South Fraser Way"),
        ("pa",),
    ),
    Town(
        "vic",
        "Victoria",
        48.4284,
        -123.3656,
        "V8W",
        ("Pandora Ave", "Johnson St", "Yates St", "Cormorant St"),
        ("fr",),
    ),
    Town(
        "kam",
        "Kamloops",
        50.6745,
        -120.3273,
        "V2C",
        ("Victoria St", "Seymour St", "Lansdowne St"),
        ("shs",),
    ),
    Town(
        "kel",
        "Kelowna",
        49.8880,
        -119.4960,
        "V1Y",
        ("Leon Ave", "Bernard Ave", "Ellis St"),
        ("oka",),
    ),
    Town(
        "nan",
        "Nanaimo",
        49.1659,
        -123.9401,
        "V9R",
        ("Nicol St", "Victoria Cres", "Terminal Ave"),
        (),
    ),
    Town(
        "ter",
        "Terrace",
        54.5182,
        -128.6032,
        "V8G",
        ("Lakelse Ave", "Kalum St", "Park Ave"),
        ("git",),
    ),
    Town("pr", "Prince Rupert", 54.3150, -130.3208, "V8J", ("3rd Ave W", "2nd Ave W"), ("tsi",)),
    Town(
        "fsj", "Fort St. John", 56.2524, -120.8466, "V1J", ("100 St", "100 Ave", "96 Ave"), ("cr",)
    ),
    Town("que", "Quesnel", 52.9784, -122.4927, "V2J", ("Reid St", "Front St"), ("crx",)),
    Town("wl", "Williams Lake", 52.1417, -122.1417, "V2G", ("Oliver St", "2nd Ave N"), ("shs",)),
    Town("chw", "Chilliwack", 49.1579, -121.9515, "V2P", ("Wellington Ave", "Yale Rd"), ("pa",)),
    Town("nel", "Nelson", 49.4928, -117.2948, "V1L", ("Baker St", "Vernon St")),
    Town("cra", "Cranbrook", 49.5097, -115.7688, "V1C", ("Baker St", "10th Ave S"), ("kut",)),
    Town("pen", "Penticton", 49.4991, -119.5937, "V2A", ("Main St", "Martin St"), ("oka",)),
    Town(
        "cr", "Campbell River", 50.0163, -125.2446, "V9W", ("Shoppers Row", "Dogwood St"), ("kwk",)
    ),
    Town("dc", "Dawson Creek", 55.7596, -120.2353, "V1G", ("102 Ave", "10 St"), ("cr",)),
]

# (key, provider kind, name, types, hours (days, opens, closes), capacity kind, eligibility,
#  fees, how to get in). Provider kinds: chc (community health centre), hr (harm
#  reduction society), housing, peer, ha (the health authority's MHSU program), pharmacy.
WEEKDAYS = "MO,TU,WE,TH,FR"
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"
CATALOGUE = [
    (
        "oat",
        "chc",
        "{town} OAT clinic: same-day starts",
        ("oat",),
        (WEEKDAYS, "08:30", "16:30"),
        "same_day_oat",
        "Anyone 16 and over who wants to start or restart opioid agonist treatment.",
        "Free with a BC Services Card; no card needed for a first visit.",
        "Walk in before 2 pm, or call ahead. A prescriber sees you the same day when "
        "there is room.",
    ),
    (
        "naloxone",
        "pharmacy",
        "Take-home naloxone at {street} Pharmacy",
        ("naloxone",),
        (EVERY_DAY, "09:00", "21:00"),
        "naloxone_kits",
        "Anyone who may witness an overdose, including people who use drugs, family and friends.",
        "Free.",
        "Ask at the counter; no ID or prescription needed. Training takes ten minutes.",
    ),
    (
        "ops",
        "hr",
        "{town} overdose prevention site",
        ("overdose_prevention", "harm_reduction_supplies", "naloxone"),
        (EVERY_DAY, "10:00", "22:00"),
        None,
        "Adults who use drugs; people are welcome to use with staff present.",
        "Free.",
        "Walk in. Staff trained in overdose response are there the whole time.",
    ),
    (
        "checking",
        "hr",
        "{town} drug checking",
        ("drug_checking",),
        ("TU,TH,SA", "12:00", "18:00"),
        None,
        "Anyone who wants to know what is in their drugs.",
        "Free and anonymous.",
        "Bring a small sample (a grain is enough); results in about 20 minutes. "
        "Test strips to take away.",
    ),
    (
        "supplies",
        "hr",
        "{town} harm reduction supplies",
        ("harm_reduction_supplies", "naloxone"),
        ("MO,TU,WE,TH,FR,SA", "09:00", "17:00"),
        "naloxone_kits",
        "Anyone.",
        "Free.",
        "Walk in; supplies for safer smoking and injecting, naloxone kits, sharps disposal.",
    ),
    (
        "shelter",
        "housing",
        "{town} emergency shelter",
        ("shelter",),
        (EVERY_DAY, "19:00", "08:00"),
        "beds",
        "Adults 19 and over without a safe place to sleep; partners and pets welcome.",
        "Free.",
        "Come to the door from 7 pm; beds are first come, first served. Call for space tonight.",
    ),
    (
        "housing",
        "housing",
        "{town} supportive housing intake",
        ("housing",),
        (WEEKDAYS, "09:00", "16:00"),
        "beds",
        "Adults experiencing homelessness, including people who use drugs.",
        "Rent is 30% of income.",
        "Call or walk in to start an application; an outreach worker can help.",
    ),
    (
        "wm",
        "ha",
        "{town} withdrawal management",
        ("withdrawal_management",),
        (EVERY_DAY, "00:00", "00:00"),
        "beds",
        "Adults who want support to withdraw from substances, with or without starting OAT.",
        "Free.",
        "Call the intake line any time; self-referral is welcome.",
    ),
    (
        "mhsu",
        "ha",
        "{town} mental health and substance use services",
        ("mental_health", "oat"),
        (WEEKDAYS, "08:30", "16:30"),
        None,
        "Anyone 19 and over; youth services by referral.",
        "Free.",
        "Call or walk in for an intake appointment.",
    ),
    (
        "peer",
        "peer",
        "{town} peer support drop-in",
        ("peer_support",),
        ("MO,TU,WE,TH,FR,SA", "10:00", "16:00"),
        None,
        "People with lived and living experience of substance use, and their families.",
        "Free.",
        "Drop in for coffee and a conversation; peers can go with you to appointments.",
    ),
    (
        "primary",
        "chc",
        "{town} community health centre",
        ("primary_care",),
        (WEEKDAYS, "09:00", "17:00"),
        None,
        "Anyone, with or without a family doctor.",
        "Free with a BC Services Card.",
        "Walk in or book by phone.",
    ),
]
# Every kind of service, as a big town has them.
EVERY_SERVICE = [
    "oat",
    "naloxone",
    "ops",
    "checking",
    "supplies",
    "shelter",
    "housing",
    "wm",
    "mhsu",
    "peer",
    "primary",
]
# Which services each town has (big towns every kind).
TOWN_SERVICES = {
    "pg": EVERY_SERVICE,
    "van": EVERY_SERVICE,
    "sur": EVERY_SERVICE,
    "abb": ["oat", "naloxone", "ops", "supplies", "shelter", "housing", "mhsu", "peer", "primary"],
    "vic": EVERY_SERVICE,
    "kam": ["oat", "naloxone", "ops", "checking", "supplies", "shelter", "housing", "mhsu", "peer"],
    "kel": [kind for kind in EVERY_SERVICE if kind != "primary"],
    "nan": ["oat", "naloxone", "ops", "supplies", "shelter", "housing", "mhsu", "peer"],
    "ter": ["oat", "naloxone", "supplies", "shelter", "mhsu", "peer"],
    "pr": ["oat", "naloxone", "supplies", "shelter", "mhsu"],
    "fsj": ["oat", "naloxone", "supplies", "shelter", "mhsu", "peer"],
    "que": ["oat", "naloxone", "supplies", "shelter", "mhsu"],
    "wl": ["oat", "naloxone", "supplies", "shelter", "mhsu"],
    "chw": ["oat", "naloxone", "ops", "supplies", "shelter"],
    "nel": ["oat", "naloxone", "checking", "supplies"],
    "cra": ["oat", "naloxone", "supplies", "mhsu"],
    "pen": ["oat", "naloxone", "ops", "supplies", "shelter"],
    "cr": ["oat", "naloxone", "supplies", "mhsu"],
    "dc": ["oat", "naloxone", "supplies", "shelter"],
}
# Big towns have a second site for these.
SECOND_SITE = {
    "van": ["naloxone", "ops", "supplies", "shelter"],
    "sur": ["naloxone", "ops"],
    "vic": ["naloxone", "ops"],
    "pg": ["naloxone", "supplies"],
    "kel": ["naloxone"],
    "kam": ["naloxone"],
}
PROVIDER_NAMES = {
    "chc": "{town} Community Health Centre",
    "hr": "{town} Harm Reduction Society",
    "housing": "{town} Housing and Shelter Society",
    "peer": "{town} Peer Support Collective",
    "ha": "{authority} Mental Health and Substance Use",
    "pharmacy": "{street} Pharmacy",
}
AUTHORITY_OF = {
    "pg": "Northern",
    "ter": "Northern",
    "pr": "Northern",
    "fsj": "Northern",
    "que": "Northern",
    "wl": "Interior",
    "chw": "Fraser",
    "nel": "Interior",
    "cra": "Interior",
    "pen": "Interior",
    "cr": "Island",
    "dc": "Northern",
    "kam": "Interior",
    "kel": "Interior",
    "van": "Vancouver Coastal",
    "sur": "Fraser",
    "abb": "Fraser",
    "vic": "Island",
    "nan": "Island",
}
PROVINCE_WIDE = [
    (
        "virtual-oat",
        "Virtual OAT clinic (telehealth, province-wide)",
        ("oat",),
        (EVERY_DAY, "08:00", "20:00"),
        "same_day_oat",
        "Anyone in BC 16 and over, wherever they live; especially for people far from a clinic.",
        "Free with a BC Services Card.",
        "Call or start a video visit; the prescription goes to the pharmacy you choose.",
    ),
    (
        "check-in-line",
        "Stay Connected check-in line: someone on the line while you use",
        ("overdose_prevention", "peer_support"),
        (EVERY_DAY, "00:00", "00:00"),
        None,
        "Anyone in BC who uses alone.",
        "Free and confidential.",
        "Call and stay on the line; if you stop answering, the line sends help to where you are.",
    ),
    (
        "family-line",
        "Family and friends support line",
        ("peer_support", "mental_health"),
        (WEEKDAYS, "09:00", "21:00"),
        None,
        "Family members and friends of people who use drugs.",
        "Free.",
        "Call or text; peers with lived experience answer.",
    ),
]
# The Prince George clinic's own listings: the referrals demo looks its OAT listing up.
CLINIC_SERVICES = [
    (
        "service:pg-raac-oat",
        "Rapid access addiction clinic: same-day OAT starts",
        ("oat",),
        (WEEKDAYS, "08:00", "16:00"),
        "same_day_oat",
        "Adults and youth 16 and over who want to start, restart or switch opioid agonist "
        "treatment; by referral or walk-in.",
        "Free with a BC Services Card; no card needed for a first visit.",
        "Walk in before 1 pm or come with a referral from a partner (it arrives in Cairn). "
        "Bring any medications you take.",
        20,
    ),
    (
        "service:pg-raac-naloxone",
        "Take-home naloxone and training at the rapid access clinic",
        ("naloxone",),
        (WEEKDAYS, "08:00", "16:00"),
        "naloxone_kits",
        "Anyone: people who use drugs, family, friends, coworkers.",
        "Free.",
        "Ask at reception; ten-minute training.",
        140,
    ),
]


def _hours(days: str, opens: str, closes: str) -> dict:
    return {"freq": "WEEKLY", "byday": days, "opens_at": opens, "closes_at": closes}


@dataclass
class Loaded:
    services: int
    created: int
    stale: int

    def summary(self) -> str:
        return (
            f"Directory: {self.services} services ({self.created} new), {self.stale} stale "
            f"(not confirmed for 90 days)."
        )


class _Writer:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.terms = {t.code: t for t in TaxonomyTerm.objects.filter(code__isnull=False)}
        self.created = 0
        self.service_ids: list[int] = []
        self.location_ids: list[int] = []
        self.schedule_ids: list[int] = []

    def provider(self, key: str, name: str, partner=None) -> Provider:
        provider, _ = Provider.objects.get_or_create(
            hsds_id=demo_id(f"provider:{key}"),
            defaults={
                "name": name,
                "description": f"{name} (invented for the Cairn demo).",
                "partner": partner,
            },
        )
        return provider

    @staticmethod
    def postal_code(town: Town, rng: random.Random) -> str:
        letter = chr(65 + rng.randint(0, 25))
        return f"{town.fsa} {rng.randint(1, 9)}{letter}{rng.randint(1, 9)}"

    def location(
        self, key: str, provider: Provider, town: Town, name: str, street: str
    ) -> Location:
        rng = random.Random(f"{SEED}:{key}")
        lat = town.lat + rng.uniform(-0.012, 0.012)
        lon = town.lon + rng.uniform(-0.018, 0.018)
        location, created = Location.objects.get_or_create(
            hsds_id=demo_id(f"location:{key}"),
            defaults={
                "provider": provider,
                "name": name,
                "latitude": round(lat, 5),
                "longitude": round(lon, 5),
            },
        )
        if created or not location.addresses.exists():
            Address.objects.create(
                hsds_id=demo_id(f"address:{key}"),
                location=location,
                address_1=f"{rng.randint(100, 2999)} {street}",
                city=town.name,
                state_province="BC",
                postal_code=self.postal_code(town, rng),
                country="CA",
            )
        self.location_ids.append(location.pk)
        return location

    def service(
        self,
        key: str,
        *,
        provider: Provider,
        name: str,
        types,
        hours,
        capacity_kind,
        eligibility: str,
        fees: str,
        how: str,
        location: Location | None,
        languages=("en",),
        area: Jurisdiction | None = None,
        assured: dt.date | None,
        capacity_value=None,
    ) -> Service:
        service, created = Service.objects.get_or_create(
            hsds_id=demo_id(key),
            defaults={
                "provider": provider,
                "name": name,
                "description": f"{name}. Invented for the Cairn demo: the place, people "
                "and phone number do not exist.",
                "status": "active",
                "eligibility_description": eligibility,
                "fees_description": fees,
                "application_process": how,
                "assured_date": assured,
                "email": "",
                "url": "",
            },
        )
        self.service_ids.append(service.pk)
        if not created and service.schedules.exists():
            return service  # loaded before: its rows are there
        self.created += created
        rng = random.Random(f"{SEED}:{key}")
        for code in types:
            Attribute.objects.get_or_create(
                hsds_id=demo_id(f"{key}:type:{code}"),
                defaults={
                    "service": service,
                    "link_id": service.hsds_id,
                    "link_type": "service",
                    "link_entity": "service",
                    "taxonomy_term": self.terms[code],
                },
            )
        sal = None
        if location is not None:
            sal, _ = ServiceAtLocation.objects.get_or_create(
                hsds_id=demo_id(f"{key}:at"), defaults={"service": service, "location": location}
            )
        schedule, _ = Schedule.objects.get_or_create(
            hsds_id=demo_id(f"{key}:hours"),
            defaults={"service": service, "service_at_location": sal, **_hours(*hours)},
        )
        self.schedule_ids.append(schedule.pk)
        for code in languages:
            Language.objects.get_or_create(
                hsds_id=demo_id(f"{key}:language:{code}"),
                defaults={"service": service, "code": code},
            )
        Phone.objects.get_or_create(
            hsds_id=demo_id(f"{key}:phone"),
            defaults={"service": service, "number": f"250-555-{rng.randint(100, 999):04d}"},
        )
        if area is not None:
            ServiceArea.objects.get_or_create(
                hsds_id=demo_id(f"{key}:area"),
                defaults={"service": service, "name": area.name, "jurisdiction": area},
            )
        if capacity_kind:
            self.capacity(service, capacity_kind, capacity_value, rng)
        return service

    def capacity(self, service: Service, kind: str, value, rng: random.Random) -> None:
        if kind == "same_day_oat":
            fields = {"is_available": rng.random() < 0.6 if value is None else bool(value)}
        elif kind == "beds":
            fields = {"available": rng.randint(0, 8) if value is None else value}
        else:
            fields = {"available": rng.randint(5, 80) if value is None else value}
        when = timezone.now() - dt.timedelta(hours=rng.randint(1, 30))
        capacity, created = Capacity.objects.get_or_create(
            service=service,
            kind=kind,
            label="",
            defaults={**fields, "updated_at": when, "updated_by_name": "demo setup"},
        )
        if created:
            CapacityChange.objects.create(
                capacity=capacity,
                service=service,
                kind=kind,
                changed_at=when,
                changed_by_name="demo setup",
                **fields,
            )

    def assured(self, stale_share: float = 0.2) -> dt.date | None:
        roll = self.rng.random()
        if roll < stale_share * 0.2:
            return None
        if roll < stale_share:
            return self.today - dt.timedelta(days=self.rng.randint(95, 420))
        return self.today - dt.timedelta(days=self.rng.randint(0, 80))


def load_demo_directory(*, today: dt.date | None = None) -> Loaded:
    """Write (or refresh) the demo directory; returns what it holds."""
    from cairn.directory.listings import stale_listings

    today = today or timezone.localdate()
    rng = random.Random(SEED)
    with transaction.atomic():
        ensure_cairn_service_types()
        writer = _Writer(rng, today)
        clinic = Organization.objects.filter(name=CLINIC).first()
        peers = Organization.objects.filter(name=PEER_NETWORK).first()
        province = Jurisdiction.objects.filter(code="bc").first()
        prince_george = Jurisdiction.objects.filter(code="bc-lha-prince-george").first()
        pg = TOWNS[0]

        # The clinic clinic.intake keeps: its OAT listing is stale (95 days) and its
        # naloxone listing fresh, so "Your listings" has one to confirm.
        raac = Provider.objects.filter(
            hsds_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{DEMO}:provider:pg-raac"))
        ).first()
        raac = writer.provider("pg-raac", CLINIC, partner=clinic) if raac is None else raac
        if clinic is not None and raac.partner_id != clinic.pk:
            raac.partner = clinic
            raac.save(update_fields=["partner"])
        site = writer.location("pg-raac", raac, pg, CLINIC, "Victoria St")
        for number, (key, name, types, hours, capacity, eligibility, fees, how, value) in enumerate(
            CLINIC_SERVICES
        ):
            writer.service(
                key,
                provider=raac,
                name=name,
                types=types,
                hours=hours,
                capacity_kind=capacity,
                eligibility=eligibility,
                fees=fees,
                how=how,
                location=site,
                languages=("en", "crx"),
                area=prince_george,
                assured=today - dt.timedelta(days=95 if number == 0 else 12),
                capacity_value=value if capacity != "same_day_oat" else True,
            )

        for town in TOWNS:
            providers: dict[str, Provider] = {}
            for code in TOWN_SERVICES[town.key]:
                entry = next(e for e in CATALOGUE if e[0] == code)
                _, kind, template, types, hours, capacity, eligibility, fees, how = entry
                for copy in range(1 + (code in SECOND_SITE.get(town.key, []))):
                    street = rng.choice(town.streets)
                    partner = peers if (town.key == "pg" and kind == "peer") else None
                    provider_key = (
                        f"{town.key}-{kind}"
                        if kind != "pharmacy"
                        else f"{town.key}-pharmacy-{copy}"
                    )
                    if provider_key not in providers:
                        provider_name = PROVIDER_NAMES[kind].format(
                            town=town.name,
                            street=street.split()[0] if kind == "pharmacy" else street,
                            authority=AUTHORITY_OF[town.key],
                        )
                        if kind == "ha":
                            provider_name = f"{provider_name} ({town.name})"
                        providers[provider_key] = writer.provider(
                            provider_key, provider_name, partner=partner
                        )
                    provider = providers[provider_key]
                    name = template.format(town=town.name, street=street.split()[0])
                    if copy:
                        name = f"{name} ({street})"
                    key = f"service:{town.key}-{code}-{copy}"
                    location = writer.location(
                        f"{town.key}-{code}-{copy}", provider, town, name, street
                    )
                    languages = ["en"] + [c for c in town.languages if rng.random() < 0.5]
                    writer.service(
                        key,
                        provider=provider,
                        name=name,
                        types=types,
                        hours=hours,
                        capacity_kind=capacity if rng.random() < 0.8 else None,
                        eligibility=eligibility,
                        fees=fees,
                        how=how,
                        location=location,
                        languages=languages,
                        assured=writer.assured(),
                    )

        for key, name, types, hours, capacity, eligibility, fees, how in PROVINCE_WIDE:
            provider = writer.provider("bc-virtual", "BC Virtual Substance Use Services (demo)")
            writer.service(
                f"service:{key}",
                provider=provider,
                name=name,
                types=types,
                hours=hours,
                capacity_kind=capacity,
                eligibility=eligibility,
                fees=fees,
                how=how,
                location=None,
                languages=("en", "fr", "pa", "zh"),
                area=province,
                assured=writer.assured(0.0),
            )

        rebuild_opening_hours(schedule_ids=writer.schedule_ids)
        place_directory_locations(writer.location_ids)
        refresh_search_text(writer.service_ids)
        services = Service.objects.filter(pk__in=writer.service_ids)
        stale = stale_listings(services, today).count()
    return Loaded(services=len(set(writer.service_ids)), created=writer.created, stale=stale)
