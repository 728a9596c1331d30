"""A batch of raw HL7 messages -> one transaction -> one ACK per message.

Used by the MLLP listener (group commit: frames from every connection that arrive
within a few milliseconds share one transaction) and by file import. ACKs are
returned only after the transaction has committed, so an AA always means stored.
Database outages (OperationalError, InterfaceError) propagate to the caller, which
retries the whole batch; nothing is acknowledged in the meantime.
"""

import logging
from dataclasses import dataclass

from django.db import DatabaseError, InterfaceError, OperationalError, transaction

from cairn.surveillance.intake.hl7.acks import ack_for, reject_unreadable
from cairn.surveillance.intake.hl7.messages import (
    INTERNAL_ERROR,
    Hl7FieldError,
    UnreadableMessage,
    parse_message,
    record_from_message,
)
from cairn.surveillance.intake.pipeline import (
    accept_record,
    accept_records,
    quarantine_record,
)

logger = logging.getLogger(__name__)

# Errors that mean "the database is not there", as opposed to "this record is bad".
UNAVAILABLE = (OperationalError, InterfaceError)


@dataclass
class Reply:
    code: str  # AA, AE or AR
    ack: str  # the ACK message, segments separated by CR
    status: str = ""  # created, updated, unchanged, duplicate or quarantined
    reason: str = ""  # "PID-7: birth date 20261399 is not a date"
    event_id: int | None = None


@dataclass
class ReadMessage:
    """A message read (parsed and mapped) but not yet stored: what `read_message` returns."""

    raw: str
    message: object = None
    record: object = None
    reply: Reply | None = None
    rejection: tuple | None = None  # (reason, location)
    accepted_ack: str = ""  # the AA to send once committed


def read_message(raw: str) -> ReadMessage:
    """Parse and map one message, and build its AA for when it is committed; no database."""
    item = _read(raw)
    if item.record is not None:
        item.accepted_ack = ack_for(item.message, "AA")
    return item


def decode_frame(data: bytes) -> str:
    """UTF-8 (MSH-18 UNICODE UTF-8), else ISO 8859-1, the other charset in common use."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL


def process_messages(
    raws: list[str], *, source: str = "", read: list[ReadMessage] | None = None
) -> list[Reply]:
    """Accept or quarantine every message, in one transaction, and return their ACKs.

    `read`: the messages already read by `read_message` (e.g. in worker processes).
    """
    items = read if read is not None else [_read(raw) for raw in raws]
    accepted = [item for item in items if item.record is not None]
    try:
        # No savepoint (each costs two round trips): if the batch fails, the whole
        # transaction rolls back and the messages are stored again one by one.
        with transaction.atomic():
            _quarantine_rejections(items, source)
            outcomes = accept_records([item.record for item in accepted], savepoint=False)
    except UNAVAILABLE:
        raise
    except DatabaseError:
        logger.exception("HL7 batch failed; retrying its %d messages one by one", len(accepted))
        with transaction.atomic():
            _quarantine_rejections(items, source)
            outcomes = [_accept_alone(item, source) for item in accepted]
    for item, outcome in zip(accepted, outcomes, strict=True):
        if outcome is not None:
            ack = item.accepted_ack or ack_for(item.message, "AA")
            item.reply = Reply("AA", ack, status=outcome.status, event_id=outcome.event_id)
    return [item.reply for item in items]


def _quarantine_rejections(items: list[ReadMessage], source: str) -> None:
    for item in items:
        if item.rejection is not None:
            reason, location = item.rejection
            quarantine_record(
                format="hl7v2", raw=item.raw, reason=reason, location=location, source=source
            )


def _read(raw: str) -> ReadMessage:
    item = ReadMessage(raw=raw)
    try:
        item.message = parse_message(raw)
    except UnreadableMessage as error:
        item.rejection = (error.message, error.location)
        item.reply = Reply("AR", reject_unreadable(str(error)), "quarantined", str(error))
        return item
    try:
        item.record = record_from_message(item.message)
    except Hl7FieldError as error:
        _reject(item, error.message, error.location, error.code)
    except Exception as error:  # never crash on input: quarantine what we did not foresee
        logger.exception("Unexpected error mapping an HL7 message")
        _reject(item, f"could not be processed: {error}", "MSH", INTERNAL_ERROR)
    return item


def _reject(item: ReadMessage, message: str, location: str, code: str) -> None:
    reason = f"{location}: {message}"
    item.rejection = (message, location)
    item.reply = Reply(
        "AE",
        ack_for(item.message, "AE", text=reason, location=location, error_code=code),
        "quarantined",
        reason,
    )


def _accept_alone(item: ReadMessage, source: str):
    """One record in its own savepoint; a record the database refuses is quarantined."""
    try:
        with transaction.atomic():
            return accept_record(item.record)
    except UNAVAILABLE:
        raise
    except DatabaseError as error:
        reason = f"the database refused it: {error}".strip()
        quarantine_record(format="hl7v2", raw=item.raw, reason=reason, location="", source=source)
        item.reply = Reply(
            "AE",
            ack_for(
                item.message or parse_message(item.raw),
                "AE",
                text=reason,
                error_code=INTERNAL_ERROR,
            ),
            "quarantined",
            reason,
        )
        return None
