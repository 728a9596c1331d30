"""Read HSDS files into flat records, one per HSDS object, each knowing where it came from.

Accepted:
- CSV, one file per table as in the official examples (`services.csv`, `phones.csv`, ...);
- JSON: one object (`service_full.json`), a list of objects, a Page (`{"contents": [...]}`),
  or the tables form (`{"services": [...], "phones": [...]}`, flat rows as in the CSV).

Nested (compiled) JSON is flattened: a phone inside a service becomes a phone record with
`service_id` set to the service; an organization inside a service gives the service its
`organization_id`. The same object met several times (the official examples repeat one phone
under the service, its location, its contact ...) becomes one record with all its links.
Which table a JSON object belongs to comes from the file name ("service_full.json" is a
service) or, failing that, from its fields.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import PurePath

from cairn.directory.hsds.tables import TABLE_ALIASES, TABLES, Table


@dataclass
class Record:
    table: str
    data: dict  # HSDS JSON form, flat: nested objects taken out
    file: str
    where: str  # "row 3" or a JSON pointer "/service_at_locations/0/location"
    form: str  # "csv", "tables" (flat JSON rows) or "nested"
    explicit_links: set = field(default_factory=set)  # link fields the source states
    raw_text: dict = field(default_factory=dict)  # CSV: the cell text of typed values
    parent_table: str = ""  # nested: the table of the enclosing object

    @property
    def hsds_id(self):
        return self.data.get("id")

    def label(self) -> str:
        hsds_id = self.hsds_id
        shown = f" (id {hsds_id})" if isinstance(hsds_id, str) and hsds_id else ""
        return f"{self.table} {self.where}{shown}"


@dataclass
class Problem:
    file: str
    record: str
    field: str
    message: str
    level: str = "error"  # or "warning"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "record": self.record,
            "field": self.field,
            "message": self.message,
            "level": self.level,
        }

    def __str__(self) -> str:
        parts = [self.file]
        if self.record:
            parts.append(self.record)
        if self.field:
            parts.append(f"field {self.field!r}")
        return f"{': '.join(parts)}: {self.message}"


@dataclass
class ReadResult:
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def table_for_name(name: str) -> str | None:
    """The table a file name names: the longest alias the stem starts with."""
    stem = PurePath(name).name.lower()
    for suffix in (".csv", ".json"):
        stem = stem.removesuffix(suffix)
    best = None
    for alias, table in TABLE_ALIASES.items():
        if (stem == alias or stem.startswith(alias + "_") or stem.startswith(alias + "-")) and (
            best is None or len(alias) > len(best[0])
        ):
            best = (alias, table)
    return best[1] if best else None


# ---------------------------------------------------------------- CSV


def read_csv(name: str, text: str) -> ReadResult:
    result = ReadResult()
    table_name = table_for_name(name)
    base = PurePath(name).name
    if table_name is None or PurePath(name).name.lower() != TABLES[table_name].csv_name:
        expected = ", ".join(sorted(t.csv_name for t in TABLES.values()))
        if table_name is None:
            result.problems.append(
                Problem(base, "", "", f"not an HSDS table file; expected one of: {expected}")
            )
            return result
    table = TABLES[table_name]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        result.problems.append(Problem(base, "", "", "the file is empty (no header row)"))
        return result
    except csv.Error as error:
        result.problems.append(Problem(base, "row 1", "", f"not readable as CSV: {error}"))
        return result
    header = [h.strip() for h in header]
    known = set(table.fields)
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        result.problems.append(
            Problem(base, "row 1", duplicates[0], f"column {duplicates[0]!r} appears twice")
        )
        return result
    if "id" not in header:
        result.problems.append(
            Problem(base, "row 1", "id", "the header has no 'id' column (every HSDS table has one)")
        )
        return result
    for column in header:
        if column not in known:
            result.problems.append(
                Problem(
                    base,
                    "row 1",
                    column,
                    f"{column!r} is not a field of HSDS {table.name}; kept as an extension",
                    level="warning",
                )
            )
    row_number = 1
    all_links = frozenset(table.links)
    numbers = [column for column in header if column in table.numbers]
    try:
        for cells in reader:
            row_number += 1
            if not any(cells):
                continue
            where = f"row {row_number}"
            if len(cells) != len(header):
                result.problems.append(
                    Problem(
                        base,
                        where,
                        "",
                        f"the row has {len(cells)} cells but the header has {len(header)} columns",
                    )
                )
                continue
            data = {column: cell for column, cell in zip(header, cells, strict=True) if cell}
            raw_text: dict = {}
            for column in numbers:
                cell = data.get(column)
                if cell is not None:
                    data[column] = _csv_number(cell)
                    raw_text[column] = cell
            explicit = all_links  # a CSV row is the whole record: a missing link is none
            result.records.append(
                Record(
                    table.name,
                    data,
                    base,
                    where,
                    "csv",
                    explicit_links=explicit,
                    raw_text=raw_text,
                )
            )
    except csv.Error as error:
        result.problems.append(
            Problem(base, f"row {row_number + 1}", "", f"not readable as CSV: {error}")
        )
    return result


def _csv_number(cell: str):
    text = cell.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return cell  # the schema check reports "... is not of type 'number'"
    if number != number or number in (float("inf"), float("-inf")):
        return cell
    return number


# ---------------------------------------------------------------- JSON


def read_json(name: str, text: str) -> ReadResult:
    result = ReadResult()
    base = PurePath(name).name
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        result.problems.append(
            Problem(
                base,
                f"line {error.lineno}, column {error.colno}",
                "",
                f"not valid JSON: {error.msg}",
            )
        )
        return result
    named = table_for_name(name)
    if isinstance(document, dict) and _is_tables_form(document):
        for key, rows in document.items():
            table_name = TABLE_ALIASES[key]
            if not isinstance(rows, list):
                result.problems.append(Problem(base, f"/{key}", key, "must be a list of records"))
                continue
            for index, row in enumerate(rows):
                where = f"/{key}/{index}"
                if not isinstance(row, dict):
                    result.problems.append(Problem(base, where, "", "a record must be an object"))
                    continue
                # A flat row states all its links (a missing one is none); objects nested in
                # it are read as in the compiled form.
                flatten(TABLES[table_name], row, base, where, result.records, form="tables")
        return result
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        items = [(f"/contents/{i}", item) for i, item in enumerate(document["contents"])]
    elif isinstance(document, list):
        items = [(f"/{i}", item) for i, item in enumerate(document)]
    elif isinstance(document, dict):
        items = [("", document)]
    else:
        result.problems.append(
            Problem(base, "", "", "expected an HSDS object, a list of objects or a page")
        )
        return result
    for pointer, item in items:
        if not isinstance(item, dict):
            result.problems.append(
                Problem(base, pointer or "/", "", "an HSDS object must be a JSON object")
            )
            continue
        table_name = named or guess_table(item)
        if table_name is None:
            result.problems.append(
                Problem(
                    base,
                    pointer or "/",
                    "",
                    "cannot tell which HSDS object this is; name the file after it "
                    "(service.json, organization.json, location.json ...) or use the "
                    'tables form {"services": [...]}',
                )
            )
            continue
        flatten(TABLES[table_name], item, base, pointer, result.records)
    return result


def _is_tables_form(document: dict) -> bool:
    return bool(document) and all(
        key in TABLE_ALIASES and key not in TABLES[TABLE_ALIASES[key]].fields for key in document
    )


def guess_table(item: dict) -> str | None:
    keys = set(item)
    if "location_type" in keys:
        return "location"
    if "status" in keys and "name" in keys:
        return "service"
    if keys & {"taxonomy_detail", "term_uri", "taxonomy_id", "code", "parent_id"}:
        return "taxonomy_term"
    if keys & {"service", "location"} and "name" not in keys:
        return "service_at_location"
    if keys & {
        "year_incorporated",
        "website",
        "tax_status",
        "legal_status",
        "services",
        "locations",
        "programs",
        "organization_identifiers",
        "parent_organization_id",
    }:
        return "organization"
    if "version" in keys:
        return "taxonomy"
    return None


def flatten(
    table: Table,
    obj: dict,
    file: str,
    pointer: str,
    out: list[Record],
    implied: dict | None = None,
    parent_table: str = "",
    form: str = "nested",
) -> None:
    """Append `obj` and every object nested in it as flat records."""
    data: dict = {}
    explicit = set(table.links) if form == "tables" else {k for k in obj if k in table.links}
    children: list[tuple[Table, dict, str, dict]] = []
    for key, value in obj.items():
        nested = table.nested.get(key)
        if nested is None:
            data[key] = value
            continue
        child_table = TABLES[nested.child]
        if nested.many:
            if isinstance(value, list) and all(isinstance(v, dict) for v in value):
                for index, child in enumerate(value):
                    child_links = {}
                    if isinstance(obj.get("id"), str):
                        child_links[nested.child_field] = obj["id"]
                    children.append((child_table, child, f"{pointer}/{key}/{index}", child_links))
            else:
                data[key] = value  # the schema check reports the wrong type
        else:
            if isinstance(value, dict):
                children.append((child_table, value, f"{pointer}/{key}", {}))
                if isinstance(value.get("id"), str) and nested.parent_field not in obj:
                    data[nested.parent_field] = value["id"]
                    explicit.add(nested.parent_field)
            else:
                data[key] = value
    for link_field, parent_id in (implied or {}).items():
        if link_field not in data:
            data[link_field] = parent_id
        explicit.add(link_field)
    out.append(
        Record(
            table.name,
            data,
            file,
            pointer or "/",
            form,
            explicit_links=explicit,
            parent_table=parent_table,
        )
    )
    for child_table, child, child_pointer, child_links in children:
        flatten(child_table, child, file, child_pointer, out, child_links, table.name)


def merge_duplicates(records: list[Record], problems: list[Problem]) -> list[Record]:
    """One record per (table, id): the first occurrence, with the links of the others."""
    merged: dict[tuple, Record] = {}
    out: list[Record] = []
    for record in records:
        hsds_id = record.hsds_id
        if not isinstance(hsds_id, str) or not hsds_id:
            out.append(record)
            continue
        key = (record.table, hsds_id)
        first = merged.get(key)
        if first is None:
            merged[key] = record
            out.append(record)
            continue
        table = TABLES[record.table]
        for name, value in record.data.items():
            if name not in first.data:
                first.data[name] = value
                if name in table.links:
                    first.explicit_links = {*first.explicit_links, name}
            elif first.data[name] != value:
                problems.append(
                    Problem(
                        record.file,
                        record.label(),
                        name,
                        f"differs from the same {record.table} at {first.where} "
                        f"({first.file}); the first is kept",
                        level="warning",
                    )
                )
        if record.parent_table and not first.parent_table:
            first.parent_table = record.parent_table
    return out
