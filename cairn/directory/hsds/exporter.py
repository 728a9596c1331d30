"""Export the directory as HSDS 3.0: compiled JSON (nested, like the official examples),
the tables form (flat JSON rows), or CSV (one file per table, like examples/csv).

    export_hsds(Service.objects.all(), fmt="json")   # [service, ...] as service_full.json
    export_hsds(Service.objects.all(), fmt="csv")    # {"services.csv": "...", ...}

The compiled form nests what belongs to an object (a service's phones, schedules, its
locations through service_at_locations, its organization ...) and, as the official examples
do, leaves out the foreign keys the nesting states. The tables form and CSV keep every row
and every key, so they are the complete, lossless export. Everything exported validates
against the official schemas (tested).
"""

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from cairn.directory.hsds.tables import TABLE_LIST, TABLES, Table, field_kind
from cairn.directory.hsds.values import (
    RESERVED_EXTRA,
    format_date,
    format_datetime,
    format_number,
    number_text,
)
from cairn.directory.models import Service

_GENERIC_LINKS = {"attribute": "link_id", "metadata": "resource_id"}


class Dataset:
    """Rows of every table needed for an export, in memory, with their links."""

    def __init__(self):
        self.rows: dict[str, dict[int, dict]] = defaultdict(dict)  # table -> pk -> row values
        self.hsds_ids: dict[str, dict[int, str]] = defaultdict(dict)  # table -> pk -> hsds id
        self._children: dict[tuple[str, str], dict] = {}
        self._generic: dict[str, dict[str, list[int]]] = {}

    # ------------------------------------------------------------ loading

    def load(self, table: Table, query: Q | None = None) -> list[int]:
        model = table.model
        columns = ["pk", "hsds_id", "extra"]
        for name in table.fields:
            if name == "id":
                continue
            if name in table.links:
                columns.append(model._meta.get_field(table.links[name].attr).attname)
            else:
                columns.append(name)
        queryset = model.objects.all() if query is None else model.objects.filter(query)
        loaded = []
        for row in queryset.order_by("pk").values(*columns):
            self.rows[table.name][row["pk"]] = row
            self.hsds_ids[table.name][row["pk"]] = row["hsds_id"]
            loaded.append(row["pk"])
        self._children.clear()
        self._generic.clear()
        return loaded

    def load_all(self) -> None:
        for table in TABLE_LIST:
            self.load(table)

    def load_for_services(self, service_ids: Iterable[int]) -> list[int]:
        """The services and everything their compiled form shows."""
        ids = list(service_ids)
        services = self.load(TABLES["service"], Q(pk__in=ids))
        rows = self.rows["service"]
        org_ids = {rows[pk]["provider_id"] for pk in services} - {None}
        self.load(TABLES["organization"], Q(pk__in=org_ids))
        sal = self.load(TABLES["service_at_location"], Q(service_id__in=services))
        location_ids = {self.rows["service_at_location"][pk]["location_id"] for pk in sal}
        location_ids |= set(
            TABLES["location"]
            .model.objects.filter(provider_id__in=org_ids)
            .values_list("pk", flat=True)
        )
        locations = self.load(TABLES["location"], Q(pk__in=location_ids - {None}))
        program_ids = {rows[pk]["program_id"] for pk in services} - {None}
        self.load(TABLES["program"], Q(pk__in=program_ids) | Q(provider_id__in=org_ids))
        contacts = self.load(
            TABLES["contact"],
            Q(service_id__in=services)
            | Q(provider_id__in=org_ids)
            | Q(service_at_location_id__in=sal)
            | Q(location_id__in=locations),
        )
        phones = self.load(
            TABLES["phone"],
            Q(service_id__in=services)
            | Q(provider_id__in=org_ids)
            | Q(service_at_location_id__in=sal)
            | Q(location_id__in=locations)
            | Q(contact_id__in=contacts),
        )
        self.load(
            TABLES["language"],
            Q(service_id__in=services) | Q(location_id__in=locations) | Q(phone_id__in=phones),
        )
        self.load(
            TABLES["schedule"],
            Q(service_id__in=services)
            | Q(location_id__in=locations)
            | Q(service_at_location_id__in=sal),
        )
        for name in ("address", "accessibility"):
            self.load(TABLES[name], Q(location_id__in=locations))
        for name in ("service_area", "cost_option", "required_document"):
            self.load(TABLES[name], Q(service_id__in=services))
        self.load(TABLES["funding"], Q(service_id__in=services) | Q(provider_id__in=org_ids))
        self.load(TABLES["organization_identifier"], Q(provider_id__in=org_ids))
        every_id = [hsds_id for ids in self.hsds_ids.values() for hsds_id in ids.values()]
        attributes = []
        for start in range(0, len(every_id), 5000):
            attributes += self.load(
                TABLES["attribute"], Q(link_id__in=every_id[start : start + 5000])
            )
        terms = {self.rows["attribute"][pk]["taxonomy_term_id"] for pk in attributes} - {None}
        self.load(TABLES["taxonomy_term"], Q(pk__in=terms))
        taxonomies = {row["taxonomy_detail_id"] for row in self.rows["taxonomy_term"].values()} - {
            None
        }
        self.load(TABLES["taxonomy"], Q(pk__in=taxonomies))
        for start in range(0, len(every_id), 5000):
            self.load(TABLES["metadata"], Q(resource_id__in=every_id[start : start + 5000]))
        return services

    def _hsds_id_of(self, target: str, pk: int) -> str | None:
        found = self.hsds_ids[target].get(pk)
        if found is None:
            found = (
                TABLES[target].model.objects.filter(pk=pk).values_list("hsds_id", flat=True).first()
            )
            if found is not None:
                self.hsds_ids[target][pk] = found
        return found

    # ------------------------------------------------------------ flat rows

    def flat(self, table: Table, pk: int, *, for_csv: bool = False) -> dict:
        """The HSDS record of one row, every field it has (the tables / CSV form)."""
        row = self.rows[table.name][pk]
        extra = row["extra"] or {}
        raw = extra.get("_raw", {})
        empty = set(extra.get("_empty", ()))
        refs = extra.get("_refs", {})
        out: dict = {}
        for name in table.fields:
            kind = field_kind(table, name)
            if kind == "id":
                out["id"] = row["hsds_id"]
            elif kind == "link":
                attname = table.model._meta.get_field(table.links[name].attr).attname
                target_pk = row[attname]
                value = (
                    self._hsds_id_of(table.links[name].target, target_pk)
                    if target_pk is not None
                    else refs.get(name)
                )
                if value is not None:
                    out[name] = value
            elif kind == "number":
                if name in raw and for_csv:
                    out[name] = raw[name]
                elif row[name] is not None:
                    out[name] = number_text(row[name]) if for_csv else format_number(row[name])
            elif kind in ("date", "datetime"):
                if name in raw:
                    out[name] = raw[name]
                elif row[name] is not None:
                    formatter = format_date if kind == "date" else format_datetime
                    out[name] = formatter(row[name])
            else:
                value = row[name]
                if value != "" or name in empty:
                    out[name] = value
        for key, value in extra.items():
            if key not in RESERVED_EXTRA and key not in out:
                out[key] = value
        return out

    # ------------------------------------------------------------ nesting

    def _children_of(self, child: str, child_field: str, parent_pk: int, parent_hsds_id: str):
        if child in _GENERIC_LINKS and child_field == _GENERIC_LINKS[child]:
            index = self._generic.get(child)
            if index is None:
                index = defaultdict(list)
                for pk, row in self.rows[child].items():
                    index[row[child_field]].append(pk)
                self._generic[child] = index
            return index.get(parent_hsds_id, [])
        key = (child, child_field)
        index = self._children.get(key)
        if index is None:
            table = TABLES[child]
            attname = table.model._meta.get_field(table.links[child_field].attr).attname
            index = defaultdict(list)
            for pk, row in self.rows[child].items():
                if row[attname] is not None:
                    index[row[attname]].append(pk)
            self._children[key] = index
        return index.get(parent_pk, [])

    def compiled(self, table: Table, pk: int, *, parent: str = "") -> dict:
        """One object in the compiled (nested) form, as the official examples show it."""
        row = self.rows[table.name][pk]
        out = self.flat(table, pk)
        for name, link in table.links.items():
            if link.target != table.name:  # parent_organization_id, parent_id stay
                out.pop(name, None)
        if table.name in _GENERIC_LINKS:
            out.pop(_GENERIC_LINKS[table.name], None)
        for prop, nested in table.nested.items():
            if parent and nested.child == parent:
                continue  # no way back up: a service inside its organization has no organization
            child = TABLES[nested.child]
            if nested.many:
                pks = self._children_of(nested.child, nested.child_field, pk, row["hsds_id"])
                if pks:
                    out[prop] = [self.compiled(child, c, parent=table.name) for c in pks]
            else:
                attname = table.model._meta.get_field(table.links[nested.parent_field].attr).attname
                target = row[attname]
                if target is not None and target in self.rows[nested.child]:
                    out[prop] = self.compiled(child, target, parent=table.name)
        return out

    def brief_service(self, pk: int) -> dict:
        """A service as in a list page (service_list.json): its organization and program flat."""
        table = TABLES["service"]
        row = self.rows["service"][pk]
        out = self.flat(table, pk)
        out.pop("organization_id", None)
        out.pop("program_id", None)
        for prop, name in (("organization", "provider_id"), ("program", "program_id")):
            target_table = TABLES["organization" if prop == "organization" else "program"]
            if row[name] is not None and row[name] in self.rows[target_table.name]:
                flat = self.flat(target_table, row[name])
                for link in target_table.links:
                    if link != "parent_organization_id":
                        flat.pop(link, None)
                out[prop] = flat
        return out


# ---------------------------------------------------------------- entry points


def _service_ids(queryset: QuerySet | None) -> list[int]:
    queryset = Service.objects.all() if queryset is None else queryset
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def compiled_services(queryset: QuerySet | None = None) -> list[dict]:
    dataset = Dataset()
    ids = dataset.load_for_services(_service_ids(queryset))
    return [dataset.compiled(TABLES["service"], pk) for pk in ids]


def compiled_object(instance) -> dict:
    """Any HSDS row (a Service, Provider, Location, ServiceAtLocation, TaxonomyTerm ...)
    in the compiled form, as examples/json shows each."""
    table = next(t for t in TABLE_LIST if isinstance(instance, t.model))
    dataset = Dataset()
    dataset.load_all()
    return dataset.compiled(table, instance.pk)


def tables(queryset: QuerySet | None = None) -> dict[str, list[dict]]:
    """The tables form: {table: [flat records]}; everything when queryset is None."""
    dataset = Dataset()
    if queryset is None:
        dataset.load_all()
    else:
        dataset.load_for_services(_service_ids(queryset))
    return {
        table.csv_name.removesuffix(".csv"): [
            dataset.flat(table, pk) for pk in dataset.rows[table.name]
        ]
        for table in TABLE_LIST
    }


def csv_files(queryset: QuerySet | None = None) -> dict[str, str]:
    """{file name: CSV text}, one file per HSDS table, headers as the official datapackage."""
    dataset = Dataset()
    if queryset is None:
        dataset.load_all()
    else:
        dataset.load_for_services(_service_ids(queryset))
    files = {}
    for table in TABLE_LIST:
        rows = [dataset.flat(table, pk, for_csv=True) for pk in dataset.rows[table.name]]
        header = list(table.fields)
        for row in rows:
            for key in row:
                if key not in header:
                    header.append(key)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in header])
        files[table.csv_name] = buffer.getvalue()
    return files


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | dict | list):
        return json.dumps(value, ensure_ascii=False)
    return number_text(value)


def export_hsds(queryset: QuerySet | None = None, fmt: str = "json"):
    """HSDS for these services (all when None): "json" -> list of compiled services,
    "tables" -> {table: rows}, "csv" -> {file name: text}."""
    if fmt == "json":
        return compiled_services(queryset)
    if fmt == "tables":
        return tables(queryset)
    if fmt == "csv":
        return csv_files(queryset)
    raise ValueError(f"format must be json, tables or csv, not {fmt!r}")


def services_page(
    queryset: QuerySet | None = None, *, page: int = 1, size: int = 50, full: bool = False
) -> dict:
    """An HSDS Page of services (the `/services` answer of the HSDS API, as
    service_list.json): each service with its organization and program, or compiled."""
    queryset = Service.objects.all() if queryset is None else queryset
    size = max(1, min(size, 500))
    total = queryset.count()
    pages = max(1, -(-total // size))
    page = max(1, page)
    ids = list(
        queryset.order_by("pk").values_list("pk", flat=True)[(page - 1) * size : page * size]
    )
    dataset = Dataset()
    dataset.load_for_services(ids)
    service = TABLES["service"]
    contents = [dataset.compiled(service, pk) if full else dataset.brief_service(pk) for pk in ids]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": size,
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def compiled_service(service: Service) -> dict:
    """One service in the compiled form (service_full.json)."""
    dataset = Dataset()
    dataset.load_for_services([service.pk])
    return dataset.compiled(TABLES["service"], service.pk)
