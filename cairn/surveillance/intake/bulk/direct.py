"""New encounters COPied straight into the events and matches tables (CSV batches).

The staged way (`stage.py`) COPies a batch into a temporary table, then inserts the
events from it `ON CONFLICT (dedup_key) DO NOTHING` and their matches joined with the
new events. For a batch of encounters none of which is stored yet (the usual CSV
file: new rows), most of that is work PostgreSQL need not do: the staging table, the
speculative insertion ON CONFLICT needs, and the join. Here the batch's event ids are
drawn from the events' sequence first, and the events and their matches are COPied
into their own tables: PostgreSQL then inserts them many to a page, about a third
less of its time per row (docs/intake-csv.md).

It holds only when no encounter of the batch is stored already. The COPY runs in a
savepoint; should the unique deduplication key meet a stored encounter (a row sent
again, a correction of an earlier batch, another connection's visit), the savepoint
is rolled back, nothing of the batch is left, and the caller sends the same lines the
staged way, which updates or leaves each row exactly as `accept_record` would.

A batch is written on a thread of its own, so that this process reads the next batch
while PostgreSQL stores this one (the staged way sends its statements in pipeline
mode for the same reason). The thread is the only user of the connection until
`DirectBatch.stored()` returned: psycopg's connection lock makes any other statement
wait for the COPY.
"""

import threading

import psycopg
from psycopg import sql

from cairn.surveillance.intake.bulk.columns import EVENT_VALUES, EVENTS, MATCHES, STAGE_COLUMNS

SAVEPOINT = "cairn_direct_copy"
DEDUP_CONSTRAINT = "event_dedup_key_unique"
EVENT_COLUMNS = ("id", "received_at", "dedup_key", *EVENT_VALUES)
MATCH_COLUMNS = ("event_id", "definition_id", "version", "field", "reason")
# A staged line ends with the event's values in EVENT_COLUMNS' order (after the id and
# the time received; see STAGE_COLUMNS): split off there, they are copied as they are.
_EVENT_START = STAGE_COLUMNS.index("dedup_key")
_CLASS_FIELD = STAGE_COLUMNS.index("class_id")
_HAS_IDENTITY_FIELD = STAGE_COLUMNS.index("has_identity")


def copy_text(lines: list[str], ids: list[str], received_at: str, class_matches: dict):
    """(events COPY text, matches COPY text) of staged lines (see STAGE_COLUMNS) with
    their new event ids. `class_matches`: class id -> ("", then the COPY lines of its
    matches without the event id, each starting with a tab)."""
    events: list[str] = []
    matches: list[str] = []
    add_event = events.append
    add_matches = matches.append
    head = "\t" + received_at + "\t"
    start, class_field, identity_field = _EVENT_START, _CLASS_FIELD, _HAS_IDENTITY_FIELD
    for event_id, line in zip(ids, lines, strict=True):
        fields = line.split("\t", start)
        if fields[identity_field] != "f":
            raise ValueError("A batch with identities takes the staged way.")
        add_event(event_id + head + fields[start])
        found = class_matches.get(fields[class_field])
        if found:
            add_matches(event_id.join(found))  # id, match, id, match...
    return "".join(events), "".join(matches)


def store_new_events(raw, sequence: str, lines: list[str], class_matches: dict) -> bool:
    """COPY the batch's events and matches (one transaction's connection `raw`, in a
    savepoint): True if stored, False if an encounter of it was stored already (then
    nothing of the batch is)."""
    with raw.cursor() as cursor:
        cursor.execute(f"SAVEPOINT {SAVEPOINT}")
        cursor.execute(
            sql.SQL(
                "SELECT now()::text, string_agg(nextval({})::text, ',') FROM generate_series(1, {})"
            ).format(sql.Literal(sequence), sql.Literal(len(lines)))
        )
        received_at, ids = cursor.fetchone()
        events, matches = copy_text(lines, ids.split(","), received_at, class_matches)
        try:
            with cursor.copy(f"COPY {EVENTS} ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
                copy.write(events)
            if matches:
                with cursor.copy(f"COPY {MATCHES} ({', '.join(MATCH_COLUMNS)}) FROM STDIN") as copy:
                    copy.write(matches)
        except psycopg.errors.UniqueViolation as error:
            if error.diag.constraint_name != DEDUP_CONSTRAINT:
                raise
            cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
            cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
            return False
        cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
        return True


class DirectBatch:
    """One batch being stored by `store_new_events` on a thread of its own."""

    def __init__(self, raw, sequence: str, lines: list[str], class_matches: dict):
        self.lines = lines
        self._stored: bool | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run,
            args=(raw, sequence, lines, class_matches),
            name="cairn-direct-copy",
            daemon=True,
        )
        self._thread.start()

    def _run(self, raw, sequence, lines, class_matches) -> None:
        try:
            self._stored = store_new_events(raw, sequence, lines, class_matches)
        except BaseException as error:  # re-raised by stored(), in the caller's thread
            self._error = error

    def stored(self) -> bool:
        """Wait for the batch: True if stored, False if it must take the staged way;
        the thread's error, if any, is raised here."""
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return bool(self._stored)
