"""HSDS 3.0 import at scale: 50,000 services into PostgreSQL, then the same files again.

    python bench/bench_hsds_import.py [--services 50000] [--form csv|json] [--keep]
                                      [--database cairn_bench_hsds]

Needs DATABASE_URL pointing to a PostgreSQL server. Builds a throwaway database (dropped at
the end unless --keep), migrates it, loads BC's geography (so each location is placed in
its community by point-in-polygon), and writes an invented but realistic directory as HSDS
files (CSV, one file per table as Open Referral's examples/csv; or --form json, the tables
form): N services from N/5 organizations at 1.5 locations per organization (each with an
address, a BC postal code and a point inside a BC community), every service at one or two
of its organization's locations, with a phone, one to three languages, weekday hours (and
weekend hours for one in three), one or two Cairn service types (attributes), a service
area, a contact for one in five and a cost option for one in ten.

Then it prints the time to import them (read, validate every record against the official
schemas, upsert, derive opening hours, communities and search text) and to import the same
files again (every record updated in place, nothing duplicated). The goal: under 60 s for
50,000 services.
"""

import argparse
import csv
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchdb import database_url, drop, migrate, recreate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 60
SEED = 20261126

LANGUAGES = [
    ("en", "English", 1.0),
    ("fr", "French", 0.25),
    ("pa", "Punjabi", 0.12),
    ("zh", "Chinese", 0.12),
    ("tl", "Tagalog", 0.06),
    ("es", "Spanish", 0.06),
    ("crg", "Michif", 0.02),
]
KINDS = [
    ("oat", "Opioid agonist treatment clinic", 0.15),
    ("naloxone", "Take-home naloxone", 0.2),
    ("overdose_prevention", "Overdose prevention site", 0.08),
    ("drug_checking", "Drug checking", 0.06),
    ("harm_reduction_supplies", "Harm reduction supplies", 0.15),
    ("housing", "Supportive housing", 0.06),
    ("shelter", "Emergency shelter", 0.06),
    ("withdrawal_management", "Withdrawal management", 0.05),
    ("mental_health", "Mental health and substance use", 0.08),
    ("peer_support", "Peer support drop-in", 0.05),
    ("primary_care", "Primary care", 0.05),
    ("other", "Community resource", 0.01),
]
STREETS = ["Main", "George", "Victoria", "Douglas", "Hastings", "3rd Ave", "Dominion", "Oak"]
DAYS_WEEK = "MO,TU,WE,TH,FR"


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def communities_with_points():
    """[(community name, representative lon, lat, FSA)] of BC's communities."""
    import json

    from shapely.geometry import shape

    data = ROOT / "cairn/geography/data/bc"
    fsa_by_name: dict[str, list[str]] = {}
    with (data / "bc_fsa_to_lha_approximate.csv").open() as handle:
        for row in csv.DictReader(handle):
            fsa_by_name.setdefault(row["lha_name"], []).append(row["prefix"])
    features = json.loads((data / "bc_lha_2018_boundaries_simplified.geojson").read_text())
    out = []
    for feature in features["features"]:
        props = feature["properties"]
        name = next(
            (v for k, v in props.items() if "NAME" in k.upper() and "LHA" in k.upper()),
            None,
        ) or next(iter(props.values()))
        point = shape(feature["geometry"]).representative_point()
        out.append((str(name), point.x, point.y, fsa_by_name.get(str(name), ["V2L"])))
    return out


def generate(n_services: int, out: Path, *, form: str, seed: int = SEED) -> dict[str, int]:
    from cairn.directory.taxonomy import term_hsds_id

    rng = random.Random(seed)
    places = communities_with_points()
    rows: dict[str, list[dict]] = {
        name: []
        for name in (
            "organizations",
            "locations",
            "addresses",
            "services",
            "service_at_location",
            "phones",
            "languages",
            "schedules",
            "attributes",
            "service_areas",
            "contacts",
            "cost_options",
        )
    }
    n_orgs = max(1, n_services // 5)
    org_locations: list[list[str]] = []
    for o in range(n_orgs):
        org_id = _id(rng)
        town, lon, lat, fsas = rng.choice(places)
        rows["organizations"].append(
            {
                "id": org_id,
                "name": f"{town} Community Health Society {o}",
                "description": f"A community organization serving people in {town}.",
                "email": f"info{o}@example.org",
                "website": f"https://org{o}.example.org",
                "year_incorporated": rng.randint(1960, 2022),
            }
        )
        locations = []
        for _ in range(1 if rng.random() < 0.5 else 2):
            location_id = _id(rng)
            locations.append(location_id)
            rows["locations"].append(
                {
                    "id": location_id,
                    "location_type": "physical",
                    "organization_id": org_id,
                    "name": f"{town} {rng.choice(STREETS)} site",
                    "latitude": round(lat + rng.uniform(-0.01, 0.01), 6),
                    "longitude": round(lon + rng.uniform(-0.01, 0.01), 6),
                }
            )
            fsa = rng.choice(fsas)
            rows["addresses"].append(
                {
                    "id": _id(rng),
                    "location_id": location_id,
                    "address_1": f"{rng.randint(1, 3999)} {rng.choice(STREETS)} Street",
                    "city": town,
                    "state_province": "BC",
                    "postal_code": f"{fsa} {rng.randint(1, 9)}A{rng.randint(1, 9)}",
                    "country": "CA",
                    "address_type": "physical",
                }
            )
        org_locations.append((org_id, locations))
    kinds, weights = [k[:2] for k in KINDS], [k[2] for k in KINDS]
    for s in range(n_services):
        org_id, locations = org_locations[s % n_orgs]
        service_id = _id(rng)
        chosen = rng.choices(kinds, weights, k=1 if rng.random() < 0.7 else 2)
        code, label = chosen[0]
        rows["services"].append(
            {
                "id": service_id,
                "organization_id": org_id,
                "name": f"{label} {s}",
                "description": f"{label}. Drop in or call ahead; no judgement, no forms to start.",
                "status": "active" if rng.random() < 0.95 else "temporarily closed",
                "eligibility_description": "People who use drugs and their families.",
                "minimum_age": 16 if rng.random() < 0.3 else "",
                "assured_date": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
                "last_modified": "2026-11-01T09:30:00.000Z",
            }
        )
        for kind_code in dict(chosen):
            rows["attributes"].append(
                {
                    "id": _id(rng),
                    "link_id": service_id,
                    "taxonomy_term_id": term_hsds_id(kind_code),
                    "link_entity": "service",
                    "link_type": "service_type",
                }
            )
        at = rng.sample(locations, 1 if len(locations) == 1 or rng.random() < 0.7 else 2)
        for location_id in at:
            rows["service_at_location"].append(
                {"id": _id(rng), "service_id": service_id, "location_id": location_id}
            )
        rows["phones"].append(
            {
                "id": _id(rng),
                "service_id": service_id,
                "number": f"250-555-{rng.randint(0, 9999):04d}",
                "type": "voice",
            }
        )
        for language_code, language_name, share in LANGUAGES:
            if rng.random() < share:
                rows["languages"].append(
                    {
                        "id": _id(rng),
                        "service_id": service_id,
                        "name": language_name,
                        "code": language_code,
                    }
                )
        opens = rng.choice(["08:00", "08:30", "09:00", "10:00"])
        closes = rng.choice(["16:00", "17:00", "20:00", "22:00"])
        rows["schedules"].append(
            {
                "id": _id(rng),
                "service_id": service_id,
                "freq": "WEEKLY",
                "byday": DAYS_WEEK,
                "opens_at": opens,
                "closes_at": closes,
                "description": f"Weekdays {opens}-{closes}",
            }
        )
        if rng.random() < 1 / 3:
            rows["schedules"].append(
                {
                    "id": _id(rng),
                    "service_id": service_id,
                    "freq": "WEEKLY",
                    "byday": "SA,SU",
                    "opens_at": "10:00",
                    "closes_at": "14:00",
                }
            )
        rows["service_areas"].append(
            {"id": _id(rng), "service_id": service_id, "name": "The surrounding community"}
        )
        if rng.random() < 0.2:
            rows["contacts"].append(
                {
                    "id": _id(rng),
                    "service_id": service_id,
                    "name": "Intake coordinator",
                    "email": f"intake{s}@example.org",
                }
            )
        if rng.random() < 0.1:
            rows["cost_options"].append(
                {
                    "id": _id(rng),
                    "service_id": service_id,
                    "option": "No cost",
                    "amount": 0,
                    "currency": "CAD",
                }
            )
    out.mkdir(parents=True, exist_ok=True)
    if form == "csv":
        for name, table_rows in rows.items():
            columns: list[str] = []
            for row in table_rows:
                for key in row:
                    if key not in columns:
                        columns.append(key)
            with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                writer.writerows(table_rows)
    else:
        import json

        clean = {
            name: [{k: v for k, v in row.items() if v != ""} for row in table_rows]
            for name, table_rows in rows.items()
        }
        (out / "directory.json").write_text(json.dumps(clean), encoding="utf-8")
    return {name: len(table_rows) for name, table_rows in rows.items()}


def ensure_directory_tables() -> None:
    """Until the directory's migrations exist, create its tables from the models."""
    from django.apps import apps
    from django.db import connection

    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in apps.get_app_config("directory").get_models():
            if model._meta.db_table not in existing:
                editor.create_model(model)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=50_000)
    parser.add_argument("--form", choices=("csv", "json"), default="csv")
    parser.add_argument("--database", default="cairn_bench_hsds")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL server (postgres://...).")
        return 2
    recreate(base, args.database)
    url = database_url(base, args.database)
    os.environ["DATABASE_URL"] = url
    try:
        migrate(dict(os.environ))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
        import django

        django.setup()
        from cairn.directory.hsds.importer import import_hsds
        from cairn.directory.models import (
            Location,
            OpeningHours,
            Schedule,
            Service,
        )
        from cairn.directory.taxonomy import ensure_cairn_service_types
        from cairn.geography.loading import load_british_columbia

        ensure_directory_tables()
        load_british_columbia()
        ensure_cairn_service_types()
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            counts = generate(args.services, Path(folder), form=args.form)
            generated = time.perf_counter() - started
            total_rows = sum(counts.values())
            print(
                f"Generated {args.services:,} services as HSDS {args.form} "
                f"({total_rows:,} records in {len(counts)} tables) in {generated:.1f} s"
            )
            print("  " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
            load_before = os.getloadavg()[0]
            started, cpu = time.perf_counter(), time.process_time()
            first = import_hsds(folder)
            first_s = time.perf_counter() - started
            first_cpu = time.process_time() - cpu
            started, cpu = time.perf_counter(), time.process_time()
            second = import_hsds(folder)
            second_s = time.perf_counter() - started
            second_cpu = time.process_time() - cpu
            load_after = os.getloadavg()[0]
        services = Service.objects.count()
        placed = Location.objects.filter(community__isnull=False).count()
        print(
            f"Machine load (1-minute average) {load_before:.1f} before, {load_after:.1f} after, "
            f"on {os.cpu_count()} CPUs; CPU seconds below are this process's (Python), the "
            "rest of the wall time is PostgreSQL and waiting for a CPU"
        )
        print(
            f"First import: {first_s:.1f} s ({total_rows / first_s:,.0f} records/s; "
            f"{first_cpu:.1f} CPU s): "
            f"{first.created:,} created, {first.rejected} rejected, {len(first.errors)} errors"
        )
        print(
            "  by step (s, each table including its opening hours or community): "
            + ", ".join(f"{k} {v:.1f}" for k, v in first.timings.items())
        )
        print(
            f"Re-import of the same files: {second_s:.1f} s ({second_cpu:.1f} CPU s): "
            f"{second.created} created, "
            f"{second.updated:,} updated, {second.unchanged:,} unchanged, "
            f"{second.rejected} rejected"
        )
        print(
            f"In the database: {services:,} services, {Schedule.objects.count():,} schedules, "
            f"{OpeningHours.objects.count():,} opening-hours rows, "
            f"{placed:,} of {Location.objects.count():,} locations placed in a community"
        )
        verdict = "met" if first_s < GOAL_SECONDS else "NOT met"
        print(f"Goal: {args.services:,} services under {GOAL_SECONDS} s: {verdict}")
        from django.db import connections

        connections.close_all()
    finally:
        if not args.keep:
            drop(base, args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
