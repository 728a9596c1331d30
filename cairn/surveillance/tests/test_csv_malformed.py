"""Every kind of bad CSV input: a clear error or a quarantined row, never a crash."""

import pytest

from cairn.surveillance.intake.csv_import import CsvFileError, import_csv, load_mapping
from cairn.surveillance.intake.csv_import.mapping import MappingError
from cairn.surveillance.models import Event, QuarantinedRecord
from cairn.surveillance.tests.test_csv_import import ED_HEADER, ED_ROWS, csv_bytes, mapping


def import_ed(rows, **kwargs):
    return import_csv(csv_bytes(ED_HEADER, rows), mapping=mapping("ed_line_list"), **kwargs)


def only_quarantined() -> QuarantinedRecord:
    return QuarantinedRecord.objects.get()


def test_a_bad_date_is_quarantined_and_the_good_rows_accepted(bc_geography):
    bad = ED_ROWS[1].replace("2026-11-21 01:40", "21/11/2026 1:40am")
    summary = import_ed([ED_ROWS[0], bad, ED_ROWS[2]])
    assert (summary.created, summary.quarantined) == (2, 1)
    record = only_quarantined()
    assert record.format == "csv"
    assert record.source == "ed"
    assert record.location == "line 3, column arrival_datetime"
    assert "'21/11/2026 1:40am' is not a date and time in the format %Y-%m-%d %H:%M" in (
        record.reason
    )
    assert record.reason.endswith("(like 2026-01-31 14:05)")  # the format, as a person reads it
    assert record.raw == bad
    assert record.context["header"] == ED_HEADER.split(",")
    assert "arrival_datetime" in record.context["mapping"]


def test_an_unknown_sex_code_is_quarantined(bc_geography):
    import_ed([ED_ROWS[0].replace(",34,M,", ",34,Q,")])
    record = only_quarantined()
    assert record.location == "line 2, column sex"
    assert "unknown sex code 'Q'" in record.reason


def test_an_unknown_disposition_is_quarantined(bc_geography):
    import_ed([ED_ROWS[0].replace(",HOME", ",ELOPED")])
    assert "unknown disposition 'ELOPED'" in only_quarantined().reason


def test_a_missing_visit_number_is_quarantined(bc_geography):
    import_ed([ED_ROWS[0].replace("V1001,", ",", 1)])
    record = only_quarantined()
    assert record.location == "line 2, column visit_number"
    assert record.reason == "a value is required"


def test_a_row_with_too_few_fields_is_quarantined(bc_geography):
    import_ed(["V1009,UHNBC,2026-11-20 22:15"])
    record = only_quarantined()
    assert record.location == "line 2"
    assert "expected 9 fields as in the header, found 3" in record.reason


def test_a_huge_field_is_quarantined(bc_geography):
    import_ed([ED_ROWS[0].replace("found down", "x" * 5000)])
    record = only_quarantined()
    assert record.location == "line 2, column chief_complaint"
    assert "5011 characters, longer than the 2000 allowed" in record.reason


def test_a_field_beyond_the_csv_limit_is_quarantined_and_the_rest_read(bc_geography):
    summary = import_ed([ED_ROWS[0].replace("found down", "y" * 200_000), ED_ROWS[1]])
    assert (summary.created, summary.quarantined) == (1, 1)
    assert "cannot be read" in only_quarantined().reason


def test_the_same_bad_row_twice_is_quarantined_once(bc_geography):
    bad = ED_ROWS[0].replace(",34,M,", ",34,Q,")
    import_ed([bad])
    import_ed([bad])
    assert QuarantinedRecord.objects.count() == 1


def test_missing_columns_are_named_before_anything_is_imported(bc_geography):
    header = ED_HEADER.replace("disposition", "outcome").replace("sex,", "gender,")
    with pytest.raises(CsvFileError, match="lacks the column\\(s\\) the mapping needs: sex, disp"):
        import_csv(csv_bytes(header, ED_ROWS), mapping=mapping("ed_line_list"))
    assert not Event.objects.exists()


def test_a_wrong_delimiter_is_explained(bc_geography):
    rows = [row.replace(",", ";") for row in [ED_HEADER, *ED_ROWS]]
    with pytest.raises(CsvFileError, match="is the delimiter ';' rather than ','"):
        import_csv(csv_bytes(rows[0], rows[1:]), mapping=mapping("ed_line_list"))


def test_a_file_that_is_not_utf8_is_refused(bc_geography):
    data = csv_bytes(ED_HEADER, ED_ROWS).replace(b"chest", "ch\xe9st".encode("latin-1"))
    with pytest.raises(CsvFileError, match="not UTF-8: byte 0xe9 on line 4"):
        import_csv(data, mapping=mapping("ed_line_list"))
    assert not Event.objects.exists()


def test_an_empty_file_is_refused(bc_geography):
    with pytest.raises(CsvFileError, match="empty"):
        import_csv(b"\xef\xbb\xbf\r\n", mapping=mapping("ed_line_list"))


def test_blank_lines_are_skipped(bc_geography):
    summary = import_ed([ED_ROWS[0], "", ED_ROWS[1]])
    assert (summary.rows_read, summary.created, summary.quarantined) == (2, 2, 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("source: ed\ncolumns: [oops\n", "mapping: not valid YAML (line 3, column 1)"),
        ("- just\n- a list\n", "mapping: must be a YAML mapping"),
        ("source: hospital\ncolumns: {occurred_at: when}", "mapping source: must be one of"),
        ("source: ed\ncolumns: {facility: f}", "mapping columns.occurred_at: is required"),
        ("source: ed\ncolumns: {occurred_at: w, colour: c}", "mapping columns.colour: unknown"),
        (
            "source: ed\ncolumns: {occurred_at: w, sex: {column: s, values: {Q: Z}}}",
            "mapping columns.sex.values.Q: 'Z' is not one of",
        ),
        (
            "source: ed\ncolumns: {occurred_at: {column: w, format: 'yyyy-mm-dd'}}",
            "mapping columns.occurred_at.format: must be a strftime format",
        ),
        ("source: ed\ndelimiter: ';;'\ncolumns: {occurred_at: w}", "mapping delimiter:"),
        ("source: ed\ntimezone: Mars/Base\ncolumns: {occurred_at: w}", "mapping timezone:"),
        ("source: ed\ncolumns: {occurred_at: w, latitude: y}", "mapping columns.longitude:"),
        ("source: ed\ncolumns: {occurred_at: w}\nconstants: {sex: Q}", "mapping constants.sex"),
        ("source: ed\ncolour: red\ncolumns: {occurred_at: w}", "mapping colour: unknown key"),
    ],
)
def test_a_bad_mapping_names_the_wrong_key(text, message):
    with pytest.raises(MappingError) as error:
        load_mapping(text)
    assert str(error.value).startswith(message)
