from cairn.surveillance.models import counts  # noqa: F401 (DailyCount and friends)
from cairn.surveillance.models.alerts import Alert  # noqa: F401 (and the other alert models)
from cairn.surveillance.models.definitions import (
    CaseDefinition,
    CaseDefinitionVersion,
    EventMatch,
    ImmutableVersionError,
    JobStatus,
    MatchField,
    ReclassificationJob,
)
from cairn.surveillance.models.events import (
    AGE_BANDS,
    UNKNOWN_AGE_BAND,
    Disposition,
    Event,
    EventIdentity,
    EventRevision,
    EventSex,
    Source,
    age_band_for,
)
from cairn.surveillance.models.intake import (
    IntakeFormat,
    QuarantinedRecord,
    QuarantineStatus,
    ReceivedMessage,
)

__all__ = [
    "AGE_BANDS",
    "UNKNOWN_AGE_BAND",
    "CaseDefinition",
    "CaseDefinitionVersion",
    "Disposition",
    "Event",
    "EventIdentity",
    "EventMatch",
    "EventRevision",
    "EventSex",
    "ImmutableVersionError",
    "IntakeFormat",
    "JobStatus",
    "MatchField",
    "QuarantineStatus",
    "QuarantinedRecord",
    "ReceivedMessage",
    "ReclassificationJob",
    "Source",
    "age_band_for",
]
