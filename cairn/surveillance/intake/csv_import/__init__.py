"""CSV extracts (ED line lists, paramedic reports, coroner deaths) with a column mapping.

`import_csv` reads one file: a file-level problem (not UTF-8, empty, columns the
mapping needs missing from the header) stops it before anything is stored, with
CsvFileError; a bad row goes to quarantine with "line N, column X: what is wrong"
and the header and mapping to correct it with; good rows are accepted set-based
(on PostgreSQL straight from the cells into COPY lines, `staging.stage_rows`; on
SQLite through `accept_record`). One file is one transaction with one audit event,
so an import is stored whole or not at all; a big file on PostgreSQL is written over
two connections committed one right after the other (see `_stages`).

Once: the file (its bytes with the header and mapping) is the transmission, kept as
one ReceivedMessage; the same file again counts every good row as a duplicate and
stores nothing. A row repeated within a file is a duplicate. Otherwise a row's
encounter (its dedup key) decides: new, updated (with a revision) or unchanged.
"""

import csv
import hashlib
import io
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import connection, connections, transaction

from cairn.access.audit import record_audit_event
from cairn.surveillance.intake.bulk import BATCH_SIZE, BulkCounts, Stage, accept_many
from cairn.surveillance.intake.csv_import.mapping import Mapping, MappingError, load_mapping
from cairn.surveillance.intake.csv_import.rows import RowParser, row_hash
from cairn.surveillance.intake.csv_import.staging import stage_rows
from cairn.surveillance.intake.pipeline import content_hash
from cairn.surveillance.intake.records import IntakeError
from cairn.surveillance.models import IntakeFormat, QuarantinedRecord, ReceivedMessage

__all__ = [
    "CsvFileError",
    "ImportSummary",
    "MappingError",
    "import_csv",
    "import_csv_files",
    "load_mapping",
]

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"
# Files with more lines than this are written over two connections (`_stages`): below,
# opening one costs more than it saves.
TWO_CONNECTIONS_FROM = 30_000
LOCK_TIMEOUT = "30s"
CSV_IMPORT_LOCK = 0x63736669  # pg_advisory_xact_lock key: "csfi"
# Cells beyond this are quarantined by the csv module itself ("field larger than").
FIELD_SIZE_LIMIT = 131_072


class CsvFileError(ValueError):
    """The file as a whole cannot be imported; nothing was stored."""


@dataclass
class ImportSummary:
    name: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    stored_seconds: float = 0.0  # until the commit (what follows the commit excluded)
    classification_seconds: float = 0.0
    quarantined_ids: list[int] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0

    def add(self, other: "ImportSummary") -> None:
        for name in (
            "rows_read",
            "created",
            "updated",
            "unchanged",
            "duplicates",
            "quarantined",
            "seconds",
            "stored_seconds",
            "classification_seconds",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {
            "file": self.name,
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second),
        }

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.rows_read} rows read, {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.duplicates} duplicates, "
            f"{self.quarantined} quarantined in {self.seconds:.2f} s "
            f"({self.rows_per_second:,.0f} rows/s)"
        )


def shipped_mappings() -> dict[str, Path]:
    """The example mappings shipped with Cairn, by name (ed_line_list, ...)."""
    return {path.stem: path for path in sorted(MAPPINGS_DIR.glob("*.yml"))}


def decode_csv(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvFileError(
            f"the file is not UTF-8: byte 0x{data[error.start]:02x} on line {line} cannot be "
            "read. Save it as UTF-8 (in Excel: CSV UTF-8) and upload it again."
        ) from None
    # PostgreSQL text cannot hold NUL: keep the row, with U+FFFD in its place.
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def import_csv(
    data: bytes,
    *,
    mapping: Mapping,
    name: str = "upload.csv",
    actor=None,
    batch_size: int = BATCH_SIZE,
    two_connections_from: int = TWO_CONNECTIONS_FROM,
) -> ImportSummary:
    """Import one CSV file; raises CsvFileError (nothing stored) for a file-level problem.

    On PostgreSQL a file of more than `two_connections_from` lines, imported outside any
    transaction of the caller's, is written over two connections (see `_stages`).
    """
    started = time.perf_counter()
    text = decode_csv(data)
    if not text.strip():
        raise CsvFileError("the file is empty: there is no header row.")
    lines = text.splitlines(keepends=True)
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    reader = csv.reader(lines, delimiter=mapping.delimiter, strict=True)
    try:
        header = [column.strip() for column in next(reader)]
    except csv.Error as error:
        raise CsvFileError(f"line 1 (the header) cannot be read: {error}") from None
    _check_header(header, mapping)
    parser = RowParser(mapping, header)
    summary = ImportSummary(name=name)
    context = {"header": header, "mapping": yaml.safe_dump(mapping.raw, sort_keys=False)}
    context_key = repr(sorted(context.items()))
    bad: list[tuple[str, str, str, str]] = []
    # A caller's own transaction (a test's) may hold rows a second connection could not
    # see, or wait for: only an import that is its own transaction uses two.
    two = (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and len(lines) > two_connections_from
    )
    with transaction.atomic():
        # Registered first, so it runs first after the commit: the time to store.
        transaction.on_commit(
            lambda: setattr(summary, "stored_seconds", time.perf_counter() - started)
        )
        _one_csv_import_at_a_time()
        new_file = _remember_file(data, context_key)
        with _stages(two and new_file) as stages:
            if stages:
                stage_rows(
                    reader,
                    lines,
                    parser,
                    stages[0],
                    summary,
                    bad,
                    batch_size,
                    store=new_file,
                    lanes=stages,
                )
                for lane in stages[1:]:
                    lane.flush()
                counts = stages[0].finish()
            else:
                records, counts = _read_records(reader, lines, parser, summary, bad)
                if new_file:
                    counts.add(accept_many(records, earlier_values_unchanged=True))
                else:
                    counts.duplicates += len(records)
            _add_counts(summary, counts)
            summary.quarantined_ids = _quarantine_rows(
                bad, context=context, context_key=context_key, name=name, source=mapping.source
            )
            summary.quarantined = len(bad)
            summary.seconds = time.perf_counter() - started
            record_audit_event(
                actor=actor or "intake:csv",
                action="intake.csv_import",
                target_type="surveillance.csv_file",
                target_id=name[:100],
                summary=str(summary),
                details=summary.as_dict(),
            )
        # The second connection has committed; the main one commits as the block ends.
    summary.seconds = time.perf_counter() - started
    return summary


def _one_csv_import_at_a_time() -> None:
    """PostgreSQL: CSV imports take turns (a transaction-level advisory lock).

    An import over two connections waits for one while the other sits idle with its
    rows uncommitted; a second import writing the same encounters could wait for the
    idle one while the first waits for it, a deadlock PostgreSQL cannot see. Taking
    turns rules that out (and a re-sent file waits, then finds itself received).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CSV_IMPORT_LOCK])


@contextmanager
def _stages(two: bool):
    """PostgreSQL: the stages to write with, [main] or [main, lane on a second
    connection]; nothing elsewhere (SQLite: record by record).

    With two, rows are sent to PostgreSQL over two connections, each encounter always
    over the same one (`stage_rows`), so both cores work on the import while this
    process reads the file. The second connection commits when the block ends without
    an error (after everything else was written), the main one just after, with the
    caller's transaction; on an error both roll back. Should this process die between
    the two commits, part of the file is stored and the file is not yet remembered as
    received: importing it again stores the rest and finds the stored part unchanged.
    Each connection waits at most LOCK_TIMEOUT for a lock another transaction holds
    (a re-classification job, a re-processed row), so no wait can hang the import.
    """
    if connection.vendor != "postgresql":
        yield []
        return
    stages = [Stage()]
    stages[0].earlier_values_unchanged = True  # an older extract sent again (lanes too)
    second = None
    committed = False
    try:
        if two:
            second = connections.create_connection(connection.alias)
            second.set_autocommit(False)
            stages.append(stages[0].lane(second))
            for db in (connection, second):
                with db.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        yield stages
        if second is not None:
            with second.wrap_database_errors:
                second.commit()
            committed = True
    finally:
        for stage in stages:
            stage.close()
        if second is not None:
            if not committed:
                with suppress(Exception):  # the error being raised is the one to report
                    second.rollback()
            second.close()


def _remember_file(data: bytes, context_key: str) -> bool:
    """Keep the file as received (its bytes, header and mapping); False if it was before.

    A concurrent import of the same file waits for the first to commit, then finds it.
    """
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(context_key.encode("utf-8", "surrogatepass"))
    _, created = ReceivedMessage.objects.get_or_create(
        message_key=f"csv:file:{digest.hexdigest()}", defaults={"format": IntakeFormat.CSV}
    )
    return created


def _read_records(reader, lines, parser, summary, bad) -> tuple[list, BulkCounts]:
    """Every good row as an IncomingRecord (the portable path), each distinct row once
    (the counts hold the repeated ones as duplicates); bad ones go to `bad`."""
    records = []
    counts = BulkCounts()
    seen: set[str] = set()
    start = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            summary.rows_read += 1
            line = f"line {reader.line_num}"
            bad.append(
                ("".join(lines[start : reader.line_num]), line, line, f"cannot be read: {error}")
            )
            start = reader.line_num
            continue
        end = reader.line_num
        raw, start = "".join(lines[start:end]), end
        if not values or (len(values) == 1 and not values[0].strip()):
            continue  # a blank line
        summary.rows_read += 1
        key = row_hash(values)
        try:
            record = parser.record(values, row_key=key)
        except IntakeError as error:
            line = where = f"line {end}"
            if error.location and error.location != "row":
                where += f", column {error.location}"
            bad.append((raw.rstrip("\r\n"), line, where, error.message))
            continue
        if key in seen:
            counts.duplicates += 1
        else:
            seen.add(key)
            records.append(record)
    return records, counts


def import_csv_files(paths, *, mapping_path, stdout) -> ImportSummary:
    """`cairn ingest csv --mapping mapping.yml FILE...`: a summary line per file; the total."""
    from django.core.management.base import CommandError

    try:
        mapping = load_mapping(Path(mapping_path).read_text(encoding="utf-8"))
    except (MappingError, OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{mapping_path}: {error}") from None
    total = ImportSummary(name=f"{len(paths)} file(s)")
    failed = []
    for path in paths:
        try:
            summary = import_csv(Path(path).read_bytes(), mapping=mapping, name=Path(path).name)
        except CsvFileError as error:
            stdout.write(f"{path}: {error}")
            failed.append(str(path))
            continue
        stdout.write(str(summary))
        total.add(summary)
    if failed:
        stdout.write(str(total))
        raise CommandError(f"Not imported: {', '.join(failed)}")
    return total


def _check_header(header: list[str], mapping: Mapping) -> None:
    missing = [name for name in mapping.header_columns() if name not in header]
    if not missing:
        return
    message = (
        f"the header lacks the column(s) the mapping needs: {', '.join(missing)}. "
        f"The header has: {', '.join(header)[:500]}."
    )
    if len(header) == 1:
        guesses = [d for d in (",", ";", "\t", "|") if d != mapping.delimiter and d in header[0]]
        if guesses:
            message += (
                f" The whole header is one column: is the delimiter {guesses[0]!r} rather than "
                f"{mapping.delimiter!r}? Set `delimiter` in the mapping."
            )
    raise CsvFileError(message)


def _add_counts(summary: ImportSummary, counts: BulkCounts) -> None:
    summary.created += counts.created
    summary.updated += counts.updated
    summary.unchanged += counts.unchanged
    summary.duplicates += counts.duplicates
    summary.classification_seconds += counts.classification_seconds


def _quarantine_rows(bad, *, context: dict, context_key: str, name: str, source: str) -> list[int]:
    """Keep each bad row once (re-importing the file adds nothing); returns their ids."""
    if not bad:
        return []
    rows = {}
    for raw, line, where, reason in bad:
        key = content_hash(IntakeFormat.CSV, raw, context_key)
        rows.setdefault(
            key,
            QuarantinedRecord(
                format=IntakeFormat.CSV,
                source=source,
                raw=raw,
                content_hash=key,
                reason=reason,
                location=where[:200],
                context={**context, "file": name, "line": line},
            ),
        )
    QuarantinedRecord.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=2000)
    return list(
        QuarantinedRecord.objects.filter(content_hash__in=list(rows)).values_list("pk", flat=True)
    )


def reprocess_csv_row(raw: str, context: dict):
    """The IncomingRecord for a corrected row, read with the header and mapping it came with."""
    try:
        mapping = load_mapping(context["mapping"])
        header = list(context["header"])
    except (KeyError, TypeError, MappingError) as error:
        raise IntakeError(f"the stored header or mapping cannot be used: {error}") from None
    rows = list(csv.reader(io.StringIO(raw.strip("\r\n")), delimiter=mapping.delimiter))
    if len(rows) != 1:
        raise IntakeError(f"expected exactly one CSV row, found {len(rows)}", location="row")
    values = rows[0]
    return RowParser(mapping, header).record(values)
