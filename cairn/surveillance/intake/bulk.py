"""Accept many records at once, set-based, each exactly as `accept_record` would.

On PostgreSQL a batch is COPied into a temporary staging table, then:
re-sent transmissions (message keys already seen) are dropped as duplicates;
rows for encounters already stored update them, keeping the replaced values as an
EventRevision (only when something changed); the rest are inserted with
INSERT … SELECT … ON CONFLICT (dedup_key) DO NOTHING; message keys and identities
are written; the new and changed events are classified. A row that lost an insert
race to another connection is handed to `accept_record`. Elsewhere (SQLite) each
record goes through `accept_record`.

Runs in the caller's transaction, which also writes the one audit event.
"""

import json
import queue
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction

from cairn.geography import placement
from cairn.surveillance.classification import classify_and_store
from cairn.surveillance.intake.pipeline import accept_record
from cairn.surveillance.intake.records import IncomingRecord
from cairn.surveillance.models import Event, EventIdentity, EventRevision, ReceivedMessage

EVENTS = Event._meta.db_table
IDENTITIES = EventIdentity._meta.db_table
REVISIONS = EventRevision._meta.db_table
RECEIVED = ReceivedMessage._meta.db_table
STAGE = "cairn_intake_stage"
CLASSIFY_BATCH = 20_000

# Event columns written from a record, in staging order.
EVENT_VALUES = [
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
]
JSON_COLUMNS = {"diagnosis_codes", "suspected_substances"}
IDENTITY_VALUES = [
    "given_name",
    "family_name",
    "date_of_birth",
    "health_number",
    "postal_code",
    "phone",
]


# Seconds spent per step since the process started, for benchmarks (bench/).
STEP_SECONDS: Counter = Counter()


@contextmanager
def _step(name: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        STEP_SECONDS[name] += time.perf_counter() - started


@dataclass
class BulkCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    classification_seconds: float = 0.0

    def add(self, other: "BulkCounts") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.duplicates += other.duplicates
        self.classification_seconds += other.classification_seconds


@dataclass(slots=True)
class _Saved:
    """What classify_and_store reads from an event, without loading the event."""

    pk: int
    chief_complaint: str
    diagnosis_codes: list


def accept_many(records: list[IncomingRecord]) -> BulkCounts:
    """Store the records once each, in the caller's transaction; returns the counts."""
    acceptor = BulkAcceptor()
    try:
        acceptor.add(records)
        return acceptor.finish()
    finally:
        acceptor.close()


class BulkAcceptor:
    """Accept batches of records in the caller's transaction: add() each, then finish().

    Pipelined (PostgreSQL): a worker thread runs a batch's statements on the
    transaction's own connection while the caller parses the next batch, so the
    database and Python work at the same time. The caller must not use the database
    between the first add() and finish(). New and changed events are classified in
    finish(). Call close() in `finally`, so the worker stops after a failure.
    """

    QUEUE_SIZE = 2

    def __init__(self, *, pipelined: bool = False):
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("BulkAcceptor must run inside transaction.atomic().")
        self.counts = BulkCounts()
        self.postgresql = connection.vendor == "postgresql"
        self._saved: list[_Saved] = []
        self._raced: list[IncomingRecord] = []
        self._seen: set[str] = set()
        self._error: BaseException | None = None
        self._worker = None
        self._stored_counts = BulkCounts()  # written by the worker only
        if self.postgresql and pipelined:
            # Placement reads the geography once per process: read it now, before the
            # worker owns the connection.
            placement.warm_placement_caches()
            connection.ensure_connection()
            # The raw psycopg connection: Django's wrapper refuses use from another thread.
            self._raw = connection.connection
            self._queue: queue.Queue = queue.Queue(maxsize=self.QUEUE_SIZE)
            self._worker = threading.Thread(target=self._work, daemon=True)
            self._worker.start()

    def add(self, records: list[IncomingRecord]) -> None:
        if not self.postgresql:
            for record in records:
                self._count(accept_record(record, audit=False).status)
            return
        for batch in self._rounds(records):
            with _step("place"):
                places = place_many(batch)
            if self._worker is None:
                with connection.cursor() as cursor:
                    self._store(cursor.cursor, batch, places)
            else:
                self._put((batch, places))

    def finish(self) -> BulkCounts:
        if self._worker is not None:
            self._put(None)
            self._worker.join()
            self._worker = None
            self._raise_worker_error()
        self.counts.add(self._stored_counts)
        self._stored_counts = BulkCounts()
        started = time.perf_counter()
        with _step("classify"):
            for start in range(0, len(self._saved), CLASSIFY_BATCH):
                classify_and_store(self._saved[start : start + CLASSIFY_BATCH])
        self.counts.classification_seconds += time.perf_counter() - started
        self._saved = []
        for record in self._raced:
            # Another connection stored this encounter between our lookup and insert.
            self._count(accept_record(record, audit=False).status)
        self._raced = []
        return self.counts

    def close(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            self._error = self._error or RuntimeError("stopped")
            self._queue.put(None)
            self._worker.join()

    def _rounds(self, records: list[IncomingRecord]):
        """Batches in which each message key counts once and each encounter appears once,
        so a file holding a visit and its later correction applies both, in order."""
        pending = []
        for record in records:
            if record.message_key:
                if record.message_key in self._seen:
                    self.counts.duplicates += 1
                    continue
                self._seen.add(record.message_key)
            pending.append(record)
        while pending:
            keys: set[str] = set()
            this_round, later = [], []
            for record in pending:
                (later if record.dedup_key in keys else this_round).append(record)
                keys.add(record.dedup_key)
            yield this_round
            pending = later

    def _put(self, item) -> None:
        while True:
            self._raise_worker_error()
            try:
                self._queue.put(item, timeout=1)
                return
            except queue.Full:
                continue

    def _work(self) -> None:
        cursor = self._raw.cursor()
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is not None:
                continue  # drain, so the caller never blocks
            try:
                self._store(cursor, *item)
            except BaseException as error:  # re-raised in the caller's thread
                self._error = error

    def _raise_worker_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _store(self, cursor, records: list[IncomingRecord], places) -> None:
        counts = _store_round(cursor, records, places)
        self._stored_counts.add(counts.counts)
        self._saved.extend(
            _Saved(event_id, records[ord_].chief_complaint, records[ord_].diagnosis_codes)
            for ord_, event_id in counts.saved
        )
        self._raced.extend(records[ord_] for ord_ in counts.raced)

    def _count(self, status: str) -> None:
        name = _COUNT_FOR[status]
        setattr(self.counts, name, getattr(self.counts, name) + 1)


_COUNT_FOR = {
    "created": "created",
    "updated": "updated",
    "unchanged": "unchanged",
    "duplicate": "duplicates",
}


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


def _create_stage(cursor) -> None:
    cursor.execute(
        f"""
        CREATE TEMP TABLE IF NOT EXISTS {STAGE} (
            ord integer, message_key text, dedup_key text, source text,
            occurred_at timestamptz, community_id bigint, placement text, age_band text,
            sex text, chief_complaint text, diagnosis_codes text, disposition text,
            facility text, fatal boolean, naloxone_doses integer, suspected_substances text,
            source_record_id text, revision_reason text,
            given_name text, family_name text, date_of_birth date, health_number text,
            postal_code text, phone text, has_identity boolean,
            event_id bigint, created boolean NOT NULL DEFAULT false,
            changed boolean NOT NULL DEFAULT false
        ) ON COMMIT DROP
        """
    )
    cursor.execute(f"TRUNCATE {STAGE}")


@dataclass
class _Stored:
    counts: BulkCounts
    saved: list  # (ord, event id) of new and changed events
    raced: list  # ord of rows another connection inserted first


def _store_round(cursor, records: list[IncomingRecord], places) -> _Stored:
    """One batch's statements on a psycopg cursor (no dedup_key twice in `records`)."""
    counts = BulkCounts()
    _create_stage(cursor)
    with _step("copy"):
        _copy_to_stage(cursor, records, places)
    # The tables' statistics do not yet count the rows this transaction inserted, so
    # the planner would hash-join (scan) the growing events table once per batch:
    # probe the unique indexes instead.
    cursor.execute("SET LOCAL enable_hashjoin = off")
    cursor.execute("SET LOCAL enable_mergejoin = off")
    with _step("duplicates"):
        cursor.execute(f"ANALYZE {STAGE}")
        cursor.execute(
            f"DELETE FROM {STAGE} s USING {RECEIVED} r WHERE r.message_key = s.message_key"
        )
        counts.duplicates += cursor.rowcount
    with _step("update"):
        counts.updated, counts.unchanged = _update_existing(cursor)
    cursor.execute("RESET enable_hashjoin")
    cursor.execute("RESET enable_mergejoin")
    with _step("insert"):
        counts.created = _insert_new(cursor)
    with _step("received"):
        cursor.execute(
            f"""INSERT INTO {RECEIVED} (message_key, format, received_at, event_id)
                SELECT message_key, 'csv', now(), event_id FROM {STAGE}
                WHERE message_key IS NOT NULL AND event_id IS NOT NULL
                ON CONFLICT (message_key) DO NOTHING"""
        )
    with _step("identity"):
        _store_identities(cursor)
    cursor.execute(f"SELECT ord, event_id FROM {STAGE} WHERE created OR changed")
    saved = cursor.fetchall()
    cursor.execute(f"SELECT ord FROM {STAGE} WHERE event_id IS NULL")
    raced = [row[0] for row in cursor.fetchall()]
    return _Stored(counts, saved, raced)


STAGE_COLUMNS = (
    "ord, message_key, dedup_key, source, occurred_at, community_id, placement, "
    "age_band, sex, chief_complaint, diagnosis_codes, disposition, facility, fatal, "
    "naloxone_doses, suspected_substances, source_record_id, revision_reason, "
    "given_name, family_name, date_of_birth, health_number, postal_code, phone, "
    "has_identity"
)
NO_IDENTITY = (None, None, None, None, None, None, False)


def _copy_to_stage(cursor, records: list[IncomingRecord], places) -> None:
    dumps = json.dumps
    with cursor.copy(f"COPY {STAGE} ({STAGE_COLUMNS}) FROM STDIN") as copy:
        write_row = copy.write_row
        for ord_, (record, (community_id, method)) in enumerate(zip(records, places, strict=True)):
            identity = record.identity
            write_row(
                (
                    ord_,
                    record.message_key or None,
                    record.dedup_key,
                    record.source,
                    record.occurred_at,
                    community_id,
                    method,
                    record.age_band,
                    record.sex,
                    record.chief_complaint,
                    dumps(record.diagnosis_codes) if record.diagnosis_codes else "[]",
                    record.disposition,
                    record.facility,
                    record.fatal,
                    record.naloxone_doses,
                    dumps(record.suspected_substances) if record.suspected_substances else "[]",
                    record.source_record_id,
                    record.revision_reason[:200],
                    *(
                        (
                            identity.get("given_name", ""),
                            identity.get("family_name", ""),
                            identity.get("date_of_birth"),
                            identity.get("health_number", ""),
                            identity.get("postal_code", ""),
                            identity.get("phone", ""),
                            True,
                        )
                        if identity
                        else NO_IDENTITY
                    ),
                )
            )


def _staged(column: str) -> str:
    return f"s.{column}::jsonb" if column in JSON_COLUMNS else f"s.{column}"


def _update_existing(cursor) -> tuple[int, int]:
    stored = ", ".join(f"e.{c}" for c in EVENT_VALUES)
    staged = ", ".join(_staged(c) for c in EVENT_VALUES)
    cursor.execute(
        f"""UPDATE {STAGE} s SET event_id = e.id, changed = (({stored}) IS DISTINCT FROM ({staged}))
            FROM {EVENTS} e WHERE e.dedup_key = s.dedup_key"""
    )
    matched = cursor.rowcount
    if not matched:
        return 0, 0
    previous = ", ".join(f"'{c}', e.{c}" for c in EVENT_VALUES)
    cursor.execute(
        f"""INSERT INTO {REVISIONS} (event_id, revision, replaced_at, reason, previous)
            SELECT e.id, e.revision, now(), s.revision_reason, jsonb_build_object({previous})
            FROM {STAGE} s JOIN {EVENTS} e ON e.id = s.event_id WHERE s.changed"""
    )
    assignments = ", ".join(f"{c} = {_staged(c)}" for c in EVENT_VALUES)
    cursor.execute(
        f"""UPDATE {EVENTS} e SET {assignments}, revision = e.revision + 1, updated_at = now()
            FROM {STAGE} s WHERE e.id = s.event_id AND s.changed"""
    )
    updated = cursor.rowcount
    return updated, matched - updated


def _insert_new(cursor) -> int:
    columns = ", ".join(EVENT_VALUES)
    staged = ", ".join(_staged(c) for c in EVENT_VALUES)
    cursor.execute(
        f"""WITH inserted AS (
                INSERT INTO {EVENTS} (dedup_key, received_at, revision, {columns})
                SELECT s.dedup_key, now(), 1, {staged} FROM {STAGE} s
                WHERE s.event_id IS NULL ORDER BY s.ord
                ON CONFLICT (dedup_key) DO NOTHING
                RETURNING id, dedup_key
            )
            UPDATE {STAGE} s SET event_id = i.id, created = true
            FROM inserted i WHERE s.dedup_key = i.dedup_key"""
    )
    return cursor.rowcount


def _store_identities(cursor) -> None:
    columns = ", ".join(IDENTITY_VALUES)
    updates = ", ".join(
        f"{c} = COALESCE(NULLIF(EXCLUDED.{c}, ''), i.{c})"
        if c != "date_of_birth"
        else f"{c} = COALESCE(EXCLUDED.{c}, i.{c})"
        for c in IDENTITY_VALUES
    )
    staged = ", ".join(
        f"COALESCE(s.{c}, '')" if c != "date_of_birth" else "s.date_of_birth"
        for c in IDENTITY_VALUES
    )
    cursor.execute(
        f"""INSERT INTO {IDENTITIES} AS i (event_id, {columns})
            SELECT event_id, {staged}
            FROM {STAGE} s WHERE s.has_identity AND s.event_id IS NOT NULL
            ON CONFLICT (event_id) DO UPDATE SET {updates}"""
    )
