"""The set-based accept on PostgreSQL: COPY a batch into a staging table, then a few
statements store every row of it exactly as `accept_record` would.

Per batch (no dedup key and no message key twice in one batch):

1. `INSERT INTO received … ON CONFLICT (message_key) DO NOTHING`: a transmission
   already received (by any connection: a concurrent one is waited for) is dropped
   from the stage as a duplicate. Skipped for a batch without message keys (CSV rows:
   the file is the transmission, remembered once by `csv_import`).
2. One statement inserts the events (`ON CONFLICT (dedup_key) DO NOTHING`), the
   matches of the new events (a join of the stage with the classification of each
   distinct (complaint, diagnoses) pair, staged once per import) and the identities
   of new events.
3. Only if some rows met an encounter already stored (an update, a re-sent row under
   a new message key, or another connection's insert a moment earlier): find those
   events, keep the replaced values as EventRevisions when something changed,
   update them, replace their matches, mark their new and previous cells, point
   their received messages at them, complete their identities.

The (community, local day) cells of the staged rows are collected while the lines
are built (`cells`) and marked for recounting once, at `finish()`: a cell marked
for a row that turned out a duplicate is recounted to the same counts, harmless.

Statements 1 and 2 run in pipeline mode: they are sent, and the caller parses the
next batch while PostgreSQL runs them on the other core. Everything is in the
caller's transaction, committed by the caller before anyone is told "stored".

A CSV batch (no message keys, no identities, no outcomes wanted) skips all of this
while it can: its events and matches are COPied straight into their tables on a
thread (`direct.py`), which costs PostgreSQL about a third less. The first such batch
that meets an encounter already stored is undone (a savepoint) and sent the staged
way, as is every later batch of this stage.
"""

import time
import weakref
import zoneinfo
from collections import Counter
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from itertools import islice

import psycopg
from django.conf import settings
from django.db import connection

from cairn.surveillance.intake.bulk import copytext
from cairn.surveillance.intake.bulk.columns import (  # noqa: F401 (re-exported)
    AUDIT,
    CLASSES,
    EVENT_VALUES,
    EVENTS,
    IDENTITIES,
    IDENTITY_VALUES,
    JSON_COLUMNS,
    MARKS,
    MATCHES,
    NO_IDENTITY,
    RECEIVED,
    REVISIONS,
    STAGE,
    STAGE_COLUMNS,
)
from cairn.surveillance.intake.bulk.direct import DirectBatch

# Batches up to this many rows run prepared statements (see `submit`).
PREPARED_BATCH_LIMIT = 1000

# The staging tables are truncated once this many rows were staged since the last time:
# every statement scans the dead rows left until then (at 30 rows a batch, truncating
# after 1,000 rows cost PostgreSQL 10% less than after 20,000, and less than after 300).
TRUNCATE_AFTER_ROWS = 1_000
# Per database connection (psycopg's): rows staged since the staging tables were truncated.
_SESSIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

_SEQUENCE: list[str] = []


def _event_sequence(cursor) -> str:
    """The events' id sequence (looked up once per process)."""
    if not _SEQUENCE:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [EVENTS])
        _SEQUENCE.append(cursor.fetchone()[0])
    return _SEQUENCE[0]


# Seconds per step since the process started, for benchmarks (bench/).
STEP_SECONDS: Counter = Counter()


@contextmanager
def step(name: str):
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
    # Of the created: rows COPied straight into the tables (`direct.py`).
    copied: int = 0

    def add(self, other: "BulkCounts") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.duplicates += other.duplicates
        self.copied += other.copied
        self.classification_seconds += other.classification_seconds


def _staged(column: str) -> str:
    return f"s.{column}::jsonb" if column in JSON_COLUMNS else f"s.{column}"


def _sql_insert_received() -> str:
    return f"""
        WITH ins AS (
            INSERT INTO {RECEIVED} (message_key, format, received_at, event_id)
            SELECT message_key, format, now(), new_id FROM {STAGE}
             WHERE message_key IS NOT NULL
            ON CONFLICT (message_key) DO NOTHING
            RETURNING message_key
        )
        DELETE FROM {STAGE} s
         WHERE s.message_key IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM ins WHERE ins.message_key = s.message_key)
        RETURNING s.ord, s.message_key, s.format"""


def _sql_insert_events(identities: bool) -> str:
    columns = ", ".join(EVENT_VALUES)
    staged = ", ".join(_staged(c) for c in EVENT_VALUES)
    identity = ""
    if identities:
        values = ", ".join(
            f"COALESCE(s.{c}, '')" if c != "date_of_birth" else "s.date_of_birth"
            for c in IDENTITY_VALUES
        )
        identity = f""",
        idn AS (
            INSERT INTO {IDENTITIES} (event_id, {", ".join(IDENTITY_VALUES)})
            SELECT s.new_id, {values} FROM {STAGE} s JOIN ins ON ins.id = s.new_id
             WHERE s.has_identity
        )"""
    return f"""
        WITH ins AS (
            INSERT INTO {EVENTS} (id, dedup_key, received_at, revision, {columns})
            SELECT s.new_id, s.dedup_key, now(), 1, {staged} FROM {STAGE} s
            ON CONFLICT (dedup_key) DO NOTHING
            RETURNING id
        ),
        mat AS (
            INSERT INTO {MATCHES} (event_id, definition_id, version, field, reason)
            SELECT s.new_id, c.definition_id, c.version, c.field, c.reason
              FROM {STAGE} s JOIN ins ON ins.id = s.new_id
              JOIN {CLASSES} c ON c.class_id = s.class_id
        ){identity}
        SELECT count(*) FROM ins"""


@dataclass
class _InFlight:
    """A batch whose statements were sent and whose results are not read yet."""

    pipeline: ExitStack
    received: object  # cursor of statement 1 (None: a batch without message keys)
    inserted: object  # cursor of statement 2
    staged: int
    has_identities: bool
    ords: list = field(default_factory=list)
    message_keys: bool = True


class Stage:
    """One transaction's set-based accept: `classification()` while building lines,
    `submit(lines)` per batch, `finish()` at the end. PostgreSQL only.

    With `outcomes`, `finish()` also fills `self.outcomes`: ord -> (status, event id),
    and each batch's cells are marked as its outcomes are read. With `audit` (actor id,
    actor username or None for "intake:<format>") each record gets its audit row
    ("intake.created" and so on), written set-based with the outcomes.
    """

    def __init__(self, *, outcomes: bool = False, audit: tuple | None = None):
        from cairn.surveillance.classification.store import published_definitions

        self._bind(connection)
        if not connection.in_atomic_block:
            raise RuntimeError("The set-based accept must run inside transaction.atomic().")
        self.counts = BulkCounts()
        self.want_outcomes = outcomes or audit is not None
        self.audit = audit
        self.outcomes: dict[int, tuple[str, int | None]] = {}
        self.count_zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        with connection.wrap_database_errors:
            published = published_definitions(self._create_tables())
        self._classifier = published.classifier
        self._definition_ids = published.ids
        self._versions = published.versions
        self._classes: dict[tuple[str, tuple[str, ...]], tuple[str, str]] = {}
        # Every classification's matches: class id -> ("", then each match's COPY line
        # without its first column). Joined with the class id they are the lines of the
        # classes table (append-only: each lane sends the classes it lacks); joined with
        # an event id, that event's match lines (`direct.copy_text`).
        self._class_matches: dict[str, tuple[str, ...]] = {}
        self._class_sent = 0
        self._next_class = 1
        self._in_flight: _InFlight | DirectBatch | None = None
        self._touched = False
        self._staged_rows = 0
        # Batches of new CSV rows are COPied straight into the tables (`direct`) until
        # one meets an encounter stored already: this stage then stages every batch.
        self.direct = True
        # (community and placement COPY text, local day) of every staged row.
        self.cells: set[tuple[str, str]] = set()
        self._main = True
        # True (CSV): a row whose values are those an update replaced earlier (an older
        # extract sent again) leaves the encounter unchanged rather than turning it back.
        self.earlier_values_unchanged = False

    def lane(self, db) -> "Stage":
        """The same accept on a second connection `db` (a Django database wrapper in a
        transaction of its own, not in autocommit), sharing this stage's
        classifications, counts and cells: the caller sends each encounter to one lane
        only, `flush()`es the other lanes before `finish()` and commits them itself.
        Lines are built with this (the main) stage. No outcomes, no audit."""
        if self.want_outcomes:
            raise RuntimeError("Outcomes are read on the main connection only.")
        if db.get_autocommit():
            raise RuntimeError("A lane must run in a transaction (autocommit off).")
        other = object.__new__(Stage)
        other.__dict__.update(self.__dict__)
        other._bind(db)
        other._class_sent = 0
        other._in_flight = None
        other._touched = False
        other._staged_rows = 0
        other._main = False
        with db.wrap_database_errors:
            other._create_tables()
        return other

    def _bind(self, db) -> None:
        db.ensure_connection()
        self.db = db
        self.raw = db.connection  # psycopg: COPY, pipeline mode
        self.cursor = self.raw.cursor()

    # -- building lines ---------------------------------------------------------------
    def classification(self, chief_complaint: str, codes) -> tuple[str, str]:
        """COPY text of class_id and of (chief_complaint, diagnosis_codes) for a record,
        classifying each distinct pair once."""
        key = (chief_complaint, tuple(codes))
        found = self._classes.get(key)
        if found is not None:
            return found
        started = time.perf_counter()
        matches = self._classifier.classify(chief_complaint, list(codes))
        class_id = copytext.NULL
        if matches:
            if not self._main:
                raise RuntimeError("Lines are built with the main stage.")
            class_id = str(self._next_class)
            self._next_class += 1
            self._class_matches[class_id] = (
                "",
                *(
                    f"\t{self._definition_ids[match.definition]}\t"
                    f"{self._versions[match.definition]}\t{match.field}\t"
                    f"{copytext.text(match.reason[:300])}\n"
                    for match in matches
                ),
            )
        found = (class_id, f"{copytext.text(chief_complaint)}\t{copytext.json_list(codes)}")
        if len(self._classes) < 500_000:
            self._classes[key] = found
        self.counts.classification_seconds += time.perf_counter() - started
        return found

    def local_day(self, occurred_at) -> str:
        return occurred_at.astimezone(self.count_zone).date().isoformat()

    # -- batches ----------------------------------------------------------------------
    def submit(
        self,
        lines: list[str],
        *,
        ords: list[int] | None = None,
        identities: bool = True,
        message_keys: bool = True,
    ):
        """Stage one batch (COPY lines, see STAGE_COLUMNS) and send its statements.

        No dedup key and no message key may occur twice in `lines`. `message_keys=False`
        says every line's message key is NULL (CSV rows): statement 1 is not sent, and
        unless the batch has identities or outcomes are wanted, it is COPied straight
        into the tables (`direct.py`) while that finds no encounter stored already.
        """
        with self.db.wrap_database_errors:
            self._collect()
            if not lines:
                return
            self._touched = True
            if self.direct and not message_keys and not identities and not self.want_outcomes:
                self._in_flight = DirectBatch(
                    self.raw, _event_sequence(self.cursor), lines, self._class_matches
                )
                return
            self._send_staged(lines, ords, identities, message_keys)

    def _send_staged(self, lines, ords, identities: bool, message_keys: bool) -> None:
        """COPY the batch into the stage and send its statements (pipeline mode)."""
        with step("copy"):
            if len(self._class_matches) > self._class_sent:
                unsent = islice(self._class_matches.items(), self._class_sent, None)
                with self.cursor.copy(
                    f"COPY {CLASSES} (class_id, definition_id, version, field, reason) FROM STDIN"
                ) as copy:
                    copy.write("".join(class_id.join(lines) for class_id, lines in unsent))
                self._class_sent = len(self._class_matches)
            if self._staged_rows:
                # A big batch is dropped faster whole; a few rows are deleted faster.
                empty = "TRUNCATE" if self._staged_rows > 1000 else "DELETE FROM"
                self.cursor.execute(f"{empty} {STAGE}")
            self._staged_rows = len(lines)
            self._session["rows"] += len(lines)
            with self.cursor.copy(f"COPY {STAGE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
                copy.write("".join(lines))
        pipeline = ExitStack()
        pipeline.enter_context(self.raw.pipeline())
        # A small batch (a group commit) runs the statements prepared: planning them
        # costs PostgreSQL more than running them for a few dozen rows. Their plans
        # are made for small stages, so a big batch (a file) has them planned afresh.
        prepare = len(lines) <= PREPARED_BATCH_LIMIT
        received = None
        if message_keys:
            received = self._statement_cursor(prepare)
            received.execute(_sql_insert_received(), prepare=prepare)
        inserted = self._statement_cursor(prepare)
        inserted.execute(_sql_insert_events(identities), prepare=prepare)
        self._in_flight = _InFlight(
            pipeline, received, inserted, len(lines), identities, ords or [], message_keys
        )

    def flush(self) -> None:
        """Read the last batch's results (a lane: all there is to do before its commit)."""
        with self.db.wrap_database_errors:
            self._collect()

    def finish(self) -> BulkCounts:
        """Read the last batch's results; schedule what follows the commit."""
        if not self._main:
            raise RuntimeError("A lane is flushed; the main stage is finished.")
        with connection.wrap_database_errors:
            self._collect()
            if self.want_outcomes:
                self.cells.clear()  # marked with each batch's outcomes
            if self.cells:
                with (
                    step("marks"),
                    self.cursor.copy(f"COPY {MARKS} (community_id, day) FROM STDIN") as copy,
                ):
                    copy.write(
                        "".join(
                            f"{place.split(chr(9), 1)[0]}\t{day}\n" for place, day in self.cells
                        )
                    )
                self.cells.clear()
        if self._touched:
            from cairn.surveillance.classification.after import events_classified

            # The cells are marked (above, set-based); this runs what follows a commit.
            events_classified([])
        return self.counts

    def close(self) -> None:
        """After a failure: leave pipeline mode so the connection can roll back."""
        if self._in_flight is not None:
            in_flight, self._in_flight = self._in_flight, None
            with suppress(Exception):  # the caller's error is the one to report
                if isinstance(in_flight, DirectBatch):
                    in_flight.stored()  # the thread must be done with the connection
                else:
                    in_flight.pipeline.close()

    # -- internals --------------------------------------------------------------------
    def _statement_cursor(self, prepare: bool):
        """A cursor with server-side parameters (needed to prepare), or the usual one."""
        return psycopg.Cursor(self.raw) if prepare else self.raw.cursor()

    def _create_tables(self) -> list:
        """The staging tables, once per session, emptied of the previous accept's rows.

        One round trip: the settings, the tables if this session has none yet, emptying
        them, and the active case definitions (returned: ACTIVE_DEFINITIONS_SQL's rows).
        """
        from cairn.surveillance.classification.store import ACTIVE_DEFINITIONS_SQL

        # Emptied here, not ON COMMIT DELETE ROWS: truncating at every commit costs a
        # small batch (an MLLP group commit) milliseconds. Deleting leaves dead rows that
        # only a truncation frees (temporary tables are not vacuumed), so one follows
        # every TRUNCATE_AFTER_ROWS staged rows.
        self._session = _SESSIONS.setdefault(self.raw, {"rows": 0})
        if self._session["rows"] > TRUNCATE_AFTER_ROWS:
            empty = f"TRUNCATE {STAGE}, {CLASSES}"
            self._session["rows"] = 0
        else:
            empty = f"DELETE FROM {STAGE}; DELETE FROM {CLASSES}"
        # JIT compiling these statements costs more than running them; and the planner
        # would sort the stage and the new events to merge-join them, where hashing the
        # (small) classifications and the batch's new ids is several times cheaper.
        self.cursor.execute(
            "SET LOCAL jit = off; SET LOCAL enable_mergejoin = off; "
            "SET LOCAL client_min_messages = warning; "
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ("
            "ord integer, format text, message_key text, dedup_key text, source text, "
            "occurred_at timestamptz, day date, community_id bigint, placement text, "
            "age_band text, sex text, chief_complaint text, diagnosis_codes text, "
            "class_id integer, disposition text, facility text, fatal boolean, "
            "naloxone_doses integer, suspected_substances text, source_record_id text, "
            "revision_reason text, has_identity boolean, given_name text, "
            "family_name text, date_of_birth date, health_number text, "
            "postal_code text, phone text, "
            f"new_id bigint NOT NULL DEFAULT nextval('{_event_sequence(self.cursor)}'), "
            "event_id bigint, changed boolean NOT NULL DEFAULT false"
            "); "
            f"CREATE TEMP TABLE IF NOT EXISTS {CLASSES} ("
            "class_id integer, definition_id bigint, version integer, field text, reason text"
            "); "
            f"{empty}; SET LOCAL client_min_messages TO DEFAULT; {ACTIVE_DEFINITIONS_SQL}"
        )
        cursor = self.cursor
        while cursor.nextset():
            pass
        return cursor.fetchall()

    def _collect(self) -> None:
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is None:
            return
        if isinstance(in_flight, DirectBatch):
            with step("direct"):
                stored = in_flight.stored()
            if stored:
                self.counts.created += len(in_flight.lines)
                self.counts.copied += len(in_flight.lines)
                return
            # An encounter of the batch was stored already (nothing of it is now): the
            # staged way updates or leaves those rows, and takes every later batch.
            self.direct = False
            self._send_staged(in_flight.lines, [], False, False)
            self._collect()
            return
        with step("statements"):
            in_flight.pipeline.close()  # sync: waits for the statements' results
        duplicates = in_flight.received.fetchall() if in_flight.received is not None else []
        created = in_flight.inserted.fetchone()[0]
        self.counts.duplicates += len(duplicates)
        self.counts.created += created
        if created + len(duplicates) < in_flight.staged:
            with step("existing"):
                self._existing(in_flight.has_identities, in_flight.message_keys)
        if self.want_outcomes:
            self._read_outcomes(duplicates)

    def _existing(self, identities: bool, message_keys: bool = True) -> None:
        """Rows whose encounter was already stored: update (with a revision) or leave."""
        cursor = self.cursor
        stored = ", ".join(f"e.{c}" for c in EVENT_VALUES)
        staged = ", ".join(_staged(c) for c in EVENT_VALUES)
        # The planner does not yet count the rows this transaction inserted; probe the
        # unique indexes rather than hash-join (scan) the events table.
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        changed = f"(({stored}) IS DISTINCT FROM ({staged}))"
        if self.earlier_values_unchanged:
            # The staged values as an update keeps them (`previous`, below); CASE: only
            # for rows that differ.
            staged_json = ", ".join(f"'{c}', {_staged(c)}" for c in EVENT_VALUES)
            changed = f"""CASE WHEN {changed} THEN NOT EXISTS (
                               SELECT 1 FROM {REVISIONS} r
                                WHERE r.event_id = e.id
                                  AND r.previous = jsonb_build_object({staged_json}))
                          ELSE false END"""
        cursor.execute(
            f"""UPDATE {STAGE} s
                   SET event_id = e.id, changed = {changed}
                  FROM {EVENTS} e WHERE e.dedup_key = s.dedup_key AND e.id <> s.new_id"""
        )
        matched = cursor.rowcount
        previous = ", ".join(f"'{c}', e.{c}" for c in EVENT_VALUES)
        cursor.execute(
            f"""WITH rev AS (
                    INSERT INTO {REVISIONS} (event_id, revision, replaced_at, reason, previous)
                    SELECT e.id, e.revision, now(), s.revision_reason,
                           jsonb_build_object({previous})
                      FROM {STAGE} s JOIN {EVENTS} e ON e.id = s.event_id WHERE s.changed
                    RETURNING previous
                )
                INSERT INTO {MARKS} (community_id, day)
                SELECT DISTINCT (previous->>'community_id')::bigint,
                       ((previous->>'occurred_at')::timestamptz AT TIME ZONE %s)::date
                  FROM rev""",
            [settings.TIME_ZONE],
        )
        assignments = ", ".join(f"{c} = {_staged(c)}" for c in EVENT_VALUES)
        cursor.execute(
            f"""UPDATE {EVENTS} e SET {assignments}, revision = e.revision + 1, updated_at = now()
                  FROM {STAGE} s WHERE e.id = s.event_id AND s.changed"""
        )
        updated = cursor.rowcount
        if updated:
            cursor.execute(
                f"""DELETE FROM {MATCHES} m USING {STAGE} s
                     WHERE m.event_id = s.event_id AND s.changed"""
            )
            cursor.execute(
                f"""INSERT INTO {MATCHES} (event_id, definition_id, version, field, reason)
                    SELECT s.event_id, c.definition_id, c.version, c.field, c.reason
                      FROM {STAGE} s JOIN {CLASSES} c ON c.class_id = s.class_id
                     WHERE s.changed"""
            )
        if message_keys:
            cursor.execute(
                f"""UPDATE {RECEIVED} r SET event_id = s.event_id FROM {STAGE} s
                     WHERE s.event_id IS NOT NULL AND r.message_key = s.message_key"""
            )
        if identities:
            columns = ", ".join(IDENTITY_VALUES)
            updates = ", ".join(
                f"{c} = COALESCE(NULLIF(EXCLUDED.{c}, ''), i.{c})"
                if c != "date_of_birth"
                else f"{c} = COALESCE(EXCLUDED.{c}, i.{c})"
                for c in IDENTITY_VALUES
            )
            values = ", ".join(
                f"COALESCE(s.{c}, '')" if c != "date_of_birth" else "s.date_of_birth"
                for c in IDENTITY_VALUES
            )
            cursor.execute(
                f"""INSERT INTO {IDENTITIES} AS i (event_id, {columns})
                    SELECT s.event_id, {values} FROM {STAGE} s
                     WHERE s.has_identity AND s.event_id IS NOT NULL
                    ON CONFLICT (event_id) DO UPDATE SET {updates}"""
            )
        cursor.execute("SET LOCAL enable_hashjoin TO DEFAULT")
        self.counts.updated += updated
        self.counts.unchanged += matched - updated
        cursor.execute(f"SELECT count(*) FROM {STAGE} WHERE event_id IS NULL")
        (created,) = cursor.fetchone()
        cursor.execute(f"SELECT count(*) FROM {STAGE}")
        (staged,) = cursor.fetchone()
        if created + matched != staged:
            raise RuntimeError(
                f"{staged - created - matched} staged rows neither inserted nor found"
            )

    def _read_outcomes(self, duplicates: list) -> None:
        """Each staged row's outcome, and the duplicates' (their stored event), in one
        statement that also marks the batch's cells and writes the audit rows."""
        prepare = self._staged_rows <= PREPARED_BATCH_LIMIT
        cursor = self._statement_cursor(prepare)
        audit = ""
        params: list = [
            [ord_ for ord_, _, _ in duplicates],
            [key for _, key, _ in duplicates],
            [format_ for _, _, format_ in duplicates],
        ]
        if self.audit is not None:
            actor_id, actor_username = self.audit
            audit = f""",
                aud AS (
                    INSERT INTO {AUDIT} (created_at, actor_id, actor_username, action,
                                         target_type, target_id, summary, details)
                    SELECT now(), %s::bigint, COALESCE(%s::text, 'intake:' || format),
                           'intake.' || status,
                           'surveillance.event', COALESCE(id::text, ''), '',
                           jsonb_build_object('format', format,
                                              'message_key', COALESCE(message_key, ''))
                      FROM outcome ORDER BY ord
                )"""
            params += [actor_id, actor_username]
        cursor.execute(
            f"""WITH outcome AS (
                    SELECT ord, COALESCE(event_id, new_id) AS id,
                           CASE WHEN event_id IS NULL THEN 'created'
                                WHEN changed THEN 'updated' ELSE 'unchanged' END AS status,
                           format, message_key
                      FROM {STAGE}
                    UNION ALL
                    SELECT d.ord, r.event_id, 'duplicate', d.format, d.message_key
                      FROM unnest(%s::integer[], %s::text[], %s::text[])
                           AS d(ord, message_key, format)
                      LEFT JOIN {RECEIVED} r ON r.message_key = d.message_key
                ),
                marks AS (
                    INSERT INTO {MARKS} (community_id, day)
                    SELECT DISTINCT community_id, day FROM {STAGE}
                ){audit}
                SELECT ord, id, status FROM outcome""",
            params,
            prepare=prepare,
        )
        for ord_, event_id, status in cursor.fetchall():
            self.outcomes[ord_] = (status, event_id)
