"""Accept a record exactly once, or quarantine it with the reason. Nothing is lost.

`accept_record` runs in one transaction: the transmission is remembered (a re-sent
message is a no-op), the encounter is created or updated (keeping the replaced
values as an EventRevision), placed in its community, its identifying details are
stored apart, it is classified, and an audit event is written. Callers acknowledge
the sender only after it returns (the transaction has committed).
"""

import datetime as dt
import hashlib

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cairn.access.audit import audit_actor_fields, record_audit_event
from cairn.access.models import AuditEvent
from cairn.geography.placement import place
from cairn.surveillance.classification import classify_and_store
from cairn.surveillance.intake.records import IncomingRecord, Outcome
from cairn.surveillance.models import (
    Event,
    EventIdentity,
    EventRevision,
    QuarantinedRecord,
    ReceivedMessage,
)

IDENTITY_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "health_number",
    "postal_code",
    "phone",
)


def _json_ready(values: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def accept_record(
    record: IncomingRecord,
    *,
    actor=None,
    audit: bool = True,
    earlier_values_unchanged: bool = False,
) -> Outcome:
    """Store one record once. Re-sending the same transmission returns "duplicate".

    With `earlier_values_unchanged` (CSV rows), a record holding the values an update
    replaced earlier (an older extract sent again) leaves the event "unchanged".
    """
    with transaction.atomic():
        if record.message_key:
            seen = ReceivedMessage.objects.filter(message_key=record.message_key).first()
            if seen is not None:
                return Outcome("duplicate", seen.event_id)
        outcome = _upsert_event(record, earlier_values_unchanged)
        if record.message_key:
            ReceivedMessage.objects.create(
                message_key=record.message_key, format=record.format, event_id=outcome.event_id
            )
        if audit:
            record_audit_event(
                actor=actor or f"intake:{record.format}",
                action=f"intake.{outcome.status}",
                target_type="surveillance.event",
                target_id=str(outcome.event_id),
                details={"format": record.format, "message_key": record.message_key},
            )
    return outcome


def _in_utc(values: dict) -> dict:
    """Times in UTC, as events are read back and their revisions keep them."""
    return {
        k: (v.astimezone(dt.UTC) if isinstance(v, dt.datetime) and v.tzinfo else v)
        for k, v in values.items()
    }


def _placed_fields(record: IncomingRecord) -> dict:
    """The event's field values, with the community it was placed in and how."""
    placement = place(
        community_code=record.community_code,
        longitude=record.longitude,
        latitude=record.latitude,
        postal_code=record.postal_code or record.identity.get("postal_code", ""),
    )
    fields = record.event_fields()
    fields["community_id"] = placement.community_id
    fields["placement"] = placement.method
    return fields


def _identity_values(record: IncomingRecord) -> dict:
    return {k: v for k, v in record.identity.items() if k in IDENTITY_FIELDS and v}


def _upsert_event(record: IncomingRecord, earlier_values_unchanged: bool = False) -> Outcome:
    fields = _placed_fields(record)
    event = Event.objects.select_for_update().filter(dedup_key=record.dedup_key).first()
    if event is None:
        try:
            with transaction.atomic():
                event = Event.objects.create(dedup_key=record.dedup_key, **fields)
        except IntegrityError:
            # Another connection created the same encounter a moment ago: update it instead.
            event = Event.objects.select_for_update().get(dedup_key=record.dedup_key)
        else:
            _store_identity(event, record)
            classify_and_store([event])
            return Outcome("created", event.pk)
    previous = {name: getattr(event, name) for name in fields}
    if previous == fields or (
        earlier_values_unchanged
        and _json_ready(_in_utc(fields)) in (r.previous for r in event.revisions.all())
    ):
        _store_identity(event, record)
        return Outcome("unchanged", event.pk)
    EventRevision.objects.create(
        event=event,
        revision=event.revision,
        reason=record.revision_reason[:200],
        previous=_json_ready(previous),
    )
    for name, value in fields.items():
        setattr(event, name, value)
    event.revision += 1
    event.updated_at = timezone.now()
    event.save()
    _store_identity(event, record)
    classify_and_store([event])
    return Outcome("updated", event.pk)


def _store_identity(event: Event, record: IncomingRecord) -> None:
    values = _identity_values(record)
    if values:
        EventIdentity.objects.update_or_create(event=event, defaults=values)


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def quarantine_record(
    *,
    format: str,
    raw: str,
    reason: str,
    location: str = "",
    source: str = "",
    context: dict | None = None,
) -> QuarantinedRecord:
    """Keep input that could not be accepted. The same input twice is kept once."""
    key = content_hash(format, raw, repr(sorted((context or {}).items())))
    with transaction.atomic():
        record, created = QuarantinedRecord.objects.get_or_create(
            content_hash=key,
            defaults={
                "format": format,
                "raw": raw,
                "reason": reason,
                "location": location[:200],
                "source": source,
                "context": context or {},
            },
        )
        if created:
            record_audit_event(
                actor=f"intake:{format}",
                action="intake.quarantine",
                target=record,
                summary=f"{location}: {reason}"[:300],
            )
    return record


def accept_records(
    records: list[IncomingRecord], *, actor=None, audit: bool = True, savepoint: bool = True
) -> list[Outcome]:
    """Store many records in one transaction (group commit), each exactly as `accept_record`.

    One Outcome per record, in order. On PostgreSQL the records go through the set-based
    path (`cairn.surveillance.intake.bulk`: one COPY and a few statements per batch,
    the audit rows written set-based with the outcomes); elsewhere through
    `accept_record` one by one. All or nothing: if any record fails,
    the batch rolls back and the error is raised, so the caller can retry the records one
    by one to find the bad one.
    """
    if not records:
        return []
    # `savepoint=False`: for a caller that rolls back its whole transaction on a failure
    # (a savepoint costs two round trips).
    with transaction.atomic(savepoint=savepoint):
        if connection.vendor == "postgresql":
            from cairn.surveillance.intake.bulk import accept_outcomes

            who = None
            if audit:
                fields = audit_actor_fields(actor) if actor else None
                who = (fields["actor_id"], fields["actor_username"]) if fields else (None, None)
            return accept_outcomes(records, audit=who)
        outcomes = [accept_record(record, actor=actor, audit=False) for record in records]
        if audit:
            AuditEvent.objects.bulk_create(
                (
                    AuditEvent(
                        **audit_actor_fields(actor or f"intake:{r.format}"),
                        action=f"intake.{o.status}",
                        target_type="surveillance.event",
                        target_id=str(o.event_id),
                        details={"format": r.format, "message_key": r.message_key},
                    )
                    for r, o in zip(records, outcomes, strict=True)
                ),
                batch_size=1000,
            )
    return outcomes
