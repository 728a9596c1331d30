"""Cairn's compiled schema checks decide exactly as jsonschema does, on the official
examples and on thousands of malformed variants of them; with strict validation the import
gives the same result."""

import copy
import json

import pytest

from cairn.directory.hsds.importer import import_hsds
from cairn.directory.hsds.reading import read_csv, read_json
from cairn.directory.hsds.tables import TABLES, load_schemas
from cairn.directory.hsds.validation import compiled_checks, jsonschema_validator, validate_record
from cairn.directory.tests.hsds_helpers import CSV_EXAMPLES, JSON_EXAMPLES

BAD_VALUES = [
    None,
    0,
    12.5,
    True,
    "",
    "text",
    "not-a-uuid",
    "{ac148810-d857-441c-9679-408f346de14b}",
    "AC148810-D857-441C-9679-408F346DE14B",
    "ac148810d857441c9679408f346de14b",
    "someone@example.org",
    "2024-13-45T00:00:00Z",
    "2023-03-15T10:30:45.123Z",
    "WEEKLY",
    "temporarily closed",
    [],
    ["x"],
    {},
    {"id": "x"},
]


def _example_records():
    records = []
    for path in sorted(JSON_EXAMPLES.glob("*.json")):
        records += read_json(path.name, path.read_text(encoding="utf-8")).records
    for path in sorted(CSV_EXAMPLES.glob("*.csv")):
        records += read_csv(path.name, path.read_text(encoding="utf-8")).records
    return records


def _agree(table: str, value) -> bool:
    compiled = compiled_checks()[TABLES[table].schema_file](value)
    return compiled == jsonschema_validator(table).is_valid(value)


def test_the_compiler_understands_every_official_schema():
    assert compiled_checks() is not None
    assert set(compiled_checks()) == set(load_schemas())


def test_every_official_example_record_is_valid_both_ways():
    records = _example_records()
    assert len(records) > 60
    for record in records:
        assert compiled_checks()[TABLES[record.table].schema_file](record.data), record.label()
        assert jsonschema_validator(record.table).is_valid(record.data), record.label()


def test_malformed_variants_of_every_field_are_judged_alike():
    judged = 0
    for record in _example_records():
        schema = load_schemas()[TABLES[record.table].schema_file]
        for name in schema["properties"]:
            for value in BAD_VALUES:
                variant = dict(record.data, **{name: value})
                assert _agree(record.table, variant), (record.label(), name, value)
                judged += 1
        for name in schema.get("required", ()):
            variant = {k: v for k, v in record.data.items() if k != name}
            assert _agree(record.table, variant), (record.label(), "without", name)
    assert judged > 10_000


def _paths(document, path=()):
    if isinstance(document, dict):
        for key, value in document.items():
            yield (*path, key)
            yield from _paths(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _paths(value, (*path, index))


def test_deep_changes_in_compiled_documents_are_judged_alike():
    for name, table in [
        ("service_full.json", "service"),
        ("organization_full.json", "organization"),
        ("service_at_location_full.json", "service_at_location"),
    ]:
        original = json.loads((JSON_EXAMPLES / name).read_text(encoding="utf-8"))
        for path in list(_paths(original))[::3]:
            for value in (None, 7, "not-a-uuid", []):
                variant = copy.deepcopy(original)
                target = variant
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = value
                assert _agree(table, variant), (name, path, value)


def test_errors_come_from_jsonschema_with_the_field_path():
    errors = validate_record(
        "service", {"id": "ac148810-d857-441c-9679-408f346de14b", "status": "open", "phones": [{}]}
    )
    assert sorted((e.field, e.message) for e in errors) == [
        ("name", "'name' is a required property"),
        ("phones.0.id", "'id' is a required property"),
        ("phones.0.number", "'number' is a required property"),
        ("status", "'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']"),
    ]


@pytest.mark.django_db
def test_strict_validation_gives_the_same_import():
    bad = (CSV_EXAMPLES / "services.csv").read_text(encoding="utf-8").replace(",active,", ",open,")
    files = {p.name: p.read_bytes() for p in CSV_EXAMPLES.glob("*.csv")}
    files["services.csv"] = bad.encode()

    fast = import_hsds(files)
    strict = import_hsds(files, strict=True)

    assert [str(p) for p in fast.problems] == [str(p) for p in strict.problems]
    assert fast.rejected == strict.rejected == 1
