"""The tables and columns of the set-based accept (`stage.py`, `direct.py`)."""

from cairn.access.models import AuditEvent
from cairn.surveillance.models import (
    Event,
    EventIdentity,
    EventMatch,
    EventRevision,
    ReceivedMessage,
)
from cairn.surveillance.models.counts import CountCellToRecount

EVENTS = Event._meta.db_table
IDENTITIES = EventIdentity._meta.db_table
REVISIONS = EventRevision._meta.db_table
RECEIVED = ReceivedMessage._meta.db_table
MATCHES = EventMatch._meta.db_table
MARKS = CountCellToRecount._meta.db_table
AUDIT = AuditEvent._meta.db_table
STAGE = "cairn_intake_stage"
CLASSES = "cairn_intake_classes"

# Event columns written from the stage.
EVENT_VALUES = (
    "source",
    "occurred_at",
    "community_id",
    "placement",
    "age_band",
    "sex",
    "chief_complaint",
    "diagnosis_codes",
    "disposition",
    "facility",
    "fatal",
    "naloxone_doses",
    "suspected_substances",
    "source_record_id",
)
IDENTITY_VALUES = (
    "given_name",
    "family_name",
    "date_of_birth",
    "health_number",
    "postal_code",
    "phone",
)

# The staged columns, in COPY order (a line is these values joined by tabs). The
# event's own columns come last, in the order `direct.py` COPies them into the events
# table: a line's event values are then its text after the 13th tab.
STAGE_COLUMNS = (
    "ord",
    "format",
    "message_key",
    "day",
    "class_id",
    "revision_reason",
    "has_identity",
    *IDENTITY_VALUES,
    "dedup_key",
    *EVENT_VALUES,
)
NO_IDENTITY = "f\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N"
JSON_COLUMNS = {"diagnosis_codes", "suspected_substances"}
