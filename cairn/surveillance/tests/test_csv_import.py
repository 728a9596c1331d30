"""CSV import through `import_csv` and `cairn ingest csv`, with each shipped mapping."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from cairn.access.models import AuditEvent
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.intake.csv_import import (
    CsvFileError,
    import_csv,
    load_mapping,
    shipped_mappings,
)
from cairn.surveillance.models import (
    Event,
    EventIdentity,
    EventRevision,
    QuarantinedRecord,
    ReceivedMessage,
)

ED_HEADER = (
    "visit_number,facility_code,arrival_datetime,age_years,sex,postal_code,"
    "chief_complaint,discharge_diagnoses,disposition"
)
ED_ROWS = [
    'V1001,UHNBC,2026-11-20 22:15,34,M,V2L 3K5,"found down, narcan x2",T40.4X1A;F11.20,HOME',
    "V1002,UHNBC,2026-11-21 01:40,27,F,V2M 1A1,meth od agitated,T43.621A,ADMITTED",
    "V1003,SPH,2026-11-21 03:05,51,U,V6Z 1Y6,chest pain,R07.9,DISCHARGED",
]
PARAMEDIC_HEADER = (
    "incident_number,incident_date,incident_time,latitude,longitude,age_group,gender,"
    "narrative,naloxone_doses,outcome,deceased"
)
PARAMEDIC_ROWS = [
    "P-55001,20/11/2026,23:05,53.9171,-122.7497,30-34,M,unresponsive resp depressed narcan 2 doses "
    "IN,2,TRANSPORTED,N",
    "P-55002,21/11/2026,02:10,49.2827,-123.1207,25-29,F,suspected fentanyl OD,3,DOA,Y",
]
CORONER_HEADER = (
    "case_number,date_of_death,injury_lha,residence_postal_code,date_of_birth,sex,"
    "cause_codes,circumstances,drugs_detected,given_name,family_name"
)
CORONER_ROWS = [
    "2026-0421,2026-11-18,bc-lha-prince-george,V2L 3K5,1988-04-02,M,X42|T40.4,"
    "found in residence,fentanyl;etizolam,Testa,Synthetic-000101",
]


def mapping(name: str):
    return load_mapping(shipped_mappings()[name].read_text())


def csv_bytes(header: str, rows: list[str], *, bom: bool = False) -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


@pytest.fixture
def definitions(db):
    load_default_definitions()


def test_ed_line_list_is_imported_placed_and_classified(bc_geography, prince_george, definitions):
    summary = import_csv(csv_bytes(ED_HEADER, ED_ROWS), mapping=mapping("ed_line_list"))
    assert (summary.rows_read, summary.created, summary.quarantined) == (3, 3, 0)
    event = Event.objects.get(dedup_key="csv:ed:UHNBC:V1001")
    assert event.source == "ed"
    assert event.community == prince_george
    assert event.placement == "postal_code"
    assert event.age_band == "30-34"
    assert event.sex == "M"
    assert event.disposition == "discharged"
    assert event.diagnosis_codes == ["T40.4X1A", "F11.20"]
    assert event.occurred_at == dt.datetime(2026, 11, 21, 6, 15, tzinfo=dt.UTC)  # PST
    assert {m.definition.slug for m in event.matches.all()} >= {"opioid", "fentanyl"}
    # The file is the transmission: one received message for it, none per row.
    assert ReceivedMessage.objects.filter(format="csv").count() == 1
    assert Event.objects.get(dedup_key="csv:ed:SPH:V1003").community.code == (
        "bc-lha-vancouver-city-centre"
    )


def test_utf8_with_bom_reads_the_first_column(bc_geography):
    summary = import_csv(
        csv_bytes(ED_HEADER, ED_ROWS[:1], bom=True), mapping=mapping("ed_line_list")
    )
    assert summary.created == 1


def test_paramedic_reports_are_placed_by_map_point(bc_geography, prince_george):
    summary = import_csv(
        csv_bytes(PARAMEDIC_HEADER, PARAMEDIC_ROWS), mapping=mapping("paramedic_reports")
    )
    assert (summary.created, summary.quarantined) == (2, 0)
    call = Event.objects.get(dedup_key="csv:paramedic:BCEHS:P-55001")
    assert call.community == prince_george
    assert call.placement == "point"
    assert call.naloxone_doses == 2
    assert call.disposition == "transported"
    assert call.fatal is False
    assert call.occurred_at == dt.datetime(2026, 11, 21, 7, 5, tzinfo=dt.UTC)
    death = Event.objects.get(dedup_key="csv:paramedic:BCEHS:P-55002")
    assert (death.fatal, death.disposition, death.age_band) == (True, "died", "25-29")


def test_coroner_deaths_keep_names_apart(bc_geography, prince_george):
    summary = import_csv(csv_bytes(CORONER_HEADER, CORONER_ROWS), mapping=mapping("coroner_deaths"))
    assert summary.created == 1
    death = Event.objects.get(dedup_key="csv:coroner:BC Coroners Service:2026-0421")
    assert death.community == prince_george
    assert death.placement == "code"
    assert (death.fatal, death.disposition, death.age_band) == (True, "died", "35-39")
    assert death.suspected_substances == ["fentanyl", "etizolam"]
    identity = EventIdentity.objects.get(event=death)
    assert identity.family_name == "Synthetic-000101"
    assert identity.date_of_birth == dt.date(1988, 4, 2)


def test_the_same_file_twice_creates_nothing_new(bc_geography):
    data = csv_bytes(ED_HEADER, ED_ROWS)
    import_csv(data, mapping=mapping("ed_line_list"))
    again = import_csv(data, mapping=mapping("ed_line_list"))
    assert (again.created, again.updated, again.duplicates) == (0, 0, 3)
    assert Event.objects.count() == 3
    assert ReceivedMessage.objects.count() == 1
    assert not EventRevision.objects.exists()


def test_the_same_rows_in_another_file_are_left_unchanged(bc_geography):
    import_csv(csv_bytes(ED_HEADER, ED_ROWS), mapping=mapping("ed_line_list"))
    reordered = import_csv(
        csv_bytes(ED_HEADER, [ED_ROWS[2], ED_ROWS[0], ED_ROWS[1]]), mapping=mapping("ed_line_list")
    )
    assert (reordered.created, reordered.updated, reordered.unchanged) == (0, 0, 3)
    assert Event.objects.count() == 3
    assert not EventRevision.objects.exists()
    assert set(Event.objects.values_list("revision", flat=True)) == {1}


def test_the_same_file_under_another_mapping_is_read_again(bc_geography):
    data = csv_bytes(ED_HEADER, ED_ROWS)
    import_csv(data, mapping=mapping("ed_line_list"))
    text = shipped_mappings()["ed_line_list"].read_text().replace("  record_id: visit_number\n", "")
    summary = import_csv(data, mapping=load_mapping(text))
    assert (summary.created, summary.duplicates) == (3, 0)  # keyed by content this time
    assert Event.objects.count() == 6


def test_a_row_repeated_in_one_file_counts_once(bc_geography):
    summary = import_csv(
        csv_bytes(ED_HEADER, [ED_ROWS[0], ED_ROWS[0]]), mapping=mapping("ed_line_list")
    )
    assert (summary.created, summary.duplicates) == (1, 1)


def test_a_changed_disposition_updates_the_visit_and_keeps_a_revision(bc_geography):
    import_csv(csv_bytes(ED_HEADER, ED_ROWS), mapping=mapping("ed_line_list"))
    changed = ED_ROWS[1].replace("ADMITTED", "AMA")
    summary = import_csv(csv_bytes(ED_HEADER, [changed]), mapping=mapping("ed_line_list"))
    assert (summary.created, summary.updated) == (0, 1)
    visit = Event.objects.get(dedup_key="csv:ed:UHNBC:V1002")
    assert (visit.disposition, visit.revision) == ("left_ama", 2)
    revision = EventRevision.objects.get(event=visit)
    assert revision.previous["disposition"] == "admitted"
    assert revision.revision == 1


def test_an_older_extract_sent_again_does_not_undo_a_correction(bc_geography):
    import_csv(csv_bytes(ED_HEADER, ED_ROWS), mapping=mapping("ed_line_list"))
    changed = ED_ROWS[1].replace("ADMITTED", "AMA")
    import_csv(csv_bytes(ED_HEADER, [changed]), mapping=mapping("ed_line_list"))
    # Last week's extract again, as another file (its rows in another order).
    older = import_csv(
        csv_bytes(ED_HEADER, [ED_ROWS[1], ED_ROWS[0], ED_ROWS[2]]), mapping=mapping("ed_line_list")
    )
    assert (older.created, older.updated, older.unchanged) == (0, 0, 3)
    visit = Event.objects.get(dedup_key="csv:ed:UHNBC:V1002")
    assert (visit.disposition, visit.revision) == ("left_ama", 2)
    assert EventRevision.objects.count() == 1


def test_a_visit_and_its_correction_in_one_file_keep_both(bc_geography):
    changed = ED_ROWS[1].replace("ADMITTED", "AMA")
    summary = import_csv(
        csv_bytes(ED_HEADER, [ED_ROWS[1], changed]), mapping=mapping("ed_line_list")
    )
    assert (summary.created, summary.updated) == (1, 1)
    assert Event.objects.get(dedup_key="csv:ed:UHNBC:V1002").revision == 2


def test_one_import_writes_one_audit_event(bc_geography):
    import_csv(csv_bytes(ED_HEADER, ED_ROWS), mapping=mapping("ed_line_list"), name="ed.csv")
    audit = AuditEvent.objects.get(action="intake.csv_import")
    assert audit.target_id == "ed.csv"
    assert audit.details["created"] == 3
    assert not AuditEvent.objects.filter(action__startswith="intake.created").exists()


def test_rows_without_a_record_id_are_keyed_by_their_content(bc_geography):
    text = shipped_mappings()["ed_line_list"].read_text().replace("  record_id: visit_number\n", "")
    data = csv_bytes(ED_HEADER, ED_ROWS)
    first = import_csv(data, mapping=load_mapping(text))
    second = import_csv(data, mapping=load_mapping(text))
    assert (first.created, second.duplicates) == (3, 3)
    assert Event.objects.filter(dedup_key__startswith="csv:ed:").count() == 3


def test_the_command_imports_files_and_prints_a_summary(bc_geography, tmp_path):
    path = tmp_path / "ed.csv"
    path.write_bytes(csv_bytes(ED_HEADER, ED_ROWS))
    out = io.StringIO()
    call_command(
        "ingest", "csv", "--mapping", str(shipped_mappings()["ed_line_list"]), str(path), stdout=out
    )
    assert "3 rows read, 3 created" in out.getvalue()
    assert Event.objects.count() == 3


def test_the_command_refuses_a_bad_mapping(bc_geography, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("source: ed\ncolumns: [oops\n")
    data = tmp_path / "ed.csv"
    data.write_bytes(csv_bytes(ED_HEADER, ED_ROWS))
    with pytest.raises(CommandError, match="not valid YAML"):
        call_command("ingest", "csv", "--mapping", str(bad), str(data), stdout=io.StringIO())


def test_the_command_reports_a_file_it_cannot_import(bc_geography, tmp_path):
    data = tmp_path / "latin1.csv"
    data.write_bytes(csv_bytes(ED_HEADER, ED_ROWS).replace(b"chest", "ch\xe9st".encode("latin-1")))
    with pytest.raises(CommandError, match="latin1.csv"):
        call_command(
            "ingest",
            "csv",
            "--mapping",
            str(shipped_mappings()["ed_line_list"]),
            str(data),
            stdout=io.StringIO(),
        )
    assert Event.objects.count() == 0


def test_header_only_imports_nothing(bc_geography):
    summary = import_csv(csv_bytes(ED_HEADER, []), mapping=mapping("ed_line_list"))
    assert (summary.rows_read, summary.created) == (0, 0)


def test_an_empty_file_is_refused(bc_geography):
    with pytest.raises(CsvFileError, match="empty"):
        import_csv(b"", mapping=mapping("ed_line_list"))


def test_quarantined_rows_are_listed_in_the_summary(bc_geography):
    bad = ED_ROWS[0].replace("2026-11-20 22:15", "yesterday")
    summary = import_csv(csv_bytes(ED_HEADER, [bad]), mapping=mapping("ed_line_list"))
    assert summary.quarantined_ids == list(QuarantinedRecord.objects.values_list("pk", flat=True))


def test_small_batches_give_the_same_result(bc_geography):
    changed = ED_ROWS[1].replace("ADMITTED", "AMA")
    rows = [ED_ROWS[0], ED_ROWS[1], ED_ROWS[0], ED_ROWS[2], changed, ED_ROWS[2]]
    summary = import_csv(csv_bytes(ED_HEADER, rows), mapping=mapping("ed_line_list"), batch_size=2)
    assert (summary.created, summary.updated, summary.duplicates) == (3, 1, 2)
    assert Event.objects.get(dedup_key="csv:ed:UHNBC:V1002").disposition == "left_ama"
    assert ReceivedMessage.objects.count() == 1


def test_the_fast_path_writes_the_lines_the_record_path_writes(bc_geography, definitions):
    from django.db import transaction

    from cairn.surveillance.intake.bulk import Stage
    from cairn.surveillance.intake.csv_import.rows import RowParser, row_hash
    from cairn.surveillance.intake.csv_import.staging import RowLines

    rows = [
        *ED_ROWS,
        "V1004,,2026-11-21 04:00,,,,,, ",  # empty cells: constants and defaults
        "V1005,VGH,2026-11-21 05:00,90,FEMALE,ZZZ,OD,t40.1x1a ; f11.20,lwbs",
        "V1006,VGH,2026-03-08 02:30,44,M,v2l3k5,OD,,HOME",  # no 02:30 that night (DST)
        "V1007,VGH,2026-11-01 01:30,44,M,98101,OD,,HOME",  # 01:30 twice that night; a ZIP
    ]
    parser = RowParser(mapping("ed_line_list"), ED_HEADER.split(","))
    with transaction.atomic():
        stage = Stage()
        lines = RowLines(parser, stage)
        assert lines.fast
        for index, row in enumerate(rows):
            values = next(iter(__import__("csv").reader([row])))
            key = row_hash(values)
            fast = lines._fast_line(values, key, index)
            assert fast == lines.slow_line(values, key, index), row
        stage.close()


def test_text_with_tabs_newlines_and_backslashes_is_stored_exactly(bc_geography):
    complaint = 'found down\\n "c:\\\\temp"\twith a tab\nand a second line'
    quoted = complaint.replace('"', '""')
    row = f'V2001,UHNBC,2026-11-20 22:15,34,M,V2L 3K5,"{quoted}",,HOME'
    summary = import_csv(csv_bytes(ED_HEADER, [row]), mapping=mapping("ed_line_list"))
    assert (summary.created, summary.quarantined) == (1, 0)
    assert Event.objects.get(dedup_key="csv:ed:UHNBC:V2001").chief_complaint == complaint.strip()
