"""Import HSDS 3.0 (JSON or CSV) into the directory: validate every record, upsert on its id.

    report = import_hsds("exports/hsds/", actor=user)      # a folder, files, or {name: bytes}

- Every record is checked against the official schema of its table (validation.py) before
  anything is written; a record that fails is reported (file, record, field, message) and
  left out, and the others are imported. Nothing the file says is dropped: fields Cairn does
  not model go to the row's `extra`.
- Upsert on the HSDS id: importing the same data again changes nothing and creates nothing;
  a changed record updates its row. Import never deletes (mark a service "defunct").
- Tables are written in dependency order (organizations before services before phones),
  in bulk (`bulk_create(update_conflicts=True)`), a transaction per batch. A reference to a
  record Cairn does not have is kept in `extra["_refs"]` and linked when that record arrives.
- Then: opening hours for "open now" (hours.py), each location's community (from its
  coordinates, else its postal code) and the services' search text.
"""

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from cairn.access.audit import record_audit_event
from cairn.directory.hsds import hours, writing
from cairn.directory.hsds.reading import (
    Problem,
    ReadResult,
    Record,
    merge_duplicates,
    read_csv,
    read_json,
)
from cairn.directory.hsds.tables import TABLE_LIST, TABLES, Table, field_kind
from cairn.directory.hsds.validation import SchemaError, strict_by_default, validate_record
from cairn.directory.hsds.values import (
    RESERVED_EXTRA,
    format_datetime,
    number_text,
    parse_date,
    parse_datetime,
)
from cairn.directory.models import HsdsImport, Location, Provider, Service
from cairn.geography.placement import place_many

BATCH = 10000
MAX_LOGGED_PROBLEMS = 1000


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    import_id: int | None = None
    timings: dict[str, float] = field(default_factory=dict)  # step -> seconds

    def _count(self, table: str, what: str, n: int = 1) -> None:
        row = self.counts.setdefault(
            table, {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        )
        row[what] += n

    def _total(self, what: str) -> int:
        return sum(row[what] for row in self.counts.values())

    @property
    def created(self) -> int:
        return self._total("created")

    @property
    def updated(self) -> int:
        return self._total("updated")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    @property
    def rejected(self) -> int:
        return self._total("rejected")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (
            f"HSDS import: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected, {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s) in {self.seconds:.1f} s"
        )

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "tables": self.counts,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "seconds": round(self.seconds, 3),
            "import_id": self.import_id,
        }


Source = str | Path | Iterable[str | Path] | Mapping[str, bytes | str]


def import_hsds(
    source: Source,
    *,
    actor=None,
    strict: bool | None = None,
    place_locations: bool = True,
) -> ImportReport:
    """Import HSDS files: a folder, a file, several paths, or {file name: content}."""
    started = time.perf_counter()
    report = ImportReport()
    log = HsdsImport.objects.create(
        imported_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    records: list[Record] = []
    for name, content in _files(source, report):
        report.files.append(name)
        read = _read_file(name, content)
        records.extend(read.records)
        report.problems.extend(read.problems)
    records = merge_duplicates(records, report.problems)
    report.timings["read"] = time.perf_counter() - started
    importer = _Importer(
        report,
        strict=strict_by_default() if strict is None else strict,
        place_locations=place_locations,
    )
    by_table: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_table[record.table].append(record)
    for table in TABLE_LIST:
        if by_table.get(table.name):
            step = time.perf_counter()
            importer.import_table(table, by_table[table.name])
            report.timings[table.name] = time.perf_counter() - step
    step = time.perf_counter()
    importer.link_waiting_references()
    importer.derive(place_locations=place_locations)
    report.timings["derive"] = time.perf_counter() - step
    report.seconds = time.perf_counter() - started
    with transaction.atomic():
        log.finished_at = timezone.now()
        log.source = ", ".join(report.files)[:2000]
        log.created, log.updated = report.created, report.updated
        log.unchanged, log.rejected = report.unchanged, report.rejected
        log.errors = [p.as_dict() for p in report.problems[:MAX_LOGGED_PROBLEMS]]
        log.save()
        record_audit_event(
            actor=actor,
            action="directory.hsds_import",
            target=log,
            summary=report.summary(),
            details={"files": report.files[:50], "tables": report.counts},
        )
    report.import_id = log.pk
    return report


def _files(source: Source, report: ImportReport) -> list[tuple[str, bytes | str]]:
    if isinstance(source, Mapping):
        return list(source.items())
    paths = [source] if isinstance(source, str | Path) else list(source)
    out: list[tuple[str, bytes | str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".json"))
            if not found:
                report.problems.append(Problem(str(path), "", "", "no .csv or .json files here"))
            out.extend((str(p), p.read_bytes()) for p in found)
        elif path.is_file():
            out.append((str(path), path.read_bytes()))
        else:
            report.problems.append(Problem(str(path), "", "", "no such file or folder"))
    return out


def _read_file(name: str, content: bytes | str) -> ReadResult:
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as error:
            result = ReadResult()
            result.problems.append(
                Problem(Path(name).name, "", "", f"not UTF-8 text (byte {error.start})")
            )
            return result
    else:
        text = content
    if name.lower().endswith(".csv"):
        return read_csv(name, text)
    if name.lower().endswith(".json"):
        return read_json(name, text)
    result = ReadResult()
    result.problems.append(Problem(Path(name).name, "", "", "not a .csv or .json file"))
    return result


class _RowError(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


class _Importer:
    def __init__(self, report: ImportReport, *, strict: bool, place_locations: bool = True):
        self.report = report
        self.place_locations = place_locations
        self.provider_names: dict[str, str] = {}  # organization hsds_id -> name, this import
        self.strict = strict
        self.ids: dict[str, dict[str, int]] = defaultdict(dict)  # table -> hsds_id -> pk
        self.touched: dict[str, set[int]] = defaultdict(set)
        self.created_in: set[str] = set()
        self.updated_sal: list[int] = []

    # ------------------------------------------------------------ per table

    def import_table(self, table: Table, records: list[Record]) -> None:
        valid: list[Record] = []
        for record in records:
            errors = validate_record(table.name, record.data, strict=self.strict)
            if record.form in ("csv", "tables"):
                errors += [
                    SchemaError(name, f"{name!r} is required in the tabular form of HSDS")
                    for name in table.tabular_required
                    if name not in record.data
                ]
            if errors:
                self._reject(record, [(e.field, e.message) for e in errors])
                continue
            valid.append(record)
        self_links = [f for f, link in table.links.items() if link.target == table.name]
        waiting_self: list[tuple[int, dict[str, str]]] = []
        for start in range(0, len(valid), BATCH):
            chunk = valid[start : start + BATCH]
            waiting_self += self._upsert(table, chunk, self_links)
        if waiting_self:
            self._link_self(table, waiting_self)

    def _reject(self, record: Record, errors: list[tuple[str, str]]) -> None:
        self.report._count(record.table, "rejected")
        for field_name, message in errors:
            self.report.problems.append(Problem(record.file, record.label(), field_name, message))

    def _upsert(self, table: Table, chunk: list[Record], self_links: list[str]):
        model = table.model
        plan = _plan(table)
        self._prefetch_targets(table, chunk)
        needs_old = bool(table.links) and any(record.form == "nested" for record in chunk)
        existing = {}
        if needs_old:  # a nested view that does not state every link: keep the others
            existing = {
                row["hsds_id"]: row
                for row in writing.where_in(
                    model.objects.all(), "hsds_id", [r.data["id"] for r in chunk]
                ).values("hsds_id", "extra", *plan.fk_attnames.values())
            }
        service_ids = self.ids["service"] if table.name == "attribute" else None
        rows, kept, waiting = [], {}, {}
        now = timezone.now()
        for record in chunk:
            try:
                values, extra, link_ids = _convert(plan, record)
            except _RowError as error:
                self._reject(record, [(error.field, error.message)])
                continue
            hsds_id = record.data["id"]
            if hsds_id in kept:
                continue  # the same id twice in different case-insensitive spellings
            old = existing.get(hsds_id)
            refs: dict[str, str] = {}
            pending_self: dict[str, str] = {}
            for name, attname in plan.fk_attnames.items():
                if name in link_ids:
                    target_pk = self.ids[table.links[name].target].get(link_ids[name])
                    if target_pk is None:
                        refs[name] = link_ids[name]
                        if name in self_links:
                            pending_self[name] = link_ids[name]
                    values[attname] = target_pk
                elif name in record.explicit_links or old is None:
                    values[attname] = None
                else:  # not stated here (a nested view): keep what Cairn has
                    values[attname] = old[attname]
                    kept_ref = (old["extra"] or {}).get("_refs", {}).get(name)
                    if kept_ref:
                        refs[name] = kept_ref
            if service_ids is not None:
                link_id = record.data.get("link_id")
                values["service_id"] = service_ids.get(link_id) if link_id else None
            if refs:
                extra["_refs"] = refs
            if plan.has_updated_at:
                values["updated_at"] = now
            values["hsds_id"] = hsds_id
            values["extra"] = extra
            rows.append(values)
            kept[hsds_id] = record
            if pending_self:
                waiting[hsds_id] = pending_self
        if not rows:
            return []
        self._derive_before_write(table, rows)
        saved = self._save(table, rows, kept, plan.update_columns)
        out = []
        by_id = {row["hsds_id"]: row for row in rows}
        schedules = []
        for hsds_id, pk, what in saved:
            self.ids[table.name][hsds_id] = pk
            self.report._count(table.name, what)
            if hsds_id in waiting:
                out.append((pk, waiting[hsds_id]))
            if what == writing.UNCHANGED:
                continue
            self.touched[table.name].add(pk)
            if what == writing.CREATED:
                self.created_in.add(table.name)
            elif table.name == "service_at_location":
                self.updated_sal.append(pk)
            if table.name == "schedule":
                schedules.append({"pk": pk, **by_id[hsds_id]})
        if schedules:
            hours.replace_opening_hours(schedules)
        return out

    def _derive_before_write(self, table: Table, rows: list[dict]) -> None:
        """Search text and community computed on the way in (no second pass)."""
        if table.name == "service":
            names = self._provider_names([r["provider_id"] for r in rows])
            for row in rows:
                row["search_text"] = search_text(
                    row["name"],
                    row["alternate_name"],
                    row["description"],
                    names.get(row["provider_id"], ""),
                )
        elif table.name == "organization":
            for row in rows:
                self.provider_names[row["hsds_id"]] = row["name"]
        elif table.name == "location" and self.place_locations:
            placed = place_many(
                [
                    ("", r["longitude"], r["latitude"], "")
                    if _on_earth(r["latitude"], r["longitude"])
                    else ("", None, None, "")
                    for r in rows
                ]
            )
            for row, (community_id, _) in zip(rows, placed, strict=True):
                row["community_id"] = community_id
            # Off every boundary (or no point): the postal code of an address Cairn already
            # has decides, as it did when the location was first placed.
            unplaced = {r["hsds_id"]: r for r in rows if r["community_id"] is None}
            if unplaced:
                postal: dict[str, str] = {}
                for location_id, code in (
                    writing.where_in(
                        TABLES["address"].model.objects.all(),
                        "location_id",
                        Location.objects.filter(hsds_id__in=list(unplaced)).values_list(
                            "pk", flat=True
                        ),
                    )
                    .order_by("location_id", "pk")
                    .values_list("location__hsds_id", "postal_code")
                ):
                    postal.setdefault(location_id, code)
                if postal:
                    found = place_many([("", None, None, code) for code in postal.values()])
                    for hsds_id, (community_id, _) in zip(postal, found, strict=True):
                        unplaced[hsds_id]["community_id"] = community_id

    def _provider_names(self, provider_pks: list) -> dict[int, str]:
        by_pk: dict[int, str] = {}
        ids = self.ids["organization"]
        for hsds_id, name in self.provider_names.items():
            pk = ids.get(hsds_id)
            if pk is not None:
                by_pk[pk] = name
        missing = {pk for pk in provider_pks if pk is not None and pk not in by_pk}
        if missing:
            by_pk.update(Provider.objects.filter(pk__in=missing).values_list("pk", "name"))
        return by_pk

    def _save(self, table: Table, rows: list[dict], records: dict, update_columns):
        """Upsert; [(hsds_id, pk, created)] of the rows saved. A batch the database refuses
        is written again row by row, so one bad row never loses the others."""
        model = table.model
        try:
            with transaction.atomic():
                return writing.upsert(model, rows, update_columns=update_columns)
        except DatabaseError:
            pass
        saved = []
        for row in rows:
            try:
                with transaction.atomic():
                    saved += writing.upsert(model, [row], update_columns=update_columns)
            except DatabaseError as error:
                text = str(error).strip()
                message = text.splitlines()[0] if text else type(error).__name__
                self._reject(records[row["hsds_id"]], [("", f"the database refused it: {message}")])
        return saved

    def _prefetch_targets(self, table: Table, chunk: list[Record]) -> None:
        """Put the pks of the records this chunk links to, already in Cairn, in self.ids."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for record in chunk:
            for name, link in table.links.items():
                value = record.data.get(name)
                if isinstance(value, str) and value not in self.ids[link.target]:
                    wanted[link.target].add(value)
            if table.name == "attribute":
                value = record.data.get("link_id")
                if isinstance(value, str) and value not in self.ids["service"]:
                    wanted["service"].add(value)
        for target, hsds_ids in wanted.items():
            found = writing.where_in(TABLES[target].model.objects.all(), "hsds_id", hsds_ids)
            self.ids[target].update(found.values_list("hsds_id", "pk"))

    def _link_self(self, table: Table, waiting: list[tuple[int, dict[str, str]]]) -> None:
        wanted = {hsds_id for _, links in waiting for hsds_id in links.values()}
        self.ids[table.name].update(
            table.model.objects.filter(hsds_id__in=wanted).values_list("hsds_id", "pk")
        )
        rows = table.model.objects.in_bulk([pk for pk, _ in waiting])
        changed = []
        for pk, links in waiting:
            row = rows[pk]
            for name, hsds_id in links.items():
                target_pk = self.ids[table.name].get(hsds_id)
                if target_pk is not None:
                    setattr(
                        row, table.model._meta.get_field(table.links[name].attr).attname, target_pk
                    )
                    refs = row.extra.get("_refs", {})
                    refs.pop(name, None)
                    if not refs:
                        row.extra.pop("_refs", None)
                    changed.append(row)
        if changed:
            attrs = {table.links[name].attr for _, links in waiting for name in links}
            with transaction.atomic():
                table.model.objects.bulk_update(
                    list({r.pk: r for r in changed}.values()), [*attrs, "extra"], batch_size=BATCH
                )

    # ------------------------------------------------------------ after all tables

    def link_waiting_references(self) -> None:
        """Rows (of this or an earlier import) that point at records that arrived now."""
        if not self.created_in:
            return
        for table in TABLE_LIST:
            if not any(link.target in self.created_in for link in table.links.values()):
                continue
            waiting = list(table.model.objects.filter(extra__has_key="_refs"))
            if not waiting:
                continue
            wanted: dict[str, set[str]] = defaultdict(set)
            for row in waiting:
                for name, hsds_id in row.extra["_refs"].items():
                    if name in table.links:
                        wanted[table.links[name].target].add(hsds_id)
            found = {
                target: dict(
                    TABLES[target]
                    .model.objects.filter(hsds_id__in=ids)
                    .values_list("hsds_id", "pk")
                )
                for target, ids in wanted.items()
            }
            changed, attrs = [], set()
            for row in waiting:
                refs = row.extra["_refs"]
                for name in list(refs):
                    link = table.links.get(name)
                    target_pk = found.get(link.target, {}).get(refs[name]) if link else None
                    if target_pk is not None:
                        setattr(row, table.model._meta.get_field(link.attr).attname, target_pk)
                        attrs.add(link.attr)
                        del refs[name]
                        if not refs:
                            del row.extra["_refs"]
                        changed.append(row)
            if changed:
                with transaction.atomic():
                    table.model.objects.bulk_update(
                        list({r.pk: r for r in changed}.values()),
                        [*attrs, "extra"],
                        batch_size=BATCH,
                    )
                self.touched[table.name].update(r.pk for r in changed)

    def derive(self, *, place_locations: bool) -> None:
        if self.updated_sal:  # a schedule of a moved service-at-location moves too
            hours.rebuild_opening_hours(
                service_at_location_ids=self.updated_sal, skip=self.touched["schedule"]
            )
        if place_locations:
            # Communities from points were set on the way in; the postal code decides
            # for locations without a point (or outside every boundary).
            candidates = set(
                writing.where_in(
                    Location.objects.filter(community__isnull=True), "id", self.touched["location"]
                ).values_list("pk", flat=True)
            )
            if self.touched["address"]:
                candidates |= set(
                    writing.where_in(
                        TABLES["address"].model.objects.filter(
                            Q(location__community__isnull=True)
                            | Q(location__latitude__isnull=True),
                            location__isnull=False,
                        ),
                        "id",
                        self.touched["address"],
                    ).values_list("location_id", flat=True)
                )
            place_directory_locations(candidates)
        if self.touched["organization"]:
            others = set(
                writing.where_in(
                    Service.objects.all(), "provider_id", self.touched["organization"]
                ).values_list("pk", flat=True)
            )
            refresh_search_text(others - self.touched["service"])


@dataclass
class _Plan:
    fields: list[tuple[str, str, int | None, object]]  # (hsds field, kind, max_length, default)
    fk_attnames: dict[str, str]
    update_columns: list[str]
    has_updated_at: bool
    kinds: dict = field(default_factory=dict)  # hsds field -> (kind, max_length)
    defaults: dict = field(default_factory=dict)  # model field -> value when not given


_PLANS: dict[str, _Plan] = {}


def _plan(table: Table) -> _Plan:
    plan = _PLANS.get(table.name)
    if plan is None:
        meta = table.model._meta
        fields = []
        for name in table.fields:
            kind = field_kind(table, name)
            if kind in ("id", "link"):
                fields.append((name, kind, None, None))
                continue
            model_field = meta.get_field(name)
            default = model_field.get_default() if kind == "text" else None
            fields.append((name, kind, getattr(model_field, "max_length", None), default))
        fk_attnames = {
            name: meta.get_field(link.attr).attname for name, link in table.links.items()
        }
        derived = {"search_text", "community_id"}
        update_columns = [
            c
            for c in writing.columns_of(table.model)
            if c not in ("hsds_id", "partner_id", "jurisdiction_id", "created_at")
            and (c not in derived or c in _DERIVED_ON_WRITE.get(table.name, ()))
        ]
        kinds = {name: (kind, limit) for name, kind, limit, _ in fields if kind != "id"}
        kinds["id"] = ("id", None)
        defaults = {
            name: (default if kind == "text" else None)
            for name, kind, _, default in fields
            if kind not in ("id", "link")
        }
        plan = _Plan(
            fields, fk_attnames, update_columns, hasattr(table.model, "updated_at"), kinds, defaults
        )
        _PLANS[table.name] = plan
    return plan


_DERIVED_ON_WRITE = {"service": ("search_text",), "location": ("community_id",)}


def _convert(plan: _Plan, record: Record) -> tuple[dict, dict, dict]:
    """(model values, extra, {link field: HSDS id}) of a valid record."""
    data = record.data
    if not isinstance(data.get("id"), str):
        raise _RowError("id", "missing")
    values = plan.defaults.copy()  # what a field the record does not give is
    raw: dict = {}
    empty: list[str] = []
    link_ids: dict[str, str] = {}
    kinds = plan.kinds
    extra: dict = {}
    for name, value in data.items():
        spec = kinds.get(name)
        if spec is None:
            if name not in RESERVED_EXTRA:
                extra[name] = value  # not an HSDS field Cairn models: kept as sent
            continue
        kind, limit = spec
        if kind == "text":
            if limit and len(value) > limit:
                raise _RowError(name, f"longer than {limit} characters")
            values[name] = value
            if value == "":
                empty.append(name)
        elif kind == "link":
            link_ids[name] = value
        elif kind == "number":
            values[name] = float(value)
            text = record.raw_text.get(name)
            if text is not None and text != number_text(value):
                raw[name] = text
        elif kind == "date":
            parsed = parse_date(value)
            values[name] = parsed
            if parsed is None or parsed.isoformat() != value:
                raw[name] = value
        elif kind == "datetime":
            parsed = parse_datetime(value)
            values[name] = parsed
            if format_datetime(parsed) != value:
                raw[name] = value
    if raw:
        extra["_raw"] = raw
    if empty:
        extra["_empty"] = empty
    return values, extra, link_ids


def place_directory_locations(location_ids: Iterable[int]) -> int:
    """Set each location's community from its point, else its first address's postal code."""
    ids = list(location_ids)
    if not ids:
        return 0
    changed = 0
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        rows = list(
            Location.objects.filter(pk__in=part).values_list(
                "pk", "latitude", "longitude", "community_id"
            )
        )
        postal: dict[int, str] = {}
        for location_id, code in (
            TABLES["address"]
            .model.objects.filter(location_id__in=part)
            .order_by("location_id", "pk")
            .values_list("location_id", "postal_code")
        ):
            postal.setdefault(location_id, code)
        placed = place_many(
            [
                (
                    "",
                    lon if _on_earth(lat, lon) else None,
                    lat if _on_earth(lat, lon) else None,
                    postal.get(pk, ""),
                )
                for pk, lat, lon, _ in rows
            ]
        )
        updates = [
            Location(pk=pk, community_id=community_id)
            for (pk, _, _, old), (community_id, _) in zip(rows, placed, strict=True)
            if community_id != old
        ]
        if updates:
            with transaction.atomic():
                Location.objects.bulk_update(updates, ["community"], batch_size=BATCH)
            changed += len(updates)
    return changed


def _on_earth(lat, lon) -> bool:
    return lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180


def search_text(*parts: str) -> str:
    return " ".join(" ".join(p.split()) for p in parts if p).lower()


def refresh_search_text(service_ids: Iterable[int]) -> None:
    """Recompute Service.search_text (name, alternate name, description, provider name)."""
    ids = list(service_ids)
    for start in range(0, len(ids), BATCH):
        rows = Service.objects.filter(pk__in=ids[start : start + BATCH]).values_list(
            "pk", "name", "alternate_name", "description", "provider__name", "search_text"
        )
        updates = []
        for pk, name, alternate, description, provider, old in rows:
            text = search_text(name, alternate, description, provider or "")
            if text != old:
                updates.append(Service(pk=pk, search_text=text))
        if updates:
            with transaction.atomic():
                Service.objects.bulk_update(updates, ["search_text"], batch_size=BATCH)


__all__ = ["ImportReport", "import_hsds", "place_directory_locations", "refresh_search_text"]
