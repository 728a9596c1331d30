"""Bad HSDS input: each error names the file, the record and the field; a bad record is
left out and every good one is imported; nothing raises."""

import json

import pytest

from cairn.directory.hsds import exporter
from cairn.directory.hsds.importer import import_hsds
from cairn.directory.models import HsdsImport, Language, Location, Phone, Provider, Service
from cairn.directory.tests.hsds_helpers import CSV_EXAMPLES, example

pytestmark = pytest.mark.django_db

ORG = "1b3f9a52-8a0e-4a5b-9c1e-2f6d7e8a9b01"
GOOD = "2c4e6a80-1b2c-4d3e-8f4a-5b6c7d8e9f02"
OTHER = "3d5f7b91-2c3d-4e4f-9a5b-6c7d8e9fa003"
ORGANIZATIONS_CSV = f"id,name,description\n{ORG},Northern Health,A health authority\n".encode()


def _service(service_id=GOOD, **fields):
    return {
        "id": service_id,
        "name": "Rapid access addiction clinic",
        "status": "active",
        "organization": {"id": ORG, "name": "Northern Health", "description": "Health authority"},
        **fields,
    }


def _import_json(document, name="services.json"):
    return import_hsds({name: json.dumps(document).encode()})


def _errors(report):
    return [(p.file, p.record, p.field, p.message) for p in report.errors]


def test_wrong_type_names_the_field_and_keeps_the_good_records():
    report = _import_json([_service(), _service(OTHER, minimum_age="twelve")])

    assert Service.objects.filter(hsds_id=GOOD).exists()
    assert not Service.objects.filter(hsds_id=OTHER).exists()
    [(file, record, field, message)] = _errors(report)
    assert file == "services.json"
    assert record == f"service /1 (id {OTHER})"
    assert field == "minimum_age"
    assert message == "'twelve' is not of type 'number'"
    assert report.counts["service"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}


def test_missing_required_field_is_named():
    bad = _service(OTHER)
    del bad["name"]
    report = _import_json([bad])

    [(_, record, field, message)] = _errors(report)
    assert field == "name" and message == "'name' is a required property"
    assert OTHER in record
    # The organization nested in it was valid, and is kept.
    assert Provider.objects.filter(hsds_id=ORG).exists()


def test_bad_uuid_is_refused():
    report = _import_json([_service("not-a-uuid")])

    [(_, _, field, message)] = _errors(report)
    assert field == "id" and message == "'not-a-uuid' is not a 'uuid'"
    assert not Service.objects.exists()


def test_status_outside_the_hsds_list_is_refused():
    report = _import_json([_service(status="open")])
    [(_, _, field, message)] = _errors(report)
    assert field == "status"
    assert "is not one of ['active', 'inactive', 'defunct', 'temporarily closed']" in message


def test_bad_email_is_refused():
    report = _import_json([_service(email="clinic.example.org")])
    [(_, _, field, message)] = _errors(report)
    assert field == "email" and message == "'clinic.example.org' is not a 'email'"


def test_bad_nested_phone_is_left_out_and_its_service_imported():
    service = _service(
        phones=[{"id": "4e6a8c02-3d4e-4f5a-8b6c-7d8e9fa0b104", "number": 2505550100}]
    )
    report = _import_json(service, name="service.json")

    assert Service.objects.filter(hsds_id=GOOD).exists()
    assert not Phone.objects.exists()
    [(file, record, field, message)] = _errors(report)
    assert (file, field, message) == (
        "service.json",
        "number",
        "2505550100 is not of type 'string'",
    )
    assert record.startswith("phone /phones/0 (id 4e6a8c02")


def test_nested_list_of_the_wrong_type_rejects_its_parent_naming_the_field():
    report = _import_json(_service(phones="250-555-0100"), name="service.json")
    [(_, _, field, message)] = _errors(report)
    assert field == "phones" and message == "'250-555-0100' is not of type 'array'"


def test_broken_json_is_one_error_with_line_and_column_and_nothing_is_written():
    report = import_hsds(
        {"service.json": b'{"id": "2c4e6a80-1b2c-4d3e-8f4a-5b6c7d8e9f02",\n "name": '}
    )

    [(file, record, field, message)] = _errors(report)
    assert file == "service.json" and record == "line 2, column 10" and field == ""
    assert message.startswith("not valid JSON: Expecting value")
    assert not Service.objects.exists()
    assert HsdsImport.objects.get().errors[0]["message"] == message


def test_text_that_is_not_utf8_is_refused():
    report = import_hsds({"services.csv": "id,name\n1,Caf\xe9\n".encode("latin-1")})
    [(file, _, _, message)] = _errors(report)
    assert file == "services.csv" and message.startswith("not UTF-8 text")


def test_json_object_of_unknown_kind_is_reported():
    report = _import_json({"id": GOOD, "name": "Something"}, name="data.json")
    [(_, _, _, message)] = _errors(report)
    assert message.startswith("cannot tell which HSDS object this is")


CSV_HEADER = "id,organization_id,name,status,minimum_age\n"


def test_csv_bad_rows_are_named_by_row_and_the_good_ones_imported():
    text = (
        CSV_HEADER
        + f"{GOOD},{ORG},Drop-in,active,16\n"
        + f"{OTHER},{ORG},Evening drop-in,open,sixteen\n"
        + "5f7b9d13-4e5f-4a6b-9c7d-8e9fa0b1c205,,Outreach van,active,\n"
    )
    report = import_hsds({"services.csv": text.encode()})

    assert list(Service.objects.values_list("hsds_id", flat=True)) == [GOOD]
    errors = sorted(_errors(report))
    assert errors == [
        (
            "services.csv",
            f"service row 3 (id {OTHER})",
            "minimum_age",
            "'sixteen' is not of type 'number'",
        ),
        (
            "services.csv",
            f"service row 3 (id {OTHER})",
            "status",
            "'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
        ),
        (
            "services.csv",
            "service row 4 (id 5f7b9d13-4e5f-4a6b-9c7d-8e9fa0b1c205)",
            "organization_id",
            "'organization_id' is required in the tabular form of HSDS",
        ),
    ]
    # The organization is not in the files: the service keeps the reference until it comes.
    service = Service.objects.get()
    assert service.provider is None and service.extra["_refs"] == {"organization_id": ORG}
    import_hsds({"organizations.csv": ORGANIZATIONS_CSV})
    service.refresh_from_db()
    assert service.provider.name == "Northern Health" and "_refs" not in service.extra


def test_csv_without_an_id_column_is_refused_whole():
    report = import_hsds({"services.csv": b"name,status\nDrop-in,active\n"})
    [(file, record, field, message)] = _errors(report)
    assert (file, record, field) == ("services.csv", "row 1", "id")
    assert not Service.objects.exists()


def test_csv_misspelled_column_is_a_warning_and_the_missing_field_an_error():
    report = import_hsds(
        {"services.csv": f"id,organization_id,nmae,status\n{GOOD},{ORG},Drop-in,active\n".encode()}
    )
    assert [(p.field, p.level) for p in report.warnings] == [("nmae", "warning")]
    [(_, _, field, message)] = _errors(report)
    assert field == "name" and message == "'name' is a required property"


def test_csv_row_with_too_many_cells_is_named():
    text = f"id,name,description\n{ORG},Northern Health,A health authority,extra\n"
    report = import_hsds({"organizations.csv": text.encode()})
    [(_, record, _, message)] = _errors(report)
    assert record == "row 2" and message == "the row has 4 cells but the header has 3 columns"


def test_csv_file_of_no_hsds_table_is_refused():
    report = import_hsds({"clinics.csv": b"id,name\n"})
    [(file, _, _, message)] = _errors(report)
    assert file == "clinics.csv" and message.startswith("not an HSDS table file")


def test_a_value_too_long_for_cairn_names_the_field():
    language = {
        "id": "6a8c0e24-5f6a-4b7c-8d8e-9fa0b1c2d306",
        "service_id": GOOD,
        "code": "x" * 40,
        "name": "Unknown",
    }
    report = _import_json({"services": [_service()], "languages": [language]}, "directory.json")
    [(_, _, field, message)] = _errors(report)
    assert field == "code" and message == "longer than 35 characters"
    assert not Language.objects.exists() and Service.objects.count() == 1


def test_fields_cairn_does_not_model_come_back_out_as_sent():
    service = _service(
        x_cairn_note="Bring a health card if you have one; none needed",
        alternate_name="",
        last_modified="2024-01-05T10:00:00+02:00",
        assured_date="January 2024",
    )
    report = _import_json(service, name="service.json")
    assert report.ok

    [exported] = exporter.export_hsds(fmt="json")

    assert exported["x_cairn_note"] == service["x_cairn_note"]
    assert exported["alternate_name"] == ""
    assert exported["last_modified"] == "2024-01-05T10:00:00+02:00"
    assert exported["assured_date"] == "January 2024"
    row = Service.objects.get()
    assert row.assured_date is None  # not a date, so not "verified" for the stale rule
    assert row.last_modified.isoformat() == "2024-01-05T08:00:00+00:00"


def test_a_location_imported_before_its_organization_is_linked_when_it_arrives():
    location = example("location.json")
    location["organization_id"] = ORG
    import_hsds({"location.json": json.dumps(location).encode()})
    assert Location.objects.get().provider is None

    import_hsds({"organizations.csv": ORGANIZATIONS_CSV})

    assert Location.objects.get().provider.hsds_id == ORG


def test_the_official_csv_example_imports_without_errors():
    report = import_hsds(CSV_EXAMPLES)
    assert report.errors == [] and report.warnings == []
