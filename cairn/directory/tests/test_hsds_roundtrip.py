"""The official HSDS 3.0 examples survive import then export unchanged, field by field,
in JSON and CSV; what Cairn exports validates against the official schemas; importing the
same data again duplicates nothing, and a changed record updates its row."""

import csv
import io
import json

import pytest

from cairn.directory.hsds import exporter
from cairn.directory.hsds.importer import import_hsds
from cairn.directory.hsds.tables import TABLE_LIST, TABLES
from cairn.directory.hsds.validation import jsonschema_validator
from cairn.directory.models import (
    Location,
    OpeningHours,
    Phone,
    Provider,
    Service,
    Taxonomy,
    TaxonomyTerm,
)
from cairn.directory.taxonomy import CAIRN_TAXONOMY_ID
from cairn.directory.tests.hsds_helpers import (
    CSV_EXAMPLES,
    JSON_EXAMPLES,
    differences,
    example,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_the_examples(db):
    """A directory holding nothing but what each test imports: without Cairn's own
    service-type taxonomy (which the migrations seed), a full export is the example."""
    TaxonomyTerm.objects.filter(taxonomy_detail__hsds_id=CAIRN_TAXONOMY_ID).delete()
    Taxonomy.objects.filter(hsds_id=CAIRN_TAXONOMY_ID).delete()


COMPILED = [
    ("service_full.json", "service"),
    ("organization_full.json", "organization"),
    ("service_at_location_full.json", "service_at_location"),
    ("location.json", "location"),
    ("taxonomy.json", "taxonomy"),
    ("taxonomy_term.json", "taxonomy_term"),
]


@pytest.mark.parametrize("name,table", COMPILED)
def test_json_example_round_trips_field_by_field(name, table):
    report = import_hsds(JSON_EXAMPLES / name)
    assert report.ok, [str(p) for p in report.problems]
    original = example(name)
    row = TABLES[table].model.objects.get(hsds_id=original["id"])

    exported = exporter.compiled_object(row)

    assert differences(exported, original) == []


def test_service_list_page_round_trips():
    report = import_hsds(JSON_EXAMPLES / "service_list.json")
    assert report.ok, [str(p) for p in report.problems]
    original = example("service_list.json")

    page = exporter.services_page(page=1, size=1)

    # The page counters describe the example's imaginary ten-item list; the data is the contents.
    assert differences(page["contents"], original["contents"]) == []
    assert page["total_items"] == 1 and page["first_page"] and page["last_page"]


def test_compiled_service_export_is_the_example():
    import_hsds(JSON_EXAMPLES / "service_full.json")

    assert differences(exporter.export_hsds(fmt="json"), [example("service_full.json")]) == []


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_example_round_trips_cell_by_cell():
    report = import_hsds(CSV_EXAMPLES)
    assert report.ok, [str(p) for p in report.problems]
    assert report.created == 21  # one record in each of the 21 files

    files = exporter.export_hsds(fmt="csv")

    for path in sorted(CSV_EXAMPLES.glob("*.csv")):
        original = _rows(path.read_text(encoding="utf-8"))
        exported = _rows(files[path.name])
        assert exported[0] == original[0], f"{path.name}: header"
        assert exported[1:] == original[1:], f"{path.name}: rows"


def test_csv_keeps_references_to_records_it_does_not_have():
    # locations.csv names organization 985e4a42-..., which organizations.csv does not have.
    import_hsds(CSV_EXAMPLES)
    location = Location.objects.get(hsds_id="3a19ff88-4620-4d17-9830-ac1d859eb5d5")
    assert location.provider is None
    assert location.extra["_refs"] == {"organization_id": "985e4a42-bd9f-4edc-911d-0243a4640aca"}


def test_tables_form_round_trips_the_csv_example():
    import_hsds(CSV_EXAMPLES)
    first = exporter.export_hsds(fmt="tables")
    document = json.dumps(first).encode()
    Service.objects.all().delete()
    for table in reversed(TABLE_LIST):
        table.model.objects.all().delete()

    report = import_hsds({"directory.json": document})

    assert report.ok, [str(p) for p in report.problems]
    assert differences(exporter.export_hsds(fmt="tables"), first) == []


@pytest.mark.parametrize("name,table", COMPILED)
def test_every_exported_record_validates_against_the_official_schema(name, table):
    import_hsds(JSON_EXAMPLES / name)
    import_hsds(CSV_EXAMPLES)
    for service in exporter.export_hsds(fmt="json"):
        assert list(jsonschema_validator("service").iter_errors(service)) == []
    for key, rows in exporter.export_hsds(fmt="tables").items():
        validator = jsonschema_validator(_table_of(key))
        for row in rows:
            assert list(validator.iter_errors(row)) == [], (key, row["id"])


def _table_of(key: str) -> str:
    return next(t.name for t in TABLE_LIST if t.csv_name == f"{key}.csv")


def test_importing_again_creates_nothing_and_changed_records_update():
    first = import_hsds(JSON_EXAMPLES / "service_full.json")
    counts = {t.name: t.model.objects.count() for t in TABLE_LIST}

    again = import_hsds(JSON_EXAMPLES / "service_full.json")

    assert again.created == 0 and again.updated == 0
    assert again.unchanged == first.created
    assert {t.name: t.model.objects.count() for t in TABLE_LIST} == counts

    changed = example("service_full.json")
    changed["name"] = "Community Counselling (evenings)"
    changed["phones"][0]["number"] = "250-555-0199"
    changed["status"] = "temporarily closed"
    report = import_hsds({"service_full.json": json.dumps(changed)})

    assert report.created == 0
    service = Service.objects.get(hsds_id=changed["id"])
    assert service.name == "Community Counselling (evenings)"
    assert service.status == "temporarily closed"
    assert "evenings" in service.search_text
    # The phone appears five times in the example and only the service's copy changed: the
    # first copy met wins, and each other copy that differs is reported as a warning.
    assert Phone.objects.get(hsds_id=changed["phones"][0]["id"]).number == "250-555-0199"
    assert {p.field for p in report.warnings} == {"number"}
    assert {t.name: t.model.objects.count() for t in TABLE_LIST} == counts


def test_nested_objects_link_to_every_parent_they_appear_under():
    import_hsds(JSON_EXAMPLES / "service_full.json")
    phone = Phone.objects.get(hsds_id="1554f2e2-a373-45db-a3fa-9fc48a61c15e")
    service = Service.objects.get(hsds_id="ac148810-d857-441c-9679-408f346de14b")
    assert phone.service == service
    assert phone.location.hsds_id == "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
    assert phone.provider.hsds_id == "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
    assert phone.contact.hsds_id == "1e7efce3-639b-4880-940c-b95cd30cdb50"
    assert phone.service_at_location.hsds_id == "e94c9f38-1e8f-4564-91d4-d53501ab1765"
    assert service.provider == Provider.objects.get(hsds_id="d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
    assert list(service.types.values_list("hsds_id", flat=True)) == [
        "3f7b145d-84af-42d7-8fae-eaca714b02b2"
    ]
    # The term's parent is not in the example: the reference is kept, not lost.
    term = TaxonomyTerm.objects.get(hsds_id="3f7b145d-84af-42d7-8fae-eaca714b02b2")
    assert term.parent is None and term.extra["_refs"] == {
        "parent_id": "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2"
    }


def test_weekly_schedule_gives_opening_hours_for_search():
    import_hsds(JSON_EXAMPLES / "service_full.json")
    rows = sorted(
        OpeningHours.objects.values_list("weekday", "opens_at", "closes_at", "service__name")
    )
    # byday "TH,FR", 10:00-18:00; the schedule is the service's (and its location's).
    assert [(d, o.isoformat(), c.isoformat(), n) for d, o, c, n in rows] == [
        (4, "10:00:00", "18:00:00", "Community Counselling"),
        (5, "10:00:00", "18:00:00", "Community Counselling"),
    ]
