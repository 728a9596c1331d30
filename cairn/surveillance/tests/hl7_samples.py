"""Read the HL7 test messages in hl7_messages/ and make malformed variants of them."""

from pathlib import Path

MESSAGES = Path(__file__).resolve().parent / "hl7_messages"


def hl7_message(name: str) -> str:
    return (MESSAGES / name).read_bytes().decode("utf-8")


def with_segment(raw: str, name: str, change) -> str:
    """The message with segment `name` replaced by change(fields) (a list, field 0 = name)."""
    segments = raw.rstrip("\r").split("\r")
    for index, segment in enumerate(segments):
        if segment.startswith(name):
            fields = segment.split("|")
            result = change(fields)
            if result is None:
                segments[index] = None
            else:
                segments[index] = "|".join(result)
    return "\r".join(s for s in segments if s is not None) + "\r"


def with_field(raw: str, segment: str, number: int, value: str) -> str:
    """Set SEG-number (MSH counts its field separator as MSH-1)."""
    index = number - 1 if segment == "MSH" else number

    def change(fields):
        fields += [""] * (index + 1 - len(fields))
        fields[index] = value
        return fields

    return with_segment(raw, segment, change)


def without_segment(raw: str, segment: str) -> str:
    return with_segment(raw, segment, lambda fields: None)
