"""The one shape every source (HL7 v2, FHIR, CSV, quick entry) produces."""

import datetime as dt
from dataclasses import dataclass, field

from cairn.surveillance.models import UNKNOWN_AGE_BAND, Disposition, EventSex


class IntakeError(ValueError):
    """Input Cairn understands but rejects; `location` says where (segment-field, column)."""

    def __init__(self, message: str, *, location: str = ""):
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


@dataclass(frozen=True)
class Outcome:
    """What became of one accepted record."""

    status: str  # "created", "updated", "unchanged" or "duplicate"
    event_id: int | None


@dataclass
class IncomingRecord:
    source: str  # cairn.surveillance.models.Source
    format: str  # cairn.surveillance.models.IntakeFormat
    dedup_key: str  # one real-world encounter, e.g. "ed:<facility>:<visit number>"
    occurred_at: dt.datetime
    message_key: str = ""  # one transmission, e.g. "hl7v2:<facility>:<control id>"
    source_record_id: str = ""
    facility: str = ""
    age_band: str = UNKNOWN_AGE_BAND
    sex: str = EventSex.UNKNOWN
    chief_complaint: str = ""
    diagnosis_codes: list[str] = field(default_factory=list)
    disposition: str = Disposition.UNKNOWN
    fatal: bool | None = None
    naloxone_doses: int | None = None
    suspected_substances: list[str] = field(default_factory=list)
    # Place: the first of these that resolves wins (see cairn.geography.placement).
    community_code: str = ""
    longitude: float | None = None
    latitude: float | None = None
    postal_code: str = ""
    # Identifying details, stored apart in EventIdentity; empty for anonymous reports.
    identity: dict = field(default_factory=dict)
    revision_reason: str = ""  # e.g. "ADT^A08 MSG00042"

    def event_fields(self) -> dict:
        return {
            "source": self.source,
            "occurred_at": self.occurred_at,
            "source_record_id": self.source_record_id,
            "facility": self.facility,
            "age_band": self.age_band,
            "sex": self.sex,
            "chief_complaint": self.chief_complaint,
            "diagnosis_codes": list(self.diagnosis_codes),
            "disposition": self.disposition,
            "fatal": self.fatal,
            "naloxone_doses": self.naloxone_doses,
            "suspected_substances": list(self.suspected_substances),
        }
