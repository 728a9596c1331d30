"""`cairn surveillance classify` and `reclassify` from the command line."""

import csv

import pytest
from django.core.management import CommandError, call_command

from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models import EventMatch, JobStatus, ReclassificationJob
from cairn.surveillance.tests.factories import EventFactory


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def classify(tmp_path, text, **kwargs):
    source = write(tmp_path / "visits.csv", text)
    out = tmp_path / "out.csv"
    call_command("surveillance", "classify", "--input", str(source), "--output", str(out), **kwargs)
    return read_rows(out)


def test_classify_writes_definitions_and_reasons(tmp_path):
    rows = classify(
        tmp_path,
        "id,chief_complaint,discharge_diagnosis\n"
        'v1,"found down, narcan given",\n'
        "v2,chest pain,T40.1X1A;R07.4\n"
        "v3,denies drug use,R42\n"
        'v4,"OD ?fentanyl","R40.2, T40.4"\n'
        "v5,,F11.20 F17.2\n",
        definitions="shipped",
    )
    assert [r["id"] for r in rows] == ["v1", "v2", "v3", "v4", "v5"]
    assert rows[0]["definitions"] == "all_drug;opioid"
    assert 'opioid: chief complaint: "narcan"' in rows[0]["matched"]
    assert rows[1]["definitions"] == "all_drug;opioid;heroin;ca_opioid"
    assert rows[1]["matched"].startswith("all_drug: code T40.1X1A")
    assert rows[2]["definitions"] == ""
    assert rows[3]["definitions"] == "all_drug;opioid;fentanyl;ca_opioid"
    assert rows[4]["definitions"] == "ca_opioid"


def test_classify_accepts_columns_in_any_order(tmp_path):
    rows = classify(
        tmp_path,
        "discharge_diagnosis,extra,ID,chief_complaint\nT43.651A,x,9,agitated\n",
        definitions="shipped",
    )
    assert rows == [{"id": "9", "definitions": "all_drug;stimulant", "matched": rows[0]["matched"]}]


@pytest.mark.django_db
def test_classify_uses_the_published_definitions(tmp_path):
    load_default_definitions()
    rows = classify(tmp_path, "id,chief_complaint,discharge_diagnosis\n1,,T40.6\n")
    assert rows[0]["definitions"] == "all_drug;opioid;ca_opioid"


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"nope\.csv: no such file"):
        call_command(
            "surveillance",
            "classify",
            "--input",
            str(tmp_path / "nope.csv"),
            "--output",
            str(tmp_path / "out.csv"),
            definitions="shipped",
        )


def test_missing_column_is_named(tmp_path):
    with pytest.raises(
        CommandError, match=r"visits\.csv line 1: missing column\(s\) discharge_diagnosis"
    ):
        classify(tmp_path, "id,chief_complaint\n1,OD\n", definitions="shipped")


def test_short_row_names_the_line(tmp_path):
    with pytest.raises(CommandError, match=r"visits\.csv line 3: 2 field\(s\)"):
        classify(
            tmp_path,
            "id,chief_complaint,discharge_diagnosis\n1,OD,\n2,OD\n",
            definitions="shipped",
        )


def test_empty_file_and_bad_encoding_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="empty"):
        classify(tmp_path, "", definitions="shipped")
    (tmp_path / "latin.csv").write_bytes(
        b"id,chief_complaint,discharge_diagnosis\n1,surdose \xe9thanol,\n"
    )
    with pytest.raises(CommandError, match="UTF-8"):
        call_command(
            "surveillance",
            "classify",
            "--input",
            str(tmp_path / "latin.csv"),
            "--output",
            str(tmp_path / "out.csv"),
            definitions="shipped",
        )


@pytest.mark.django_db
def test_reclassify_runs_queued_jobs(capsys):
    load_default_definitions()
    event = EventFactory(chief_complaint="heroin overdose", diagnosis_codes=[])
    job = ReclassificationJob.objects.create()
    call_command("surveillance", "reclassify")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == 1
    assert EventMatch.objects.filter(event=event, definition__slug="heroin").exists()
    assert f"Job {job.pk} done" in capsys.readouterr().out


@pytest.mark.django_db
def test_reclassify_unknown_job_is_a_clear_error():
    with pytest.raises(CommandError, match="No re-classification job 999999"):
        call_command("surveillance", "reclassify", "--job", "999999")
