"""A big CSV file is written over two connections, with the same result as over one.

These tests commit (the second connection sees only committed rows), so each one
starts from an empty events table and cleans up after itself.
"""

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError

from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.intake import csv_import
from cairn.surveillance.intake.csv_import import import_csv, load_mapping, shipped_mappings
from cairn.surveillance.models import Event, EventMatch, EventRevision, ReceivedMessage

HEADER = (
    "visit_number,facility_code,arrival_datetime,age_years,sex,postal_code,"
    "chief_complaint,discharge_diagnoses,disposition"
)
COMPLAINTS = ["suspected opioid OD", '"found down, narcan x2"', "chest pain", "meth intox"]
CODES = ["T40.4X1A", "", "T43.621A;F11.20", "R07.9"]
POSTAL = ["V2L 3K5", "V6Z 1Y6", "V2M 1A1", "ZZZ"]


def line_list() -> list[str]:
    rows = [
        f"V{n:04d},{['UHNBC', 'SPH', 'VGH'][n % 3]},2026-11-{1 + n % 20:02d} {n % 24:02d}:15,"
        f"{20 + n % 50},{'FMU'[n % 3]},{POSTAL[n % 4]},{COMPLAINTS[n % 4]},{CODES[n % 4]},HOME"
        for n in range(60)
    ]
    corrected = rows[5].replace(",HOME", ",ADMITTED")
    return [*rows, rows[7], corrected, "V9999,SPH,not a time,30,F,V2L 3K5,OD,,HOME"]


def csv_bytes(rows: list[str]) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode()


def stored() -> list[tuple]:
    return sorted(
        (
            e.dedup_key,
            e.community_id,
            e.occurred_at,
            e.disposition,
            e.revision,
            tuple(sorted((m.definition.slug, m.reason) for m in e.matches.all())),
        )
        for e in Event.objects.prefetch_related("matches__definition")
    )


@pytest.fixture
def committed(bc_geography):
    load_default_definitions()
    yield
    EventMatch.objects.all().delete()
    Event.objects.all().delete()
    ReceivedMessage.objects.all().delete()


def ed_mapping():
    return load_mapping(shipped_mappings()["ed_line_list"].read_text())


@pytest.mark.django_db(transaction=True)
def test_two_connections_store_what_one_stores(committed):
    data = csv_bytes(line_list())
    two = import_csv(data, mapping=ed_mapping(), batch_size=7, two_connections_from=10)
    assert (two.rows_read, two.created, two.updated, two.duplicates, two.quarantined) == (
        63,
        60,
        1,
        1,
        1,
    )
    over_two = stored()
    assert Event.objects.get(dedup_key="csv:ed:VGH:V0005").disposition == "admitted"
    assert EventRevision.objects.get().previous["disposition"] == "discharged"
    assert EventMatch.objects.exists()

    EventMatch.objects.all().delete()
    Event.objects.all().delete()
    ReceivedMessage.objects.all().delete()
    one = import_csv(data, mapping=ed_mapping(), batch_size=7, two_connections_from=10**9)
    assert (one.created, one.updated, one.duplicates) == (60, 1, 1)
    assert stored() == over_two


@pytest.mark.django_db(transaction=True)
def test_the_same_big_file_again_stores_nothing(committed):
    data = csv_bytes(line_list())
    import_csv(data, mapping=ed_mapping(), batch_size=7, two_connections_from=10)
    before = stored()
    again = import_csv(data, mapping=ed_mapping(), batch_size=7, two_connections_from=10)
    assert (again.created, again.updated, again.duplicates, again.quarantined) == (0, 0, 62, 1)
    assert stored() == before
    assert ReceivedMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_lock_held_elsewhere_fails_the_import_whole_instead_of_hanging(committed, monkeypatch):
    monkeypatch.setattr(csv_import, "LOCK_TIMEOUT", "300ms")
    rows = line_list()
    database = settings.DATABASES["default"]
    with psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"],
        password=database["PASSWORD"],
        host=database["HOST"],
        port=database["PORT"] or 5432,
    ) as other:
        # Another transaction writes visit V0011 and has not committed yet.
        other.execute(
            "INSERT INTO surveillance_event (source, occurred_at, received_at, age_band, sex, "
            "chief_complaint, diagnosis_codes, disposition, facility, suspected_substances, "
            "source_record_id, dedup_key, placement, revision) VALUES ('ed', now(), now(), "
            "'unknown', 'U', '', '[]', 'unknown', 'VGH', '[]', 'V0011', 'csv:ed:VGH:V0011', "
            "'unknown', 1)"
        )
        with pytest.raises(OperationalError, match="lock timeout"):
            import_csv(csv_bytes(rows), mapping=ed_mapping(), batch_size=7, two_connections_from=10)
        other.rollback()
    assert not Event.objects.exists()
    assert not ReceivedMessage.objects.exists()
    summary = import_csv(
        csv_bytes(rows), mapping=ed_mapping(), batch_size=7, two_connections_from=10
    )
    assert summary.created == 60


@pytest.mark.django_db(transaction=True)
def test_a_big_file_overlapping_a_stored_one_stores_what_one_connection_stores(committed):
    rows = line_list()
    first, second = csv_bytes(rows[:30]), csv_bytes([*rows[20:60], rows[25].replace("HOME", "AMA")])
    import_csv(first, mapping=ed_mapping(), batch_size=7, two_connections_from=10)
    two = import_csv(second, mapping=ed_mapping(), batch_size=7, two_connections_from=10)
    # Rows 20-29 were stored by the first file; row 25 comes back corrected.
    assert (two.created, two.unchanged, two.updated) == (30, 10, 1)
    over_two = stored()
    assert len(over_two) == 60
    assert Event.objects.get(dedup_key="csv:ed:SPH:V0025").disposition == "left_ama"

    EventMatch.objects.all().delete()
    Event.objects.all().delete()
    ReceivedMessage.objects.all().delete()
    import_csv(first, mapping=ed_mapping(), batch_size=7, two_connections_from=10**9)
    one = import_csv(second, mapping=ed_mapping(), batch_size=7, two_connections_from=10**9)
    assert (one.created, one.unchanged, one.updated) == (30, 10, 1)
    assert stored() == over_two
