"""CSV import of dispensing and missed-dose records.

Fixed, documented columns (a header row is required; names are matched without
regard to case or spaces, and `mapping` renames the file's own headers to ours):

| column | required | |
|---|---|---|
| `client` or `health_number` | one | Cairn record number, or the health number (BC PHN) |
| `drug` | yes | bup_nx, methadone, srom, ioat, xr_bup, other (or the label) |
| `date` | yes | YYYY-MM-DD: the day dispensed (or missed) |
| `kind` | no | `dispensed` (default) or `missed` |
| `dose` | no | mg, a number |
| `witnessed` | no | yes/no (default yes) |
| `carry_days` | no | take-home doses given for the following days |
| `days_supply` | no | days covered, when not the drug's default |
| `pharmacy`, `prescriber`, `note` | no | text |

Every bad row is reported with its line (the header is line 1) and column and is not
saved; every good row is saved, whatever the other rows. A row already on record (the
same person, drug, day and kind) is counted as already recorded and not duplicated,
so importing the same file twice adds nothing the second time. Only people held by
the importing user's care-team organizations can be named.
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field

from django.db import transaction

from cairn.access.audit import record_audit_event
from cairn.cases.access import clients_visible_to, require_care_team
from cairn.cases.matching import normalize_health_number
from cairn.cases.models import HEALTH_NUMBER_KINDS, ClientIdentifier
from cairn.cases.models.treatment import OatImport, RecordSource
from cairn.cases.plans import holding_organization_id
from cairn.cases.treatment import records
from cairn.cases.treatment.records import TreatmentError

COLUMNS = (
    "client",
    "health_number",
    "drug",
    "date",
    "kind",
    "dose",
    "witnessed",
    "carry_days",
    "days_supply",
    "pharmacy",
    "prescriber",
    "note",
)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
KINDS = ("dispensed", "missed")


@dataclass
class ImportResult:
    rows: int = 0
    accepted: int = 0
    already_recorded: int = 0
    errors: list[dict] = field(default_factory=list)
    batch: OatImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(ValueError):
    """The whole file cannot be read (encoding, header); nothing was saved."""


def parse_mapping(text: str) -> dict[str, str]:
    """`date=DispDate, client=PatientID` -> {"dispdate": "date", "patientid": "client"}."""
    mapping: dict[str, str] = {}
    for part in (text or "").replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        ours, sep, theirs = part.partition("=")
        ours, theirs = _norm(ours), _norm(theirs)
        if not sep or not theirs or ours not in COLUMNS:
            raise ImportRefused(
                f"Column mapping: {part!r} should read our_column=their_column, with our "
                f"column one of {', '.join(COLUMNS)}."
            )
        mapping[theirs] = ours
    return mapping


def _norm(name: str) -> str:
    return (name or "").strip().lower().replace(" ", "_").replace("-", "_")


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            f"The file is not UTF-8 text (byte {error.start}); save it as CSV UTF-8."
        ) from None


def import_csv(*, actor, data: bytes, filename: str = "", mapping: str | dict = "") -> ImportResult:
    """Import one CSV file; see the module docstring. Raises ImportRefused for a file
    that cannot be read at all; otherwise returns what became of every row."""
    require_care_team(actor)
    text = _decode(data)
    renames = parse_mapping(mapping) if isinstance(mapping, str) else dict(mapping or {})
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused("The file is empty: give a header row and at least one row.") from None
    except csv.Error as error:
        raise ImportRefused(f"Line 1: {error}.") from None
    names = [renames.get(_norm(h), _norm(h)) for h in header]
    unknown = [h for h, n in zip(header, names, strict=True) if n not in COLUMNS and n]
    if unknown:
        raise ImportRefused(
            f"Line 1: unknown column(s) {', '.join(repr(u) for u in unknown)}; the columns are "
            f"{', '.join(COLUMNS)} (or give a column mapping)."
        )
    missing = [c for c in ("drug", "date") if c not in names]
    if "client" not in names and "health_number" not in names:
        missing.insert(0, "client or health_number")
    if missing:
        raise ImportRefused(f"Line 1: missing column(s) {', '.join(missing)}.")
    visible = clients_visible_to(actor)
    result = ImportResult()
    organization_of: dict[int, int] = {}
    touched: set[int] = set()
    with transaction.atomic():
        batch = OatImport.objects.create(
            organization_id=_first_organization(actor),
            uploaded_by=actor.get_username(),
            filename=(filename or "")[:200],
            sha256=hashlib.sha256(data).hexdigest(),
        )
        try:
            for line_rows in _rows(reader, names, result):
                line, row = line_rows
                result.rows += 1
                if result.rows > MAX_ROWS:
                    result.errors.append(
                        {
                            "line": line,
                            "column": "",
                            "message": f"More than {MAX_ROWS} rows: "
                            "the rest of the file was not read; split it.",
                        }
                    )
                    break
                try:
                    client = _client(row, visible)
                    kind = (row.get("kind") or "dispensed").strip().lower() or "dispensed"
                    if kind not in KINDS:
                        raise TreatmentError("Kind: give dispensed or missed.", "kind")
                    if client.pk not in organization_of:
                        organization_of[client.pk] = holding_organization_id(actor, client)
                    if kind == "dispensed":
                        fields = records.dispensing_fields({**row, "dispensed_on": row.get("date")})
                        saved = records.save_dispensing(
                            actor=actor,
                            client=client,
                            organization_id=organization_of[client.pk],
                            fields=fields,
                            source=RecordSource.IMPORTED,
                            imported_in=batch,
                        )
                        if saved.created:
                            touched.add(client.pk)
                    else:
                        fields = records.missed_dose_fields({**row, "missed_on": row.get("date")})
                        saved = records.save_missed_dose(
                            actor=actor,
                            client=client,
                            organization_id=organization_of[client.pk],
                            fields=fields,
                            source=RecordSource.IMPORTED,
                            imported_in=batch,
                        )
                except TreatmentError as error:
                    column = {
                        "dispensed_on": "date",
                        "missed_on": "date",
                    }.get(error.field, error.field)
                    result.errors.append({"line": line, "column": column, "message": str(error)})
                    continue
                if saved.created:
                    result.accepted += 1
                else:
                    result.already_recorded += 1
        except csv.Error as error:
            result.errors.append(
                {"line": reader.line_num, "column": "", "message": f"Unreadable CSV: {error}."}
            )
        for client in visible.filter(pk__in=touched):
            records.rederive(client)
        batch.rows, batch.accepted = result.rows, result.accepted
        batch.already_recorded, batch.errors = result.already_recorded, result.errors[:1000]
        batch.save()
        record_audit_event(
            actor=actor,
            action="cases.treatment.import",
            target_type="cases.treatment_import",
            target_id=str(batch.pk),
            summary=f"OAT records imported: {result.accepted} new, {result.already_recorded} "
            f"already recorded, {len(result.errors)} refused",
            details={"client_ids": sorted(organization_of)[:1000], "filename": batch.filename},
        )
    result.batch = batch
    return result


def _rows(reader, names, result):
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(names):
            result.rows += 1
            result.errors.append(
                {
                    "line": line,
                    "column": "",
                    "message": f"{len(values)} values where the header has {len(names)} columns.",
                }
            )
            continue
        yield line, {n: v for n, v in zip(names, values, strict=True) if n}


def _client(row: dict, visible):
    number = (row.get("client") or "").strip()
    if number:
        if not number.isdigit():
            raise TreatmentError(f"Client: give a record number (got {number[:20]!r}).", "client")
        client = visible.filter(pk=int(number)).first()
        if client is None:
            raise TreatmentError(
                f"Client: no record {number} is held by your organizations.", "client"
            )
    else:
        health_number = normalize_health_number(row.get("health_number") or "")
        if not health_number:
            raise TreatmentError("Give the client's record number or health number.", "client")
        ids = ClientIdentifier.objects.filter(
            kind__in=HEALTH_NUMBER_KINDS, value=health_number
        ).values("client_id")
        found = list(visible.filter(pk__in=ids)[:2])
        if not found:
            raise TreatmentError(
                "Health number: nobody with this number is held by your organizations.",
                "health_number",
            )
        if len(found) > 1:
            raise TreatmentError(
                "Health number: two records share it; give the record number instead.",
                "health_number",
            )
        client = found[0]
    if client.is_merged:
        raise TreatmentError(
            f"Client: record {client.pk} was merged into record {client.merged_into_id}; "
            "use that number.",
            "client",
        )
    return client


def _first_organization(actor) -> int:
    from cairn.cases.access import care_team_organization_ids

    return care_team_organization_ids(actor)[0]
