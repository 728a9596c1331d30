"""Bulk writes for the HSDS import: upsert on `hsds_id`, fast on PostgreSQL, plain elsewhere.

On PostgreSQL the rows are COPied into a temporary table and merged with one
`INSERT ... SELECT ... ON CONFLICT (hsds_id) DO UPDATE ... RETURNING` (which also says
which rows were new). Elsewhere (the SQLite demo) Django's `bulk_create(update_conflicts=True)`
does the same, more slowly. Either way the caller runs it inside a transaction.
"""

import json

from django.db import connection
from django.utils import timezone


def columns_of(model) -> list[str]:
    """Every column except the primary key, as attnames ("provider_id")."""
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def _defaults(model) -> dict:
    out = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.has_default():
            out[f.attname] = f.get_default
        elif f.null:
            out[f.attname] = lambda: None
    return out


def complete_rows(model, rows: list[dict]) -> list[dict]:
    """Fill the columns a row does not give with the field's default (created_at ...)."""
    now = timezone.now()
    defaults = _defaults(model)
    for row in rows:
        for attname, default in defaults.items():
            if attname not in row:
                row[attname] = now if attname in ("created_at", "updated_at") else default()
    return rows


def _copy(cursor, table: str, model, columns: list[str], rows: list[dict]) -> None:
    """COPY rows into `table` (JSON columns written as JSON text)."""
    names = ", ".join(f'"{c}"' for c in columns)
    json_columns = [
        f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"
    ]
    with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            for c in json_columns:
                row[c] = json.dumps(row[c], ensure_ascii=False) if row[c] else "{}"
            copy.write_row([row[c] for c in columns])


CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
_NOT_COMPARED = ("updated_at",)


def upsert(model, rows: list[dict], *, update_columns: list[str]) -> list[tuple[str, int, str]]:
    """Insert or update `rows` (dicts by attname, with "hsds_id"): [(hsds_id, pk, what)],
    `what` being "created", "updated" or "unchanged" (a row equal to the stored one is not
    written again, so importing the same file twice rewrites nothing)."""
    if not rows:
        return []
    rows = complete_rows(model, rows)
    if connection.vendor == "postgresql":
        return _pg_upsert(model, rows, update_columns)
    return _django_upsert(model, rows, update_columns)


def insert(model, rows: list[dict]) -> None:
    """Plain bulk insert (no conflicts expected)."""
    if not rows:
        return
    rows = complete_rows(model, rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _copy(cursor, model._meta.db_table, model, columns_of(model), rows)
        return
    model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)


def any_of(values) -> tuple[str, list]:
    """SQL `ANY(...)` of many ids as one text parameter (psycopg's array adapter costs
    microseconds an element): ("ANY(string_to_array(%s, ','))", [params])."""
    values = list(values)
    if all(isinstance(v, int) for v in values):
        return "ANY(string_to_array(%s, ',')::bigint[])", [",".join(map(str, values))]
    if all(isinstance(v, str) and "," not in v for v in values):
        return "ANY(string_to_array(%s, ','))", [",".join(values)]
    return "ANY(%s)", [values]


def where_in(queryset, column: str, values):
    """`queryset` where `column` (a database column, e.g. "provider_id") is one of `values`:
    one parameter on PostgreSQL (fast for thousands of values), IN elsewhere."""
    values = list(values)
    if connection.vendor == "postgresql":
        table = queryset.model._meta.db_table
        sql, params = any_of(values)
        return queryset.extra(where=[f'"{table}"."{column}" = {sql}'], params=params)
    return queryset.filter(**{f"{column}__in": values})


def _pg_upsert(model, rows, update_columns):
    table = model._meta.db_table
    columns = columns_of(model)
    names = ", ".join(f'"{c}"' for c in columns)
    temp = f"hsds_load_{table}"
    ids = [row["hsds_id"] for row in rows]
    with connection.cursor() as cursor:
        # An import can be run again, so a crash losing its last commits costs nothing;
        # not waiting for each commit's flush makes bulk loads faster.
        cursor.execute("SET LOCAL synchronous_commit = off")
        any_ids, params = any_of(ids)
        cursor.execute(f'SELECT 1 FROM "{table}" WHERE "hsds_id" = {any_ids} LIMIT 1', params)
        if cursor.fetchone() is None:  # all new (a first import): straight in
            _copy(cursor, table, model, columns, rows)
            cursor.execute(
                f'SELECT "hsds_id", "id" FROM "{table}" WHERE "hsds_id" = {any_ids}', params
            )
            return [(hsds_id, pk, CREATED) for hsds_id, pk in cursor.fetchall()]
        updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in update_columns)
        compared = [c for c in update_columns if c not in _NOT_COMPARED]
        changed = (
            f"({', '.join(f'{table}.{c}' for c in compared)}) IS DISTINCT FROM "
            f"({', '.join(f'EXCLUDED.{c}' for c in compared)})"
        )
        cursor.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{temp}" AS '
            f'SELECT {names} FROM "{table}" WITH NO DATA'
        )
        _copy(cursor, temp, model, columns, rows)
        cursor.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{temp}" '
            f'ON CONFLICT ("hsds_id") DO UPDATE SET {updates} WHERE {changed} '
            f'RETURNING "hsds_id", "id", (xmax = 0)'
        )
        written = {
            hsds_id: (pk, CREATED if created else UPDATED)
            for hsds_id, pk, created in cursor.fetchall()
        }
        cursor.execute(f'TRUNCATE "{temp}"')
        same = [hsds_id for hsds_id in ids if hsds_id not in written]
        if same:
            any_same, params = any_of(same)
            cursor.execute(
                f'SELECT "hsds_id", "id" FROM "{table}" WHERE "hsds_id" = {any_same}', params
            )
            written.update((hsds_id, (pk, UNCHANGED)) for hsds_id, pk in cursor.fetchall())
    return [(hsds_id, pk, what) for hsds_id, (pk, what) in written.items()]


def _django_upsert(model, rows, update_columns):
    compared = [c for c in update_columns if c not in _NOT_COMPARED]
    old = {
        row["hsds_id"]: row
        for row in model.objects.filter(hsds_id__in=[r["hsds_id"] for r in rows]).values(
            "pk", "hsds_id", *compared
        )
    }
    out, write = [], []
    for row in rows:
        stored = old.get(row["hsds_id"])
        if stored is not None and all(stored[c] == row[c] for c in compared):
            out.append((row["hsds_id"], stored["pk"], UNCHANGED))
        else:
            write.append(row)
    fields = [model._meta.get_field(c).name for c in update_columns]
    objects = [model(**row) for row in write]
    if objects:
        model.objects.bulk_create(
            objects, update_conflicts=True, unique_fields=["hsds_id"], update_fields=fields
        )
    missing = [o.hsds_id for o in objects if o.pk is None]
    found = (
        dict(model.objects.filter(hsds_id__in=missing).values_list("hsds_id", "pk"))
        if missing
        else {}
    )
    out += [
        (
            o.hsds_id,
            o.pk if o.pk is not None else found[o.hsds_id],
            UPDATED if o.hsds_id in old else CREATED,
        )
        for o in objects
    ]
    return out
