"""The CSV upload page and the quarantine pages: who may use them, and what they do."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cairn.access.models import AuditEvent
from cairn.access.personas import PERSONAS
from cairn.surveillance.intake.pipeline import quarantine_record
from cairn.surveillance.models import Event, QuarantinedRecord
from cairn.surveillance.tests.test_csv_import import ED_HEADER, ED_ROWS, csv_bytes

OTHERS = sorted(set(PERSONAS) - {"epidemiologist"})
BAD_ROW = ED_ROWS[0].replace(",34,M,", ",34,Q,")


def upload(client, data: bytes, *, mapping="ed_line_list", mapping_file=None):
    fields = {"csv_file": SimpleUploadedFile("ed.csv", data, content_type="text/csv")}
    if mapping_file is not None:
        fields["mapping_file"] = SimpleUploadedFile("m.yml", mapping_file)
    else:
        fields["mapping"] = mapping
    return client.post(reverse("quarantine:csv_import"), fields)


def quarantined_csv_row(client) -> QuarantinedRecord:
    upload(client, csv_bytes(ED_HEADER, [BAD_ROW]))
    return QuarantinedRecord.objects.get(format="csv")


def test_the_epidemiologist_uploads_a_csv_and_sees_the_summary(client, epidemiologist):
    client.force_login(epidemiologist)
    response = upload(client, csv_bytes(ED_HEADER, [*ED_ROWS, BAD_ROW.replace("V1001", "V1009")]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Imported ed.csv" in page
    assert "See the 1 quarantined row" in page
    assert Event.objects.count() == 3
    audit = AuditEvent.objects.get(action="intake.csv_import")
    assert audit.actor_username == epidemiologist.get_username()


def test_the_shipped_mappings_are_offered_by_what_they_read(client, epidemiologist):
    client.force_login(epidemiologist)
    page = client.get(reverse("quarantine:csv_import")).content.decode()
    assert '<option value="ed_line_list">Emergency-department visits line list' in page
    assert '<option value="coroner_deaths">Coroner unregulated-drug death extract' in page
    assert "Ed line list" not in page


def test_an_uploaded_mapping_is_validated(client, epidemiologist):
    client.force_login(epidemiologist)
    response = upload(client, csv_bytes(ED_HEADER, ED_ROWS), mapping_file=b"source: ed\n")
    assert response.status_code == 200
    assert "mapping columns: must map fields to CSV columns" in response.content.decode()
    assert not Event.objects.exists()


def test_a_file_level_problem_is_shown_not_a_500(client, epidemiologist):
    client.force_login(epidemiologist)
    response = upload(client, b"\xff\xfe" + "visit".encode("utf-16-le"))
    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()


@pytest.mark.parametrize("who", OTHERS)
def test_only_the_intake_manager_may_upload(client, personas, who):
    client.force_login(personas[who])
    assert upload(client, csv_bytes(ED_HEADER, ED_ROWS)).status_code == 403
    assert not Event.objects.exists()


@pytest.mark.parametrize("who", OTHERS)
def test_others_cannot_open_a_quarantined_record(client, personas, epidemiologist, who):
    client.force_login(epidemiologist)
    record = quarantined_csv_row(client)
    client.force_login(personas[who])
    assert client.get(reverse("quarantine:detail", args=[record.pk])).status_code == 403
    post = client.post(reverse("quarantine:discard", args=[record.pk]), {"reason": "x"})
    assert post.status_code == 403
    record.refresh_from_db()
    assert record.status == "open"


def test_the_list_shows_every_format_with_reason_and_location(client, epidemiologist):
    quarantine_record(format="hl7v2", raw="MSH|^~\\&|bad", reason="PID missing", location="PID")
    quarantine_record(format="fhir", raw="{}", reason="not a Bundle", location="Bundle")
    client.force_login(epidemiologist)
    quarantined_csv_row(client)
    page = client.get(reverse("quarantine:list")).content.decode()
    assert "PID missing" in page and "not a Bundle" in page and "unknown sex code" in page
    assert "line 2, column sex" in page
    only_fhir = client.get(reverse("quarantine:list"), {"format": "fhir"}).content.decode()
    assert "not a Bundle" in only_fhir and "PID missing" not in only_fhir


def test_opening_a_record_shows_the_raw_input_and_is_audited(client, epidemiologist):
    client.force_login(epidemiologist)
    record = quarantined_csv_row(client)
    page = client.get(reverse("quarantine:detail", args=[record.pk])).content.decode()
    assert "unknown sex code" in page
    assert "V1001" in page
    assert "arrival_datetime" in page  # the header
    audit = AuditEvent.objects.get(action="quarantine.view")
    assert audit.target_id == str(record.pk)


def test_a_corrected_csv_row_is_reprocessed(client, epidemiologist):
    client.force_login(epidemiologist)
    record = quarantined_csv_row(client)
    response = client.post(
        reverse("quarantine:reprocess", args=[record.pk]), {"raw": ED_ROWS[0]}, follow=True
    )
    assert "Re-processed" in response.content.decode()
    record.refresh_from_db()
    event = Event.objects.get(dedup_key="csv:ed:UHNBC:V1001")
    assert (record.status, record.event_id) == ("reprocessed", event.pk)
    assert record.resolved_by == epidemiologist.get_username()
    assert record.context["corrected"] == ED_ROWS[0]
    assert AuditEvent.objects.filter(action="quarantine.reprocess").exists()


def test_a_correction_still_wrong_stays_open_with_the_new_reason(client, epidemiologist):
    client.force_login(epidemiologist)
    record = quarantined_csv_row(client)
    still_bad = ED_ROWS[0].replace("2026-11-20 22:15", "soon")
    response = client.post(
        reverse("quarantine:reprocess", args=[record.pk]), {"raw": still_bad}, follow=True
    )
    assert "Still not accepted" in response.content.decode()
    record.refresh_from_db()
    assert record.status == "open"
    assert "'soon' is not a date and time" in record.reason
    assert record.location == "line 2, column arrival_datetime"
    assert record.raw == BAD_ROW
    assert AuditEvent.objects.filter(action="quarantine.reprocess_failed").exists()
    assert not Event.objects.exists()


def test_a_record_is_discarded_with_a_reason(client, epidemiologist):
    client.force_login(epidemiologist)
    record = quarantined_csv_row(client)
    refused = client.post(reverse("quarantine:discard", args=[record.pk]), {"reason": " "})
    assert refused.status_code == 302
    record.refresh_from_db()
    assert record.status == "open"
    client.post(reverse("quarantine:discard", args=[record.pk]), {"reason": "test extract"})
    record.refresh_from_db()
    assert record.status == "discarded"
    audit = AuditEvent.objects.get(action="quarantine.discard")
    assert audit.summary == "test extract"


def test_a_fhir_correction_goes_through_the_fhir_reader(client, epidemiologist):
    record = quarantine_record(format="fhir", raw="{not json", reason="not JSON", location="")
    client.force_login(epidemiologist)
    client.post(reverse("quarantine:reprocess", args=[record.pk]), {"raw": json.dumps([1])})
    record.refresh_from_db()
    assert record.status == "open"
    assert record.reason != "not JSON"


def test_an_hl7_correction_goes_through_the_hl7_parser(client, epidemiologist):
    record = quarantine_record(format="hl7v2", raw="garbage", reason="no MSH", location="MSH")
    client.force_login(epidemiologist)
    client.post(reverse("quarantine:reprocess", args=[record.pk]), {"raw": "still garbage"})
    record.refresh_from_db()
    assert record.status == "open"
    assert "MSH" in record.reason


def test_a_corrected_hl7_message_is_reprocessed(client, epidemiologist):
    sample = Path(__file__).parent / "hl7_messages" / "adt_a04_v251_fentanyl.hl7"
    good = sample.read_text()
    record = quarantine_record(
        format="hl7v2", raw=good.replace("PID|", "PIX|"), reason="PID missing", location="PID"
    )
    client.force_login(epidemiologist)
    client.post(reverse("quarantine:reprocess", args=[record.pk]), {"raw": good})
    record.refresh_from_db()
    assert record.status == "reprocessed", record.reason
    assert Event.objects.filter(pk=record.event_id).exists()


def test_a_corrected_fhir_bundle_is_reprocessed(client, epidemiologist):
    good = (Path(__file__).parent / "fhir_bundles" / "r4_transaction_fentanyl.json").read_text()
    record = quarantine_record(format="fhir", raw=good[:40], reason="not JSON", location="")
    client.force_login(epidemiologist)
    client.post(reverse("quarantine:reprocess", args=[record.pk]), {"raw": good})
    record.refresh_from_db()
    assert record.status == "reprocessed", record.reason
    assert Event.objects.filter(pk=record.event_id).exists()
