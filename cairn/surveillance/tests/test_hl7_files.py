"""`ingest_hl7_files`: files of one or many messages, CR or LF, with a summary and errors."""

import io

from django.core.management import call_command

from cairn.surveillance.intake.hl7.files import ingest_hl7_files, split_messages
from cairn.surveillance.models import Event, EventRevision, QuarantinedRecord
from cairn.surveillance.tests.hl7_samples import MESSAGES, hl7_message, with_field


def test_a_file_of_three_lf_separated_messages_is_one_visit_with_history(bc_geography):
    out = io.StringIO()
    summary = ingest_hl7_files([MESSAGES / "batch_one_visit_lf.hl7"], stdout=out)
    assert summary["messages"] == 3
    assert (summary["created"], summary["updated"]) == (1, 2)
    event = Event.objects.get()
    assert event.disposition == "discharged"
    assert EventRevision.objects.filter(event=event).count() == 2
    assert out.getvalue() == ""  # nothing rejected
    assert str(summary) == (
        "hl7: 3 messages from 1 file(s): 1 created, 2 updated, 0 unchanged, "
        "0 duplicate, 0 quarantined"
    )


def test_every_sample_file_imports_and_a_second_run_changes_nothing(bc_geography):
    files = sorted(MESSAGES.glob("*.hl7"))
    first = ingest_hl7_files(files, stdout=io.StringIO())
    assert first["quarantined"] == 0
    count = Event.objects.count()
    second = ingest_hl7_files(files, stdout=io.StringIO())
    assert second["duplicate"] == second["messages"] == first["messages"]
    assert Event.objects.count() == count


def test_errors_name_the_file_and_message_number(tmp_path, bc_geography):
    good = hl7_message("adt_a04_v251_fentanyl.hl7")
    bad = with_field(hl7_message("adt_a08_v251_fentanyl_update.hl7"), "PID", 7, "20261399")
    path = tmp_path / "mixed.hl7"
    path.write_bytes((good + bad + "garbage line\n").encode())
    out = io.StringIO()
    summary = ingest_hl7_files([path], stdout=out)
    assert summary["created"] == 1 and summary["quarantined"] == 1
    assert f"{path}: message 2: AE PID-7: birth date 20261399 is not a date" in out.getvalue()
    assert QuarantinedRecord.objects.get().location == "PID-7"


def test_a_file_that_is_not_hl7_is_quarantined_not_a_crash(tmp_path, db):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)))
    out = io.StringIO()
    summary = ingest_hl7_files([path, tmp_path / "missing.hl7"], stdout=out)
    assert summary["quarantined"] == 1
    assert f"{path}: message 1: AR MSH: not an HL7 v2 message" in out.getvalue()
    assert "missing.hl7: cannot be read" in out.getvalue()


def test_split_messages_handles_cr_lf_crlf_and_mllp_bytes():
    one = hl7_message("adt_a04_v251_fentanyl.hl7")
    two = hl7_message("adt_a01_v231_heroin_admitted.hl7")
    assert len(split_messages(one + two)) == 2
    assert len(split_messages((one + two).replace("\r", "\n"))) == 2
    assert len(split_messages((one + two).replace("\r", "\r\n"))) == 2
    assert len(split_messages("\x0b" + one + "\x1c\r\x0b" + two + "\x1c\r")) == 2


def test_cairn_ingest_hl7_prints_rejections_and_the_summary(tmp_path, bc_geography):
    bad = with_field(hl7_message("adt_a04_v251_fentanyl.hl7"), "PV1", 19, "")
    path = tmp_path / "one_bad.hl7"
    path.write_bytes(bad.encode())
    out = io.StringIO()
    call_command("ingest", "hl7", str(MESSAGES / "batch_one_visit_lf.hl7"), str(path), stdout=out)
    assert f"{path}: message 1: AE PV1-19: visit number missing" in out.getvalue()
    assert "hl7: 4 messages from 2 file(s): 1 created, 2 updated" in out.getvalue()
