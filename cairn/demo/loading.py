"""Write generated batches into the surveillance tables, fast.

On PostgreSQL the rows go in with COPY, from a background thread, so the next
month is generated while the database digests the last one; ids are taken from
the events' sequence under a table lock, so one run's events have consecutive ids
(identities need them before the rows exist). Elsewhere (SQLite for `make demo`)
rows go in with executemany. Both run inside the caller's transaction.
"""

import queue
import threading

from django.db import DatabaseError, connection, transaction

from cairn.demo.generator import Batch
from cairn.demo.rows import EVENT_COLUMNS, IDENTITY_COLUMNS, RowFormatter
from cairn.surveillance.models import Event, EventIdentity, EventMatch, EventRevision

EVENTS = Event._meta.db_table
IDENTITIES = EventIdentity._meta.db_table
# Tables that point at events: emptied of the run's events before the events go.
EVENT_DEPENDENTS = (IDENTITIES, EventMatch._meta.db_table, EventRevision._meta.db_table)


def loader_for_connection(formatter: RowFormatter):
    if connection.vendor == "postgresql":
        return PostgresCopyLoader(formatter)
    return ExecuteManyLoader(formatter)


class PostgresCopyLoader:
    """COPY from a worker thread. Call write() per batch, then finish(); close() always."""

    QUEUE_SIZE = 4

    def __init__(self, formatter: RowFormatter):
        self.formatter = formatter
        with connection.cursor() as cursor:
            # Nobody else may insert events until we commit: our ids stay consecutive.
            cursor.execute(f"LOCK TABLE {EVENTS} IN SHARE ROW EXCLUSIVE MODE")

            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{EVENTS}', 'id'))")
            self.first_id = self.next_id = cursor.fetchone()[0]
        self.skipping_foreign_key_checks = _skip_foreign_key_checks()
        # The raw psycopg connection: Django's wrapper refuses use from another thread.
        self._raw = connection.connection
        self._queue: queue.Queue = queue.Queue(maxsize=self.QUEUE_SIZE)
        self._error: BaseException | None = None
        self._stopping = False
        self._worker = threading.Thread(target=self._copy_forever, daemon=True)
        self._worker.start()

    def _copy_forever(self) -> None:
        events = f"COPY {EVENTS} ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
        identities = f"COPY {IDENTITIES} ({', '.join(IDENTITY_COLUMNS)}) FROM STDIN"
        cursor = self._raw.cursor()
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is not None or self._stopping:
                continue  # drain, so the producer never blocks
            try:
                for statement, text in zip((events, identities), item, strict=True):
                    if text:
                        with cursor.copy(statement) as copy:
                            copy.write(text)
            except BaseException as error:  # re-raised in the main thread
                self._error = error

    def write(self, batch: Batch) -> None:
        self._raise_worker_error()
        texts = self.formatter.copy_text(batch, self.next_id)
        self.next_id += len(batch)
        while True:
            try:
                self._queue.put(texts, timeout=1)
                return
            except queue.Full:
                self._raise_worker_error()

    def finish(self) -> tuple[int, int]:
        """Wait for the last COPY; (first id, last id) of the rows written."""
        self._queue.put(None)
        self._worker.join()
        self._raise_worker_error()
        last_id = self.next_id - 1
        with connection.cursor() as cursor:
            if self.skipping_foreign_key_checks:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{EVENTS}', 'id'), %s)",
                [max(last_id, self.first_id)],
            )
        return self.first_id, last_id

    def close(self) -> None:
        """Stop the worker without writing what is still queued (after a failure)."""
        if self._worker.is_alive():
            self._stopping = True
            self._queue.put(None)
            self._worker.join()

    def _raise_worker_error(self) -> None:
        if self._error is not None:
            raise self._error


def _skip_foreign_key_checks() -> bool:
    """Skip the per-row foreign-key triggers for this transaction, where the role may.

    Every row we write references a community just looked up or an event written in
    the same load, so the checks cannot fail; at ten million rows they cost about as
    much as the load itself. Only superusers (or roles granted SET on
    session_replication_role) may skip them; anyone else loads with the checks on.
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


class ExecuteManyLoader:
    """INSERT ... executemany, for SQLite and any other database."""

    def __init__(self, formatter: RowFormatter):
        self.formatter = formatter
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {EVENTS}")
            self.first_id = self.next_id = cursor.fetchone()[0] + 1
        self._events_sql = _insert(EVENTS, EVENT_COLUMNS)
        self._identities_sql = _insert(IDENTITIES, IDENTITY_COLUMNS)

    def write(self, batch: Batch) -> None:
        events, identities = self.formatter.parameters(batch, self.next_id)
        self.next_id += len(batch)
        with connection.cursor() as cursor:
            if events:
                cursor.executemany(self._events_sql, events)
            if identities:
                cursor.executemany(self._identities_sql, identities)

    def finish(self) -> tuple[int, int]:
        return self.first_id, self.next_id - 1

    def close(self) -> None:
        pass


def _insert(table: str, columns: list[str]) -> str:
    placeholders = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"


def delete_events_of_run(*, key_prefix: str, first_id: int, last_id: int) -> int:
    """Delete a run's events with their identities, matches and revisions; returns how many.

    Raw SQL: Django's delete() would collect millions of objects in memory. A table
    that protects events (a case pointing at one) makes the database refuse.
    """
    where = "id BETWEEN %s AND %s AND substr(dedup_key, 1, %s) = %s"
    params = [first_id, last_id, len(key_prefix), key_prefix]
    with connection.cursor() as cursor:
        for table in EVENT_DEPENDENTS:
            cursor.execute(
                f"DELETE FROM {table} WHERE event_id IN (SELECT id FROM {EVENTS} WHERE {where})",
                params,
            )
        cursor.execute(f"DELETE FROM {EVENTS} WHERE {where}", params)
        return cursor.rowcount
