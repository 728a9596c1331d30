"""Accept many records at once, set-based, each exactly as `accept_record` would.

The one way to store many records: CSV import (`csv_import`, which builds the COPY
lines straight from the CSV cells) and `pipeline.accept_records` (HL7 group commit,
FHIR bundles; one outcome per record) both go through `Stage` (see `stage.py`) on
PostgreSQL. Elsewhere (SQLite: the demo) every record goes through `accept_record`.

Runs in the caller's transaction; the caller commits before telling anyone "stored".
"""

from django.db import connection

from cairn.geography import placement
from cairn.surveillance.intake.bulk import copytext
from cairn.surveillance.intake.bulk.stage import NO_IDENTITY, STEP_SECONDS, BulkCounts, Stage
from cairn.surveillance.intake.records import IncomingRecord, Outcome

__all__ = [
    "STEP_SECONDS",
    "BulkCounts",
    "Stage",
    "accept_many",
    "accept_outcomes",
    "place_many",
    "record_line",
]

BATCH_SIZE = 10_000


def accept_many(
    records: list[IncomingRecord], *, earlier_values_unchanged: bool = False
) -> BulkCounts:
    """Store the records once each, in the caller's transaction; returns the counts.

    `earlier_values_unchanged`: see `accept_record`."""
    if connection.vendor != "postgresql":
        from cairn.surveillance.intake.pipeline import accept_record

        counts = BulkCounts()
        for record in records:
            outcome = accept_record(
                record, audit=False, earlier_values_unchanged=earlier_values_unchanged
            )
            _count(counts, outcome.status)
        return counts
    stage = Stage()
    stage.earlier_values_unchanged = earlier_values_unchanged
    try:
        _stage_records(stage, records)
        return stage.finish()
    finally:
        stage.close()


def accept_outcomes(records: list[IncomingRecord], *, audit: tuple | None = None) -> list[Outcome]:
    """Like accept_many, with one Outcome per record, in order (PostgreSQL only).

    Records re-sending a message earlier in the list are duplicates of it; a visit and
    its update in one list are applied in order. With `audit` = (actor id, actor
    username or None for "intake:<format>"), each record gets its "intake.<status>"
    audit row, written with the outcomes.
    """
    stage = Stage(outcomes=True, audit=audit)
    try:
        _stage_records(stage, records)
        stage.finish()
    finally:
        stage.close()
    return [Outcome(*stage.outcomes[index]) for index in range(len(records))]


def place_many(records: list[IncomingRecord]) -> list[tuple[int | None, str]]:
    """(community id, method) per record, as `place` would decide it."""
    return placement.place_many(
        [
            (
                r.community_code,
                r.longitude,
                r.latitude,
                r.postal_code or r.identity.get("postal_code", ""),
            )
            for r in records
        ]
    )


def record_line(stage: Stage, ord_: int, record: IncomingRecord, place) -> str:
    """One record as a COPY line of the stage (see stage.STAGE_COLUMNS)."""
    from cairn.surveillance.intake.pipeline import IDENTITY_FIELDS

    community_id, method = place
    occurred_at = record.occurred_at
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=stage.count_zone)
    identity = {k: v for k, v in record.identity.items() if k in IDENTITY_FIELDS and v}
    if identity:
        identity_text = "t\t" + "\t".join(
            copytext.date(identity.get(name))
            if name == "date_of_birth"
            else copytext.text(identity.get(name) or "")
            for name in IDENTITY_FIELDS
        )
    else:
        identity_text = NO_IDENTITY
    place_text = f"{copytext.integer(community_id)}\t{method}"
    day = stage.local_day(occurred_at)
    stage.cells.add((place_text, day))
    class_id, classification = stage.classification(record.chief_complaint, record.diagnosis_codes)
    return (
        "\t".join(
            (
                str(ord_),
                copytext.text(record.format),
                copytext.text(record.message_key or None),
                day,
                class_id,
                copytext.text(record.revision_reason[:200]),
                identity_text,
                copytext.text(record.dedup_key),
                copytext.text(record.source),
                occurred_at.isoformat(),
                place_text,
                copytext.text(record.age_band),
                copytext.text(record.sex),
                classification,
                copytext.text(record.disposition),
                copytext.text(record.facility),
                copytext.boolean(record.fatal),
                copytext.integer(record.naloxone_doses),
                copytext.json_list(record.suspected_substances),
                copytext.text(record.source_record_id),
            )
        )
        + "\n"
    )


def _stage_records(stage: Stage, records: list[IncomingRecord]) -> None:
    """Batches in which each message key and each encounter occurs once, in order, so a
    visit and its later correction are both applied and a re-sent message is a duplicate."""
    places = place_many(records)
    lines: list[str] = []
    ords: list[int] = []
    encounters: set[str] = set()
    messages: set[str] = set()
    identities = False
    for index, (record, place) in enumerate(zip(records, places, strict=True)):
        if (
            record.dedup_key in encounters
            or (record.message_key and record.message_key in messages)
            or len(lines) >= BATCH_SIZE
        ):
            stage.submit(lines, ords=ords, identities=identities)
            lines, ords, identities = [], [], False
            encounters.clear()
            messages.clear()
        encounters.add(record.dedup_key)
        if record.message_key:
            messages.add(record.message_key)
        identities = identities or bool(record.identity)
        lines.append(record_line(stage, index, record, place))
        ords.append(index)
    stage.submit(lines, ords=ords, identities=identities)


def _count(counts: BulkCounts, status: str) -> None:
    name = "duplicates" if status == "duplicate" else status
    setattr(counts, name, getattr(counts, name) + 1)
