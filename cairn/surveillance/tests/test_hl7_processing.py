"""HL7 messages through the intake pipeline: once only, updates with history, ACKs, quarantine."""

import hl7
import pytest

from cairn.access.models import AuditEvent
from cairn.surveillance.intake.hl7.processing import process_messages
from cairn.surveillance.models import (
    Event,
    EventIdentity,
    EventRevision,
    QuarantinedRecord,
    ReceivedMessage,
)
from cairn.surveillance.tests.hl7_samples import hl7_message, with_field

A04 = "adt_a04_v251_fentanyl.hl7"
A08 = "adt_a08_v251_fentanyl_update.hl7"
A03 = "adt_a03_v251_fentanyl_left_ama.hl7"


def msa(ack: str) -> list[str]:
    return [str(field) for field in hl7.parse(ack).segment("MSA")]


def test_an_overdose_visit_is_stored_placed_and_acknowledged(bc_geography, prince_george):
    [reply] = process_messages([hl7_message(A04)])
    assert reply.code == "AA" and reply.status == "created"
    event = Event.objects.get(pk=reply.event_id)
    assert event.community == prince_george
    assert event.facility == "UHNBC" and event.source_record_id == "V26-445120"
    assert EventIdentity.objects.get(event=event).health_number == "9876543210"
    assert msa(reply.ack)[1:3] == ["AA", "UHNBC-20261120-0001"]
    ack = hl7.parse(reply.ack)
    assert str(ack.segment("MSH")[5]) == str(hl7.parse(hl7_message(A04)).segment("MSH")[3])


def test_the_same_message_twice_makes_one_record_and_both_get_aa(bc_geography):
    first, second = process_messages([hl7_message(A04), hl7_message(A04)])
    assert (first.status, second.status) == ("created", "duplicate")
    assert second.code == "AA"
    [third] = process_messages([hl7_message(A04)])
    assert third.status == "duplicate"
    assert Event.objects.count() == 1
    assert ReceivedMessage.objects.count() == 1


def test_a08_then_a03_update_the_visit_and_keep_its_history(bc_geography):
    [created] = process_messages([hl7_message(A04)])
    updated, discharged = process_messages([hl7_message(A08), hl7_message(A03)])
    assert (updated.status, discharged.status) == ("updated", "updated")
    event = Event.objects.get()
    assert event.pk == created.event_id
    assert event.revision == 3
    assert event.disposition == "left_ama"
    assert event.diagnosis_codes == ["T40.411A", "F11.20"]
    revisions = list(EventRevision.objects.filter(event=event).order_by("revision"))
    assert [r.reason for r in revisions] == [
        "ADT^A08 UHNBC-20261120-0002",
        "ADT^A03 UHNBC-20261121-0003",
    ]
    assert revisions[0].previous["diagnosis_codes"] == []
    assert revisions[1].previous["disposition"] == "unknown"
    assert ReceivedMessage.objects.count() == 3


def test_both_versions_of_the_public_example_are_one_visit(bc_geography):
    replies = process_messages(
        [
            hl7_message("phin_ss_example_adt_a04_v231.hl7"),
            hl7_message("phin_ss_example_adt_a04_v251.hl7"),
            hl7_message("nist_ss_003_32_adt_a03.hl7"),
            hl7_message("adt_a01_v231_heroin_admitted.hl7"),
            hl7_message("adt_a04_v231_methamphetamine.hl7"),
        ]
    )
    assert [r.code for r in replies] == ["AA"] * 5
    # Same facility and control id: the second is the same transmission.
    assert [r.status for r in replies] == ["created", "duplicate", "created", "created", "created"]
    assert Event.objects.count() == 4
    assert Event.objects.filter(community__isnull=True).count() == 2  # US ZIPs: unknown place


def test_a_bad_birth_date_gets_ae_naming_pid7_and_is_quarantined(bc_geography):
    raw = with_field(hl7_message(A04), "PID", 7, "20261399")
    [reply] = process_messages([raw])
    assert reply.code == "AE"
    fields = msa(reply.ack)
    assert fields[1:4] == ["AE", "UHNBC-20261120-0001", "PID-7: birth date 20261399 is not a date"]
    err = hl7.parse(reply.ack).segment("ERR")
    assert str(err[2]) == "PID^1^7"
    assert str(err[3]).startswith("102^")
    held = QuarantinedRecord.objects.get()
    assert (held.format, held.location) == ("hl7v2", "PID-7")
    assert held.reason == "birth date 20261399 is not a date"
    assert held.raw == raw
    assert not Event.objects.exists()
    assert AuditEvent.objects.filter(action="intake.quarantine").exists()


@pytest.mark.parametrize(
    ("raw", "code", "location"),
    [
        ("", "AR", "MSH"),
        ("not hl7 at all", "AR", "MSH"),
        ("\ufffd\ufffd\x01\x02\x03", "AR", "MSH"),
        ("MSH|^^^^|EDIS|UHNBC", "AR", "MSH-2"),
        (with_field(hl7_message(A04), "PV1", 19, ""), "AE", "PV1-19"),
        (with_field(hl7_message(A04), "MSH", 9, "ADT^A02^ADT_A02"), "AE", "MSH-9"),
        (with_field(hl7_message(A04), "MSH", 9, "ORU^R01^ORU_R01"), "AE", "MSH-9"),
    ],
)
def test_malformed_input_is_answered_and_quarantined_never_raised(raw, code, location, db):
    [reply] = process_messages([raw])
    assert reply.code == code
    assert msa(reply.ack)[1] == code
    assert reply.reason.startswith(location)
    assert QuarantinedRecord.objects.get().location == location


def test_a_bad_message_does_not_hold_back_good_ones_in_the_same_batch(bc_geography):
    bad = with_field(hl7_message(A08), "PV1", 19, "")
    replies = process_messages([hl7_message(A04), bad, hl7_message(A03)])
    assert [r.code for r in replies] == ["AA", "AE", "AA"]
    assert Event.objects.get().disposition == "left_ama"
    assert QuarantinedRecord.objects.count() == 1


def test_an_overlong_postal_code_is_cut_not_refused(bc_geography):
    too_long = with_field(hl7_message(A04), "PID", 11, "^^^^" + "9" * 40)
    replies = process_messages([hl7_message("adt_a01_v231_heroin_admitted.hl7"), too_long])
    assert replies[0].code == "AA"
    assert replies[1].code in ("AA", "AE")  # postal code is cut to 10 characters
    assert Event.objects.filter(facility="RIH").exists()


def test_a_batch_of_new_visits_is_written_in_bulk_with_identity_and_audit(bc_geography):
    template = hl7_message(A04)
    raws = [
        with_field(with_field(template, "MSH", 10, f"B-{n}"), "PV1", 19, f"BV-{n}^^^UHNBC^VN")
        for n in range(20)
    ]
    replies = process_messages([*raws, hl7_message(A04), hl7_message(A08), raws[0]])
    assert [r.status for r in replies] == ["created"] * 21 + ["updated", "duplicate"]
    assert Event.objects.count() == 21
    assert EventIdentity.objects.count() == 21
    assert ReceivedMessage.objects.count() == 22
    assert AuditEvent.objects.filter(action="intake.created").count() == 21
    assert Event.objects.filter(community__code="bc-lha-prince-george").count() == 21
