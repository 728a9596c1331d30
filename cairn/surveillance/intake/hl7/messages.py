"""Parse an HL7 v2 ADT message (python-hl7) and map it to an IncomingRecord.

Field map: ../shared/SURVEILLANCE.md §3 (PHIN Messaging Guide for Syndromic
Surveillance, HL7 2.5.1 and 2.3.1 compatible). Messages Cairn cannot read at all
raise `UnreadableMessage` (ACK code AR); messages it reads but rejects raise
`Hl7FieldError` naming the segment and field (ACK code AE).
"""

import datetime as dt
import re

import hl7
from django.utils import timezone

from cairn.surveillance.intake.records import IncomingRecord, IntakeError
from cairn.surveillance.models import Disposition, EventSex, age_band_for

ACCEPTED_EVENTS = ("A01", "A03", "A04", "A08")

CHIEF_COMPLAINT = "8661-1"
PATIENT_AGE = "21612-7"
ACUITY = "11283-9"
TRIAGE_NOTE = "54094-8"

# PV1-36 discharge disposition (HL7 table 0112, the UB-04 patient status codes).
DISPOSITIONS = {
    "01": Disposition.DISCHARGED,  # home or self care
    "06": Disposition.DISCHARGED,  # home with home health services
    "21": Disposition.DISCHARGED,  # to court or law enforcement
    "02": Disposition.TRANSFERRED,
    "03": Disposition.TRANSFERRED,
    "04": Disposition.TRANSFERRED,
    "05": Disposition.TRANSFERRED,
    "43": Disposition.TRANSFERRED,
    "50": Disposition.TRANSFERRED,
    "51": Disposition.TRANSFERRED,
    "61": Disposition.TRANSFERRED,
    "62": Disposition.TRANSFERRED,
    "63": Disposition.TRANSFERRED,
    "64": Disposition.TRANSFERRED,
    "65": Disposition.TRANSFERRED,
    "66": Disposition.TRANSFERRED,
    "70": Disposition.TRANSFERRED,
    "07": Disposition.LEFT_AGAINST_ADVICE,
    "09": Disposition.ADMITTED,
    "20": Disposition.DIED,
    "40": Disposition.DIED,
    "41": Disposition.DIED,
    "42": Disposition.DIED,
}

# HL7 table 0001 (administrative sex).
SEXES = {
    "F": EventSex.FEMALE,
    "M": EventSex.MALE,
    "O": EventSex.OTHER,
    "A": EventSex.OTHER,
    "X": EventSex.OTHER,
}

# HL7 table 0357 (message error condition codes), used in ERR-3.
REQUIRED_FIELD_MISSING = "101"
DATA_TYPE_ERROR = "102"
UNSUPPORTED_MESSAGE_TYPE = "200"
UNSUPPORTED_EVENT = "201"
UNSUPPORTED_VERSION = "203"
INTERNAL_ERROR = "207"

_TIMESTAMP = re.compile(
    r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d{1,4})?(?:([+-])(\d{2})(\d{2}))?$"
)


class UnreadableMessage(Exception):
    """Not an HL7 v2 message Cairn can read at all (no MSH, bad delimiters): ACK AR."""

    def __init__(self, message: str, *, location: str = "MSH"):
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class Hl7FieldError(IntakeError):
    """A message Cairn reads but rejects, with the HL7 table 0357 error code: ACK AE."""

    def __init__(self, message: str, *, location: str, code: str = DATA_TYPE_ERROR):
        super().__init__(message, location=location)
        self.code = code


def normalise_segments(raw: str) -> str:
    """Segments end with CR; files and some senders use LF or CRLF."""
    text = raw.replace("\r\n", "\r").replace("\n", "\r").strip("\r\x0b\x1c \t")
    return "\r".join(segment for segment in text.split("\r") if segment.strip())


# The segments `record_from_message` reads; a lean parse keeps only these.
READ_SEGMENTS = frozenset({"MSH", "EVN", "PID", "PV1", "PV2", "OBX", "DG1"})


class LeanSegment:
    """One segment split into fields only; components on demand, as python-hl7 finds them.

    `extract_field` answers exactly what python-hl7's `Segment.extract_field` answers for
    a message without escape sequences (the lean parse is used only then): the field's
    repetition, its component and the component's first subcomponent, "" when absent.
    """

    __slots__ = ("fields", "repetition", "component", "subcomponent")

    def __init__(self, fields: list[str], repetition: str, component: str, subcomponent: str):
        self.fields = fields
        self.repetition, self.component, self.subcomponent = repetition, component, subcomponent

    def __getitem__(self, index: int) -> str:
        return self.fields[index]

    def __len__(self) -> int:
        return len(self.fields)

    def __str__(self) -> str:
        return self.fields[0]

    def extract_field(
        self, segment_num=1, field_num=1, repeat_num=1, component_num=1, subcomponent_num=1
    ) -> str:
        fields = self.fields
        if field_num >= len(fields):
            return ""
        value = fields[field_num]
        if field_num <= 2 and fields[0] == "MSH":  # the delimiters themselves, whole
            return value if repeat_num == component_num == subcomponent_num == 1 else ""
        if repeat_num != 1 or self.repetition in value:
            parts = value.split(self.repetition)
            if repeat_num > len(parts):
                return ""
            value = parts[repeat_num - 1]
        if component_num != 1 or self.component in value:
            parts = value.split(self.component)
            if component_num > len(parts):
                return ""
            value = parts[component_num - 1]
        if subcomponent_num != 1 or self.subcomponent in value:
            parts = value.split(self.subcomponent)
            if subcomponent_num > len(parts):
                return ""
            value = parts[subcomponent_num - 1]
        return value


class LeanMessage:
    """A message cut to the segments Cairn reads, split into fields (no python-hl7 tree).

    Holds the MSH line as received, for the ACK. Built by `parse_message` when the
    message has no escape sequence; otherwise python-hl7 parses it (and unescapes).
    """

    def __init__(self, text: str, msh_line: str, separator: str, encoding: str):
        self._cairn_observations = None
        self.msh_line = msh_line
        self.separator, self.encoding = separator, encoding
        repetition, component, subcomponent = encoding[1], encoding[0], encoding[3]
        by_name: dict[str, list] = {}
        for line in text.split("\r"):
            name = line[:3]  # every segment Cairn reads has a three-letter name
            if name not in READ_SEGMENTS or line[3:4] not in (separator, ""):
                continue
            fields = line.split(separator)
            if name == "MSH":
                fields[1:1] = [separator]  # MSH-1 is the separator itself
            by_name.setdefault(name, []).append(
                LeanSegment(fields, repetition, component, subcomponent)
            )
        self._cairn_segments = by_name

    def __iter__(self):
        for segments in self._cairn_segments.values():
            yield from segments


def parse_message(raw: str, *, lean: bool = True) -> "hl7.Message | LeanMessage":
    """Parse after checking what python-hl7 takes on trust: MSH and its delimiters.

    With `lean` (the default), a message without escape sequences is split by hand into
    the segments Cairn reads (`LeanMessage`, several times cheaper); any other message is
    parsed by python-hl7. Both answer `record_from_message` identically.
    """
    text = normalise_segments(raw)
    if not text:
        raise UnreadableMessage("empty message")
    if not text.startswith("MSH"):
        raise UnreadableMessage("not an HL7 v2 message: it does not start with an MSH segment")
    separator, encoding = text[3:4], text[4:8]
    if not separator or separator.isalnum() or separator in "\r\n ":
        raise UnreadableMessage(
            f"field separator {separator!r} is not valid (expected '|')", location="MSH-1"
        )
    if (
        len(encoding) != 4
        or len(set(encoding + separator)) != 5
        or any(c.isalnum() or c.isspace() for c in encoding)
    ):
        raise UnreadableMessage(
            f"encoding characters {encoding!r} are not valid (expected '^~\\&')",
            location="MSH-2",
        )
    if lean:
        text = text.strip()
        escape = encoding[2]
        if text[8:9] == separator and escape not in text[9:]:
            return LeanMessage(text, text.split("\r", 1)[0], separator, encoding)
    try:
        return hl7.parse(text)
    except Exception as error:  # python-hl7 raises several types on malformed input
        raise UnreadableMessage(f"could not be parsed: {error}") from error


def header(message: hl7.Message) -> dict:
    """The MSH fields an ACK needs, read as leniently as possible."""
    return {
        "control_id": _get(message, "MSH", 10),
        "version": _get(message, "MSH", 12) or "2.5.1",
        "processing_id": _get(message, "MSH", 11) or "P",
        "trigger": _get(message, "MSH", 9, component=2),
    }


def record_from_message(message: hl7.Message) -> IncomingRecord:
    """Map a parsed ADT message to the one shape every source produces."""
    message_type = _get(message, "MSH", 9)
    trigger = _get(message, "MSH", 9, component=2)
    if message_type != "ADT":
        raise Hl7FieldError(
            f"message type {message_type or '(empty)'} is not accepted "
            f"(expected ADT^A01, ADT^A03, ADT^A04 or ADT^A08)",
            location="MSH-9",
            code=UNSUPPORTED_MESSAGE_TYPE,
        )
    if trigger not in ACCEPTED_EVENTS:
        raise Hl7FieldError(
            f"event ADT^{trigger or '(empty)'} is not accepted (expected A01, A03, A04 or A08)",
            location="MSH-9",
            code=UNSUPPORTED_EVENT,
        )
    version = _get(message, "MSH", 12)
    if not re.fullmatch(r"2\.\d+(\.\d+)?", version):
        raise Hl7FieldError(
            f"version {version or '(empty)'} is not an HL7 v2 version (expected 2.5.1 or 2.3.1)",
            location="MSH-12",
            code=UNSUPPORTED_VERSION,
        )
    control_id = _required(message, "MSH", 10, "message control id")
    facility = _get(message, "MSH", 4) or _get(message, "MSH", 4, component=2)
    if not facility:
        facility = _get(message, "EVN", 7) or _get(message, "EVN", 7, component=2)
    if not facility:
        raise Hl7FieldError(
            "sending facility missing", location="MSH-4", code=REQUIRED_FIELD_MISSING
        )
    _require_segment(message, "PID")
    _require_segment(message, "PV1")
    visit_number = _required(message, "PV1", 19, "visit number")
    _check_length(facility, 60, "MSH-4", "sending facility")
    _check_length(control_id, 199, "MSH-10", "message control id")
    _check_length(visit_number, 100, "PV1-19", "visit number")

    visit_time = _visit_time(message)
    birth_date = _birth_date(message, visit_time)
    age = _age_from_observation(message)
    if birth_date is not None:
        age = _years_between(birth_date, visit_time.date())
    return IncomingRecord(
        source="ed",
        format="hl7v2",
        dedup_key=f"ed:{facility}:{visit_number}",
        message_key=f"hl7v2:{facility}:{control_id}",
        occurred_at=visit_time,
        source_record_id=visit_number,
        facility=facility,
        age_band=age_band_for(age),
        sex=SEXES.get(_get(message, "PID", 8).upper()[:1], EventSex.UNKNOWN),
        chief_complaint=_chief_complaint(message),
        diagnosis_codes=_diagnosis_codes(message),
        disposition=DISPOSITIONS.get(_get(message, "PV1", 36), Disposition.UNKNOWN),
        postal_code=_postal_code(message),
        identity=_identity(message, birth_date),
        revision_reason=f"ADT^{trigger} {control_id}",
    )


def parse_timestamp(value: str) -> dt.datetime | None:
    """HL7 DTM/TS `YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]`; local time when no offset is given."""
    match = _TIMESTAMP.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, sign, off_h, off_m = match.groups()
    try:
        moment = dt.datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
        )
        if sign:
            offset = dt.timedelta(hours=int(off_h), minutes=int(off_m))
            return moment.replace(tzinfo=dt.timezone(offset if sign == "+" else -offset))
        return timezone.make_aware(moment)
    except (ValueError, OverflowError):
        return None


def _get(
    message: hl7.Message,
    segment: str,
    field: int,
    *,
    component: int = 1,
    repeat: int = 1,
    index: int = 1,
) -> str:
    if message.__class__ is LeanMessage:  # the common case, without the general lookups
        found = message._cairn_segments.get(segment)
        if not found or index > len(found):
            return ""
        found = found[index - 1]
        if found.__class__ is LeanSegment:
            return found.extract_field(1, field, repeat, component).strip()
        return _segment_value(found, field, component, repeat)
    try:
        found = _segments(message, segment)[index - 1]
    except IndexError:
        return ""
    return _segment_value(found, field, component, repeat)


def _segments(message: hl7.Message, name: str) -> list:
    """Segments by name, indexed once per message (python-hl7 scans them all per lookup)."""
    by_name = message._cairn_segments if message.__class__ is LeanMessage else None
    if by_name is None:
        by_name = getattr(message, "_cairn_segments", None)
    if by_name is None:
        by_name = {}
        for segment in message:
            by_name.setdefault(str(segment[0]), []).append(segment)
        message._cairn_segments = by_name
    return by_name.get(name, [])


def _segment_value(segment, field: int, component: int = 1, repeat: int = 1) -> str:
    if segment.__class__ is LeanSegment:  # the common case: plain strings, no IndexError
        return segment.extract_field(1, field, repeat, component).strip()
    try:
        return str(segment.extract_field(1, field, repeat, component, 1) or "").strip()
    except IndexError:
        return ""


def _require_segment(message: hl7.Message, name: str) -> None:
    if not _segments(message, name):
        raise Hl7FieldError(f"{name} segment missing", location=name, code=REQUIRED_FIELD_MISSING)


def _required(message: hl7.Message, segment: str, field: int, what: str) -> str:
    value = _get(message, segment, field)
    if not value:
        raise Hl7FieldError(
            f"{what} missing", location=f"{segment}-{field}", code=REQUIRED_FIELD_MISSING
        )
    return value


def _check_length(value: str, limit: int, location: str, what: str) -> None:
    if len(value) > limit:
        raise Hl7FieldError(f"{what} is longer than {limit} characters", location=location)


def _visit_time(message: hl7.Message) -> dt.datetime:
    """PV1-44 admit date/time; the guide's fallbacks are EVN-2 and MSH-7."""
    for segment, field in (("PV1", 44), ("EVN", 2), ("MSH", 7)):
        value = _get(message, segment, field)
        if not value:
            continue
        moment = parse_timestamp(value)
        if moment is None:
            raise Hl7FieldError(
                f"date/time {value} is not a valid HL7 timestamp",
                location=f"{segment}-{field}",
            )
        return moment
    raise Hl7FieldError(
        "admit date/time missing (and no EVN-2 or MSH-7 to fall back on)",
        location="PV1-44",
        code=REQUIRED_FIELD_MISSING,
    )


def _birth_date(message: hl7.Message, visit_time: dt.datetime) -> dt.date | None:
    value = _get(message, "PID", 7)
    if not value:
        return None
    digits = value[:8]
    try:
        if not digits.isdigit() or len(digits) != 8:
            raise ValueError
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise Hl7FieldError(f"birth date {value} is not a date", location="PID-7") from None
    if born > visit_time.date():
        raise Hl7FieldError(f"birth date {value} is after the visit", location="PID-7")
    return born


def _years_between(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _age_from_observation(message: hl7.Message) -> int | None:
    """OBX 21612-7 (age, patient reported) in years, months (mo), weeks (wk) or days (d)."""
    for obx in _observations(message, PATIENT_AGE):
        value = _segment_value(obx, 5)
        try:
            number = float(value)
        except ValueError:
            raise Hl7FieldError(
                f"age {value or '(empty)'} is not a number", location="OBX-5"
            ) from None
        unit = _segment_value(obx, 6).lower()
        divisor = {"mo": 12, "wk": 52.18, "d": 365.25}.get(unit, 1)
        return int(number / divisor)
    return None


def _observations(message: hl7.Message, loinc: str) -> list:
    """The OBX segments observing `loinc` (OBX-3), indexed once per message."""
    by_code = getattr(message, "_cairn_observations", None)
    if by_code is None:
        by_code = {}
        for obx in _segments(message, "OBX"):
            by_code.setdefault(_segment_value(obx, 3), []).append(obx)
        message._cairn_observations = by_code
    return by_code.get(loinc, [])


def _observation_text(obx) -> str:
    """CWE.9 original text, else CWE.2 text, else the value itself (TX, ST, CWE.1)."""
    if _segment_value(obx, 2).upper() in ("CWE", "CE", "CNE"):
        return _segment_value(obx, 5, 9) or _segment_value(obx, 5, 2) or _segment_value(obx, 5)
    texts = []
    for repeat in range(1, 50):
        text = _segment_value(obx, 5, 1, repeat)
        if not text:
            break
        texts.append(text)
    return " ".join(texts)


def _chief_complaint(message: hl7.Message) -> str:
    """OBX 8661-1 (every one), else PV2-3 admit reason; triage notes (OBX 54094-8) appended."""
    parts = []
    for obx in _observations(message, CHIEF_COMPLAINT):
        text = _observation_text(obx)
        if text and text not in parts:
            parts.append(text)
    if not parts:
        reason = _get(message, "PV2", 3, component=2) or _get(message, "PV2", 3)
        if reason:
            parts.append(reason)
    for obx in _observations(message, TRIAGE_NOTE):
        text = _observation_text(obx)
        if text and text not in parts:
            parts.append(text)
    return "; ".join(parts)


def _diagnosis_codes(message: hl7.Message) -> list[str]:
    """DG1-3 codes in any coding system (I10, I10C, ICD-10-CA, I9CDX...), in message order."""
    codes = []
    for dg1 in _segments(message, "DG1"):
        code = _segment_value(dg1, 3).upper()
        if code and code not in codes:
            codes.append(code)
    return codes


def _postal_code(message: hl7.Message) -> str:
    for repeat in range(1, 5):
        code = _get(message, "PID", 11, component=5, repeat=repeat)
        if code:
            return code[:10]
    return ""


def _identity(message: hl7.Message, birth_date: dt.date | None) -> dict:
    """Identifying details for EventIdentity, stored apart; pseudonyms (PID-5.7 S) skipped."""
    identity: dict = {}
    for repeat in range(1, 5):
        family = _get(message, "PID", 5, component=1, repeat=repeat)
        given = _get(message, "PID", 5, component=2, repeat=repeat)
        kind = _get(message, "PID", 5, component=7, repeat=repeat).upper()
        if (family or given) and kind not in ("S", "U"):
            identity["family_name"], identity["given_name"] = family[:100], given[:100]
            break
    for repeat in range(1, 5):
        number = _get(message, "PID", 3, component=1, repeat=repeat)
        kind = _get(message, "PID", 3, component=5, repeat=repeat).upper()
        if number and kind in ("JHN", "HC", "PHN"):
            identity["health_number"] = number[:30]
            break
    if birth_date is not None:
        identity["date_of_birth"] = birth_date
    postal_code = _postal_code(message)
    if postal_code:
        identity["postal_code"] = postal_code
    # XTN: 2.3.1 puts the number in component 1; 2.5.1 in area code (6) and local number (7).
    phone = _get(message, "PID", 13) or (
        _get(message, "PID", 13, component=6) + _get(message, "PID", 13, component=7)
    )
    if phone:
        identity["phone"] = phone[:30]
    return identity
