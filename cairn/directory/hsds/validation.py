"""Validate HSDS records against the official HSDS 3.0 JSON Schemas (Draft 2020-12).

The schemas in ./schema are the published files, unchanged. `jsonschema` is the authority:
every error Cairn reports is a `jsonschema` error (its message and path), from one
`Draft202012Validator` per table, built once per process with the schemas' relative `$ref`s
("phone.json") resolved through a `referencing.Registry`.

`jsonschema` takes 100-200 µs per record, which is too slow for 50,000 services with their
locations, schedules and phones. So each schema is also compiled, once, into plain Python
checks (`_compile`). The compiler knows only the keywords the HSDS schemas use (type,
format, enum, required, properties, items, $ref) and refuses any other keyword, so a
future schema it does not understand falls back to `jsonschema` for every record. A record
the compiled check accepts is valid; a record it refuses is handed to `jsonschema`, which
reports the errors (and has the last word: if it finds none, the record is accepted). The
tests check on every official example and every malformed variant that both agree, and
`strict=True` (or CAIRN_HSDS_STRICT=1) validates every record with `jsonschema` alone.
"""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from cairn.directory.hsds.tables import TABLES, load_schemas

# Keywords that only describe (annotations, Frictionless datapackage hints): no effect on validity.
_ANNOTATIONS = frozenset(
    {
        "name",
        "title",
        "description",
        "example",
        "examples",
        "constraints",
        "core",
        "path",
        "datapackage_metadata",
        "datapackage_type",
        "tabular_required",
        "$schema",
        "$id",
        "$comment",
    }
)


@dataclass(frozen=True)
class SchemaError:
    field: str  # the offending field, dotted path inside the record ("" for the record)
    message: str


@cache
def registry() -> Registry:
    return Registry().with_resources(
        (name, Resource(contents=schema, specification=DRAFT202012))
        for name, schema in load_schemas().items()
    )


@cache
def _format_checker() -> FormatChecker:
    return FormatChecker()


@cache
def jsonschema_validator(table: str) -> Draft202012Validator:
    schema = load_schemas()[TABLES[table].schema_file]
    return Draft202012Validator(schema, registry=registry(), format_checker=_format_checker())


class _Unsupported(Exception):
    pass


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPE_CHECKS: dict[str, Callable] = {
    "string": lambda v: isinstance(v, str),
    "number": _is_number,
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_KNOWN = frozenset({"type", "format", "enum", "required", "properties", "items", "$ref"})


def _format_check(fmt: str) -> Callable[[object], bool] | None:
    """The format check jsonschema's FormatChecker makes, with a quick yes for the common
    case (a canonical UUID, an address with an @); anything else asks the checker itself."""
    checker = _format_checker()
    if fmt not in checker.checkers:
        return None  # jsonschema does not check this format either (e.g. "uri" here)
    conforms = checker.conforms
    if fmt == "uuid":
        match = _UUID.match
        return lambda v: not isinstance(v, str) or match(v) is not None or conforms(v, fmt)
    if fmt == "email":
        return lambda v: not isinstance(v, str) or "@" in v or conforms(v, fmt)
    return lambda v: conforms(v, fmt)


def _compile(schema: dict, compiled_refs: dict) -> Callable[[object], bool]:
    """A function value -> bool equivalent to validating against `schema`."""
    unknown = set(schema) - _ANNOTATIONS - _KNOWN
    if unknown:
        raise _Unsupported(sorted(unknown))
    checks: list[Callable[[object], bool]] = []
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref not in load_schemas():
            raise _Unsupported([ref])
        checks.append(lambda v, ref=ref: compiled_refs[ref](v))
    kind = schema.get("type")
    if kind is not None and (not isinstance(kind, str) or kind not in _TYPE_CHECKS):
        raise _Unsupported(["type"])
    fmt = _format_check(schema["format"]) if "format" in schema else None
    if kind == "string" and "enum" not in schema and set(schema) & _KNOWN <= {"type", "format"}:
        # The common leaf: one closure instead of a chain.
        if fmt is None:
            return lambda v: isinstance(v, str)
        return lambda v: isinstance(v, str) and fmt(v)
    if kind == "object" and set(schema) & _KNOWN <= {"type", "required", "properties"}:
        # Every HSDS table schema: one function, no chain.
        required = tuple(schema.get("required", ()))
        get = {
            name: _compile(prop, compiled_refs)
            for name, prop in schema.get("properties", {}).items()
        }.get

        def check_object(v):
            if not isinstance(v, dict):
                return False
            for key in required:
                if key not in v:
                    return False
            for key, value in v.items():
                check = get(key)
                if check is not None and not check(value):
                    return False
            return True

        return check_object
    if kind is not None:
        checks.append(_TYPE_CHECKS[kind])
    if fmt is not None:
        checks.append(fmt)
    if "enum" in schema:
        allowed = schema["enum"]
        checks.append(
            lambda v, allowed=allowed: (
                any(v == a and type(v) is type(a) for a in allowed)
                or (_is_number(v) and any(_is_number(a) and v == a for a in allowed))
            )
        )
    if "required" in schema:
        required = tuple(schema["required"])
        checks.append(
            lambda v, required=required: not isinstance(v, dict) or all(k in v for k in required)
        )
    if "properties" in schema:
        properties = {
            name: _compile(prop, compiled_refs) for name, prop in schema["properties"].items()
        }
        get = properties.get

        def check_properties(v):
            if not isinstance(v, dict):
                return True
            for key, value in v.items():
                check = get(key)
                if check is not None and not check(value):
                    return False
            return True

        checks.append(check_properties)
    if "items" in schema:
        item = _compile(schema["items"], compiled_refs)
        checks.append(lambda v, item=item: not isinstance(v, list) or all(map(item, v)))
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    checks_tuple = tuple(checks)
    return lambda v: all(check(v) for check in checks_tuple)


@cache
def compiled_checks() -> dict[str, Callable[[object], bool]] | None:
    """{schema file: check}, or None when a schema uses a keyword the compiler does not know."""
    compiled: dict[str, Callable] = {}
    try:
        for name, schema in load_schemas().items():
            compiled[name] = _compile(schema, compiled)
    except _Unsupported:
        return None
    return compiled


def strict_by_default() -> bool:
    return os.environ.get("CAIRN_HSDS_STRICT", "") not in ("", "0")


def validate_record(table: str, record: dict, *, strict: bool = False) -> list[SchemaError]:
    """The schema errors of one record (empty when valid)."""
    compiled = None if strict else compiled_checks()
    if compiled is not None and compiled[TABLES[table].schema_file](record):
        return []
    return [
        SchemaError(_field(error), _message(error))
        for error in jsonschema_validator(table).iter_errors(record)
    ]


def _field(error) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required" and error.message.startswith("'"):
        # "'name' is a required property": the field is the missing one.
        path.append(error.message.split("'")[1])
    return ".".join(path)


def _message(error) -> str:
    message = error.message
    if len(message) > 300:
        message = message[:297] + "..."
    return message
