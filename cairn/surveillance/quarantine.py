"""The quarantine: reads and actions for input that could not be accepted.

Raw payloads can identify a person (HL7 PID, FHIR Patient, a line list's names),
so quarantined records are read only through these functions, which check
Permission.MANAGE_INTAKE, and opening one writes an audit event. Correcting and
re-processing runs the corrected text through the same parser as its format's
intake; every action is audited in its own transaction.
"""

import importlib
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from cairn.access.audit import record_audit_event
from cairn.access.permissions import has_permission
from cairn.access.roles import Permission
from cairn.surveillance.intake.pipeline import accept_record
from cairn.surveillance.intake.records import IncomingRecord, IntakeError
from cairn.surveillance.models import IntakeFormat, QuarantinedRecord, QuarantineStatus


def _check(user) -> None:
    if not has_permission(user, Permission.MANAGE_INTAKE):
        raise PermissionDenied("Only public-health intake managers may open the quarantine.")


def quarantine_visible_to(user, *, format: str = "", status: str = "") -> QuerySet:
    """Quarantined records the user may see (all or none: intake is province-wide)."""
    if not has_permission(user, Permission.MANAGE_INTAKE):
        return QuarantinedRecord.objects.none()
    records = QuarantinedRecord.objects.all()
    if format:
        records = records.filter(format=format)
    if status:
        records = records.filter(status=status)
    return records.defer("raw", "context")


def open_counts_by_format(user) -> dict[str, int]:
    counts = {choice.value: 0 for choice in IntakeFormat}
    for row in (
        quarantine_visible_to(user, status=QuarantineStatus.OPEN)
        .values("format")
        .order_by()
        .annotate(n=Count("id"))
    ):
        counts[row["format"]] = row["n"]
    return counts


def get_quarantined_for_user(user, pk: int) -> QuarantinedRecord:
    """One quarantined record with its raw input; the reading is audited."""
    _check(user)
    with transaction.atomic():
        record = QuarantinedRecord.objects.get(pk=pk)
        record_audit_event(
            actor=user,
            action="quarantine.view",
            target=record,
            summary=f"{record.get_format_display()}: {record.location}"[:300],
        )
    return record


@dataclass(frozen=True)
class ReprocessResult:
    accepted: bool
    event_id: int | None = None
    status: str = ""  # created, updated, unchanged, duplicate
    reason: str = ""
    location: str = ""


def reprocess_quarantined(*, user, pk: int, raw: str) -> ReprocessResult:
    """Run the corrected text through its format's parser; accept it, or keep it open."""
    _check(user)
    with transaction.atomic():
        record = QuarantinedRecord.objects.select_for_update().get(pk=pk)
        if record.status != QuarantineStatus.OPEN:
            return ReprocessResult(False, reason=f"already {record.get_status_display().lower()}")
        try:
            incoming = records_from_raw(record.format, raw, record.context)
        except IntakeError as error:
            record.reason = error.message
            record.location = (error.location or "")[:200]
            if record.format == IntakeFormat.CSV and record.context.get("line"):
                where = record.context["line"]
                if error.location and error.location != "row":
                    where += f", column {error.location}"
                record.location = where[:200]
            record.context = {**record.context, "last_attempt": raw}
            record.save(update_fields=["reason", "location", "context"])
            record_audit_event(
                actor=user,
                action="quarantine.reprocess_failed",
                target=record,
                summary=str(error)[:300],
            )
            return ReprocessResult(False, reason=error.message, location=error.location)
        try:
            with transaction.atomic():
                outcomes = [accept_record(item, actor=user) for item in incoming]
        except DatabaseError as error:
            # A value the database refuses (too long, out of range): keep it open.
            reason = f"the database refused it: {str(error).splitlines()[0]}"
            record_audit_event(
                actor=user, action="quarantine.reprocess_failed", target=record, summary=reason
            )
            return ReprocessResult(False, reason=reason)
        first = outcomes[0]
        record.status = QuarantineStatus.REPROCESSED
        record.event_id = first.event_id
        record.resolved_at = timezone.now()
        record.resolved_by = user.get_username()
        if raw != record.raw:
            record.context = {**record.context, "corrected": raw}
        record.save()
        record_audit_event(
            actor=user,
            action="quarantine.reprocess",
            target=record,
            summary=f"{first.status}: event {first.event_id}",
            details={"event_ids": [o.event_id for o in outcomes], "corrected": raw != record.raw},
        )
    return ReprocessResult(True, event_id=first.event_id, status=first.status)


def discard_quarantined(*, user, pk: int, reason: str) -> QuarantinedRecord:
    _check(user)
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why the record is discarded.")
    with transaction.atomic():
        record = QuarantinedRecord.objects.select_for_update().get(pk=pk)
        if record.status != QuarantineStatus.OPEN:
            raise ValueError(f"This record is already {record.get_status_display().lower()}.")
        record.status = QuarantineStatus.DISCARDED
        record.resolved_at = timezone.now()
        record.resolved_by = user.get_username()
        record.context = {**record.context, "discarded_because": reason[:1000]}
        record.save()
        record_audit_event(
            actor=user, action="quarantine.discard", target=record, summary=reason[:300]
        )
    return record


def records_from_raw(format: str, raw: str, context: dict) -> list[IncomingRecord]:
    """Parse corrected input as its intake does; IntakeError says what is still wrong."""
    try:
        return _records_from_raw(format, raw, context)
    except IntakeError:
        raise
    except Exception as error:  # a parser's own error: a reason to show, never a 500
        raise IntakeError(f"could not be read: {error}") from None


def _records_from_raw(format: str, raw: str, context: dict) -> list[IncomingRecord]:
    if format == IntakeFormat.CSV:
        from cairn.surveillance.intake.csv_import import reprocess_csv_row

        return [reprocess_csv_row(raw, context)]
    if format == IntakeFormat.HL7V2:
        return [_hl7_record(raw)]
    if format == IntakeFormat.FHIR:
        return _fhir_records(raw)
    raise IntakeError(
        "Quick-entry reports cannot be re-processed here: enter the report again through "
        "the quick-entry form, then discard this one."
    )


def _optional(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _hl7_record(raw: str) -> IncomingRecord:
    parse_text = _optional("cairn.surveillance.intake.hl7.parse", "record_from_message")
    if parse_text is not None:
        return parse_text(raw)
    parse_message = _optional("cairn.surveillance.intake.hl7.messages", "parse_message")
    from_message = _optional("cairn.surveillance.intake.hl7.messages", "record_from_message")
    if parse_message is None or from_message is None:
        raise IntakeError("HL7 v2 re-processing is not available yet: the HL7 parser is missing.")
    try:
        message = parse_message(raw)
    except IntakeError:
        raise
    except Exception as error:  # UnreadableMessage and the library's own errors
        raise IntakeError(
            getattr(error, "message", str(error)), location=getattr(error, "location", "")
        ) from None
    return from_message(message)


def _fhir_records(raw: str) -> list[IncomingRecord]:
    from_bundle = _optional("cairn.surveillance.intake.fhir", "record_from_bundle")
    if from_bundle is not None:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            raise IntakeError(
                f"not valid JSON: {error.msg}", location=f"line {error.lineno}"
            ) from None
        return [from_bundle(data)]
    read_bundle = _optional("cairn.surveillance.intake.fhir", "read_bundle")
    if read_bundle is None:
        raise IntakeError("FHIR re-processing is not available yet: the FHIR reader is missing.")
    try:
        visits = read_bundle(raw)
    except IntakeError:
        raise
    except Exception as error:  # BundleRejected lists every issue
        issues = getattr(error, "issues", None)
        location = issues[0].expression if issues else ""
        raise IntakeError(str(error), location=location) from None
    if not visits:
        raise IntakeError("the bundle holds no Encounter to record", location="Bundle.entry")
    return [visit.record for visit in visits]
