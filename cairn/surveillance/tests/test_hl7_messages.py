"""Mapping HL7 v2 ADT messages to IncomingRecord: fields, versions, and every rejection."""

import datetime as dt

import pytest

from cairn.surveillance.intake.hl7.messages import (
    Hl7FieldError,
    UnreadableMessage,
    parse_message,
    parse_timestamp,
    record_from_message,
)
from cairn.surveillance.tests.hl7_samples import hl7_message, with_field, without_segment

FENTANYL_A04 = "adt_a04_v251_fentanyl.hl7"


def record(raw: str):
    return record_from_message(parse_message(raw))


def test_v251_a04_maps_every_surveillance_field():
    visit = record(hl7_message(FENTANYL_A04))
    assert visit.message_key == "hl7v2:UHNBC:UHNBC-20261120-0001"
    assert visit.dedup_key == "ed:UHNBC:V26-445120"
    assert visit.source == "ed" and visit.format == "hl7v2"
    assert visit.occurred_at == dt.datetime(2026, 11, 21, 6, 15, tzinfo=dt.UTC)
    assert visit.age_band == "30-34"  # born 1993-04-12, seen 2026-11-20
    assert visit.sex == "M"
    assert visit.postal_code == "V2L 3K5"
    assert visit.chief_complaint.startswith("found unresponsive, narcan x2 by EMS")
    assert "pinpoint pupils" in visit.chief_complaint  # triage note appended
    assert visit.revision_reason == "ADT^A04 UHNBC-20261120-0001"


def test_identity_is_kept_apart_and_pseudonyms_are_not_names():
    visit = record(hl7_message(FENTANYL_A04))
    assert visit.identity == {
        "family_name": "Synthetic-000101",
        "given_name": "Testa",
        "health_number": "9876543210",
        "date_of_birth": dt.date(1993, 4, 12),
        "postal_code": "V2L 3K5",
        "phone": "2505550101",
    }
    nist = record(hl7_message("nist_ss_003_32_adt_a03.hl7"))
    assert "family_name" not in nist.identity


def test_a03_discharge_left_against_medical_advice_with_icd10cm_codes():
    visit = record(hl7_message("adt_a03_v251_fentanyl_left_ama.hl7"))
    assert visit.disposition == "left_ama"
    assert visit.diagnosis_codes == ["T40.411A", "F11.20"]
    assert visit.dedup_key == "ed:UHNBC:V26-445120"


def test_v231_a01_with_text_chief_complaint_and_icd10ca_codes():
    visit = record(hl7_message("adt_a01_v231_heroin_admitted.hl7"))
    assert visit.chief_complaint == "OD on heroin, naloxone given by bystander, decreased LOC"
    assert visit.diagnosis_codes == ["T40.1", "X42"]
    assert visit.disposition == "admitted"
    assert visit.age_band == "45-49"
    assert visit.sex == "F"


def test_v231_a04_without_birth_date_uses_reported_age_and_ce_text():
    visit = record(hl7_message("adt_a04_v231_methamphetamine.hl7"))
    assert visit.age_band == "30-34"
    assert visit.chief_complaint == "agitation, chest pain after smoking crystal meth"
    assert visit.identity == {"postal_code": "V6Z 1Y6"}


@pytest.mark.parametrize(
    "name", ["phin_ss_example_adt_a04_v231.hl7", "phin_ss_example_adt_a04_v251.hl7"]
)
def test_public_phin_examples_in_both_versions_read_the_same(name):
    visit = record(hl7_message(name))
    assert visit.chief_complaint == "STOMACH ACHE"
    assert visit.diagnosis_codes == ["78900"]
    assert visit.age_band == "40-44"
    assert visit.postal_code == "33821"
    assert visit.dedup_key == "ed:OTHER REG MED CTR:V20220217-00274"


def test_public_nist_a03_reads_disposition_diagnoses_and_cwe9_complaint():
    visit = record(hl7_message("nist_ss_003_32_adt_a03.hl7"))
    assert visit.disposition == "admitted"  # PV1-36 09
    assert visit.diagnosis_codes == ["0074", "27651", "78791"]
    assert visit.chief_complaint == "Diarrhea, stomach pain, dehydration"


def test_lf_separated_segments_are_accepted():
    visit = record(hl7_message(FENTANYL_A04).replace("\r", "\n"))
    assert visit.dedup_key == "ed:UHNBC:V26-445120"


@pytest.mark.parametrize(
    ("change", "location", "reason"),
    [
        (
            lambda m: with_field(m, "PID", 7, "20261399"),
            "PID-7",
            "birth date 20261399 is not a date",
        ),
        (lambda m: with_field(m, "PID", 7, "20301212"), "PID-7", "birth date 20301212 is after"),
        (lambda m: with_field(m, "PV1", 19, ""), "PV1-19", "visit number missing"),
        (
            lambda m: with_field(m, "PV1", 44, "2026-11-20"),
            "PV1-44",
            "is not a valid HL7 timestamp",
        ),
        (lambda m: with_field(m, "MSH", 9, "ORU^R01^ORU_R01"), "MSH-9", "message type ORU"),
        (lambda m: with_field(m, "MSH", 9, "ADT^A02^ADT_A02"), "MSH-9", "event ADT^A02"),
        (lambda m: with_field(m, "MSH", 10, ""), "MSH-10", "message control id missing"),
        (lambda m: with_field(m, "MSH", 12, "3.0"), "MSH-12", "version 3.0"),
        (lambda m: without_segment(m, "PV1"), "PV1", "PV1 segment missing"),
        (lambda m: without_segment(m, "PID"), "PID", "PID segment missing"),
    ],
)
def test_understood_but_rejected_messages_name_segment_and_field(change, location, reason):
    with pytest.raises(Hl7FieldError) as error:
        record(change(hl7_message(FENTANYL_A04)))
    assert error.value.location == location
    assert reason in error.value.message


def test_sending_facility_missing_is_rejected():
    raw = with_field(hl7_message("adt_a04_v231_methamphetamine.hl7"), "MSH", 4, "")
    with pytest.raises(Hl7FieldError) as error:
        record(raw)
    assert str(error.value) == "MSH-4: sending facility missing"


def test_reported_age_that_is_not_a_number_is_rejected():
    raw = hl7_message("adt_a04_v231_methamphetamine.hl7").replace("||31|a^YEAR", "||thirty|a^YEAR")
    with pytest.raises(Hl7FieldError) as error:
        record(raw)
    assert str(error.value) == "OBX-5: age thirty is not a number"


@pytest.mark.parametrize(
    ("raw", "location", "reason"),
    [
        ("", "MSH", "empty message"),
        ("\r\n  \r", "MSH", "empty message"),
        ("PID|1||12345", "MSH", "does not start with an MSH segment"),
        ("hello, is this the lab?", "MSH", "does not start with an MSH segment"),
        ("\x00\x01\xff\xfe binary", "MSH", "does not start with an MSH segment"),
        ("MSH|^~|||", "MSH-2", "encoding characters"),
        ("MSH|^^^^|EDIS|UHNBC", "MSH-2", "encoding characters"),
        ("MSHA^~\\&|EDIS", "MSH-1", "field separator 'A'"),
    ],
)
def test_unreadable_input_is_refused_with_a_reason(raw, location, reason):
    with pytest.raises(UnreadableMessage) as error:
        parse_message(raw)
    assert error.value.location == location
    assert reason in error.value.message


def test_timestamps_with_and_without_offset():
    assert parse_timestamp("20261120221500-0800") == dt.datetime(2026, 11, 21, 6, 15, tzinfo=dt.UTC)
    assert parse_timestamp("202611202215").tzinfo is not None  # local time (settings.TIME_ZONE)
    assert parse_timestamp("20261120221500.1234+0000").minute == 15
    assert parse_timestamp("2026") == parse_timestamp("20260101")
    assert parse_timestamp("20261332") is None
    assert parse_timestamp("yesterday") is None
