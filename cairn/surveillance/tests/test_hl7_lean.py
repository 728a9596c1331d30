"""The lean HL7 read (split by hand) and the string ACK against python-hl7, field by field."""

import random

import hl7
import pytest

from cairn.surveillance.intake.hl7.acks import ack_code, ack_for
from cairn.surveillance.intake.hl7.files import split_messages
from cairn.surveillance.intake.hl7.messages import (
    Hl7FieldError,
    LeanMessage,
    parse_message,
    record_from_message,
)
from cairn.surveillance.intake.hl7.processing import process_messages
from cairn.surveillance.models import QuarantinedRecord
from cairn.surveillance.tests.hl7_samples import MESSAGES, hl7_message, with_field

SAMPLES = sorted(path.name for path in MESSAGES.glob("*.hl7"))
READ = ("MSH", "EVN", "PID", "PV1", "PV2", "OBX", "DG1")


def python_hl7_value(segment, field, repeat, component) -> str:
    try:
        return str(segment.extract_field(1, field, repeat, component, 1) or "")
    except IndexError:
        return ""


def outcome(raw: str, *, lean: bool):
    """What Cairn makes of a message: the record, or the rejection's location and text."""
    try:
        return record_from_message(parse_message(raw, lean=lean))
    except Hl7FieldError as error:
        return ("rejected", error.location, error.message, error.code)


def scrambled(raw: str, rng: random.Random) -> str:
    """The message with random fields of the segments Cairn reads replaced by random text
    with components, repetitions and subcomponents (no escape character)."""
    alphabet = "aZ9 .-^^~&"
    segments = raw.rstrip("\r").split("\r")
    for index, segment in enumerate(segments):
        fields = segment.split("|")
        if fields[0] not in READ:
            continue
        for _ in range(rng.randint(1, 6)):
            number = rng.randint(3 if fields[0] == "MSH" else 1, 50)
            fields += [""] * (number + 1 - len(fields))
            fields[number] = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        segments[index] = "|".join(fields)
    return "\r".join(segments) + "\r"


@pytest.mark.parametrize("name", SAMPLES)
def test_every_field_reads_as_python_hl7_reads_it(name):
    for raw in split_messages(hl7_message(name)):  # a file may hold several
        lean, full = parse_message(raw), parse_message(raw, lean=False)
        assert isinstance(lean, LeanMessage)
        assert_same_fields(lean, full)


def assert_same_fields(lean, full):
    seen: dict[str, int] = {}
    for segment in full:
        name_ = str(segment[0])
        if name_ not in READ:
            continue
        index = seen[name_] = seen.get(name_, -1) + 1
        mine = lean._cairn_segments[name_][index]
        for field in range(1, 52):
            for repeat in (1, 2, 3):
                for component in range(1, 10):
                    assert mine.extract_field(1, field, repeat, component, 1) == python_hl7_value(
                        segment, field, repeat, component
                    ), (name_, field, repeat, component)


def test_random_messages_map_to_the_same_record_or_rejection():
    rng = random.Random(20261126)
    lean_used = 0
    for round_ in range(300):
        raw = scrambled(hl7_message(SAMPLES[round_ % len(SAMPLES)]), rng)
        lean_used += isinstance(parse_message(raw), LeanMessage)
        assert outcome(raw, lean=True) == outcome(raw, lean=False), raw
    assert lean_used > 250


def test_the_sample_messages_are_read_lean_and_mean_the_same():
    for name in SAMPLES:
        raw = hl7_message(name)
        assert outcome(raw, lean=True) == outcome(raw, lean=False)
    assert isinstance(parse_message(hl7_message("adt_a04_v251_fentanyl.hl7")), LeanMessage)


def test_a_message_with_escape_sequences_is_read_by_python_hl7_and_unescaped():
    raw = hl7_message("adt_a01_v231_heroin_admitted.hl7").replace(
        "OD on heroin,", "OD on heroin \\T\\ alcohol,"
    )
    assert not isinstance(parse_message(raw), LeanMessage)
    assert record_from_message(parse_message(raw)).chief_complaint.startswith(
        "OD on heroin & alcohol, naloxone"
    )


def test_custom_delimiters_are_read_lean():
    raw = hl7_message("adt_a04_v251_fentanyl.hl7")
    custom = raw.replace("|", "#").replace("^", "$").replace("MSH#$~\\&", "MSH#$~\\&")
    assert isinstance(parse_message(custom), LeanMessage)
    assert outcome(custom, lean=True) == outcome(custom, lean=False)
    assert outcome(custom, lean=True).dedup_key == "ed:UHNBC:V26-445120"


def normalised(ack: str) -> list[list[str]]:
    """An ACK's fields, without MSH-7 (the time) and MSH-10 (the ACK's own control id)."""
    segments = [segment.split(ack[3]) for segment in ack.strip("\r").split("\r")]
    segments[0][6] = segments[0][9] = ""
    return segments


@pytest.mark.parametrize("name", SAMPLES)
def test_the_ack_is_python_hl7_create_ack_field_for_field(name):
    raw = hl7_message(name)
    full = parse_message(raw, lean=False)
    expected = str(
        full.create_ack(ack_code="AA", message_id="X", application="CAIRN", facility="CAIRN")
    )
    assert normalised(ack_for(parse_message(raw), "AA")) == normalised(expected)
    assert normalised(ack_for(full, "AA")) == normalised(expected)


def test_the_ack_with_custom_delimiters_is_create_ack_too():
    raw = hl7_message("adt_a04_v251_fentanyl.hl7").replace("|", "#")
    expected = str(
        parse_message(raw, lean=False).create_ack(
            ack_code="AA", message_id="X", application="CAIRN", facility="CAIRN"
        )
    )
    assert normalised(ack_for(parse_message(raw), "AA")) == normalised(expected)


def test_an_ae_escapes_its_reason_and_names_segment_and_field():
    message = parse_message(hl7_message("adt_a04_v251_fentanyl.hl7"))
    ack = ack_for(
        message,
        "AE",
        text="PID-7: birth date 2026|13^99 is not a date",
        location="PID-7",
        error_code="102",
    )
    msa, err = hl7.parse(ack).segment("MSA"), hl7.parse(ack).segment("ERR")
    assert str(msa[1]) == "AE" and str(msa[2]) == "UHNBC-20261120-0001"
    assert str(msa[3]) == "PID-7: birth date 2026\\F\\13\\S\\99 is not a date"
    assert str(err[2]) == "PID^1^7" and str(err[3]) == "102^Data type error^HL70357"


@pytest.mark.django_db
def test_an_msh9_without_trigger_event_gets_ae_naming_msh9():
    raw = with_field(hl7_message("adt_a04_v251_fentanyl.hl7"), "MSH", 9, "ADT")
    [reply] = process_messages([raw])
    assert reply.code == "AE" and ack_code(reply.ack) == "AE"
    assert reply.reason.startswith("MSH-9: event ADT^(empty) is not accepted")
    assert "MSH-9: event ADT\\S\\(empty) is not accepted" in reply.ack  # ^ escaped
    assert "|MSH^1^9|201^Unsupported event code^HL70357|" in reply.ack
    assert "ACK^^ACK" in reply.ack.split("\r")[0]
    assert QuarantinedRecord.objects.get().location == "MSH-9"
