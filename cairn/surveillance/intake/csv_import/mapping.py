"""The column mapping of a CSV extract (YAML), validated before any row is read.

A mapping names the source, the delimiter, which column holds each field and how
to read it, and constants for fields the extract does not carry:

    source: ed
    timezone: America/Vancouver
    columns:
      occurred_at: {column: arrival, format: "%Y-%m-%d %H:%M"}
      facility: facility_code
      record_id: visit_number
      sex: {column: gender, values: {F: F, M: M, U: U}}
      diagnosis_codes: {column: discharge_dx, separator: "|"}
    constants:
      fatal: false

Every mistake is reported with the key that is wrong ("columns.sex.values.Q: ...").
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

import yaml

from cairn.surveillance.models import AGE_BANDS, UNKNOWN_AGE_BAND, Disposition, EventSex, Source

# field -> what its mapping entry may hold besides `column`.
FIELDS: dict[str, set[str]] = {
    "occurred_at": {"format", "date_column", "date_format", "time_column", "time_format"},
    "record_id": set(),
    "facility": set(),
    "community_code": set(),
    "postal_code": set(),
    "latitude": set(),
    "longitude": set(),
    "age": set(),
    "age_band": {"values"},
    "birth_date": {"format"},
    "sex": {"values"},
    "chief_complaint": set(),
    "diagnosis_codes": {"separator"},
    "disposition": {"values"},
    "fatal": {"values"},
    "naloxone_doses": set(),
    "suspected_substances": {"separator"},
    "given_name": set(),
    "family_name": set(),
    "health_number": set(),
}
CONSTANT_FIELDS = {
    "facility",
    "community_code",
    "postal_code",
    "sex",
    "disposition",
    "fatal",
    "naloxone_doses",
    "chief_complaint",
    "age_band",
}
TOP_LEVEL = {"source", "delimiter", "timezone", "columns", "constants", "required", "description"}

DEFAULT_SEX_VALUES = {
    "F": EventSex.FEMALE,
    "FEMALE": EventSex.FEMALE,
    "M": EventSex.MALE,
    "MALE": EventSex.MALE,
    "X": EventSex.OTHER,
    "O": EventSex.OTHER,
    "U": EventSex.UNKNOWN,
    "UNKNOWN": EventSex.UNKNOWN,
}
DEFAULT_BOOLEAN_VALUES = {
    "Y": True,
    "YES": True,
    "TRUE": True,
    "1": True,
    "N": False,
    "NO": False,
    "FALSE": False,
    "0": False,
}
DISPOSITIONS = {choice.value for choice in Disposition}
SEXES = {choice.value for choice in EventSex}
AGE_BAND_VALUES = {*AGE_BANDS, UNKNOWN_AGE_BAND}


class MappingError(ValueError):
    """The mapping itself is wrong; `key` says which entry."""

    def __init__(self, message: str, *, key: str = ""):
        super().__init__(message)
        self.message = message
        self.key = key

    def __str__(self) -> str:
        return f"mapping {self.key}: {self.message}" if self.key else f"mapping: {self.message}"


@dataclass(frozen=True)
class Column:
    field: str
    column: str
    options: dict = field(default_factory=dict)


@dataclass
class Mapping:
    source: str
    delimiter: str
    timezone: dt.tzinfo
    columns: dict[str, Column]
    constants: dict
    required: frozenset[str]
    raw: dict  # the mapping as loaded, kept with quarantined rows

    def header_columns(self) -> list[str]:
        """Every CSV column the mapping reads, in mapping order."""
        names = []
        for column in self.columns.values():
            for name in (
                column.column,
                column.options.get("date_column"),
                column.options.get("time_column"),
            ):
                if name and name not in names:
                    names.append(name)
        return names


def load_mapping(text: str) -> Mapping:
    """Parse and validate a YAML mapping; raises MappingError naming the wrong key."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise MappingError(f"not valid YAML{where}: {problem}") from None
    return mapping_from_dict(data)


def mapping_from_dict(data) -> Mapping:
    if not isinstance(data, dict):
        raise MappingError("must be a YAML mapping with at least `source` and `columns`")
    unknown = sorted(str(key) for key in data if key not in TOP_LEVEL)
    if unknown:
        raise MappingError(
            f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(TOP_LEVEL))}",
            key=unknown[0],
        )
    source = data.get("source")
    sources = [choice.value for choice in Source]
    if source not in sources:
        raise MappingError(f"must be one of {', '.join(sources)}, not {source!r}", key="source")
    delimiter = data.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '\r\n"':
        raise MappingError(f"must be one character, not {delimiter!r}", key="delimiter")
    zone_name = data.get("timezone", "America/Vancouver")
    try:
        zone = zoneinfo.ZoneInfo(str(zone_name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise MappingError(f"unknown time zone {zone_name!r}", key="timezone") from None
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, dict) or not raw_columns:
        raise MappingError("must map fields to CSV columns", key="columns")
    columns = {name: _column(name, entry) for name, entry in raw_columns.items()}
    constants = _constants(data.get("constants") or {})
    if ("latitude" in columns) != ("longitude" in columns):
        missing = "longitude" if "latitude" in columns else "latitude"
        raise MappingError("latitude and longitude go together", key=f"columns.{missing}")
    if "occurred_at" not in columns:
        raise MappingError(
            "is required: which column holds the date and time", key="columns.occurred_at"
        )
    required = data.get("required") or []
    if not isinstance(required, list) or any(name not in columns for name in required):
        raise MappingError(
            "must be a list of fields that are mapped under `columns`", key="required"
        )
    required = frozenset(
        {"occurred_at", *required} | ({"record_id"} if "record_id" in columns else set())
    )
    return Mapping(
        source=source,
        delimiter=delimiter,
        timezone=zone,
        columns=columns,
        constants=constants,
        required=frozenset(required),
        raw=data,
    )


def _column(name, entry) -> Column:
    key = f"columns.{name}"
    if name not in FIELDS:
        raise MappingError(f"unknown field; known fields: {', '.join(FIELDS)}", key=key)
    if isinstance(entry, str):
        entry = {"column": entry}
    if not isinstance(entry, dict):
        raise MappingError("must be a column name or a mapping with `column`", key=key)
    allowed = {"column"} | FIELDS[name]
    unknown = sorted(str(option) for option in entry if option not in allowed)
    if unknown:
        raise MappingError(
            f"unknown option(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}",
            key=key,
        )
    options = {k: v for k, v in entry.items() if k != "column"}
    column = entry.get("column", "")
    if name == "occurred_at" and not column:
        if not options.get("date_column"):
            raise MappingError("needs `column` or `date_column` (and `time_column`)", key=key)
    elif not isinstance(column, str) or not column.strip():
        raise MappingError("needs `column`: the CSV column name", key=key)
    for option in ("format", "date_format", "time_format"):
        if option in options:
            _check_format(options[option], key=f"{key}.{option}")
    for option in ("separator",):
        if option in options and (not isinstance(options[option], str) or not options[option]):
            raise MappingError("must be a non-empty string", key=f"{key}.{option}")
    if "values" in options:
        options["values"] = _values(name, options["values"], key=f"{key}.values")
    return Column(field=name, column=(column or "").strip(), options=options)


def _check_format(value, *, key: str) -> None:
    if not isinstance(value, str) or "%" not in value:
        raise MappingError(f"must be a strftime format such as %Y-%m-%d, not {value!r}", key=key)
    try:
        dt.datetime(2026, 1, 2, 3, 4, 5).strftime(value)
    except ValueError as error:
        raise MappingError(f"is not a valid format: {error}", key=key) from None


def _values(name: str, values, *, key: str) -> dict:
    if not isinstance(values, dict) or not values:
        raise MappingError("must map CSV values to Cairn values", key=key)
    allowed = {
        "sex": SEXES,
        "disposition": DISPOSITIONS,
        "age_band": AGE_BAND_VALUES,
        "fatal": {True, False},
    }[name]
    result = {}
    for code, target in values.items():
        if target not in allowed:
            shown = ", ".join(sorted(str(value) for value in allowed))
            raise MappingError(f"{target!r} is not one of {shown}", key=f"{key}.{code}")
        result[str(code).strip().upper()] = target
    return result


def _constants(constants) -> dict:
    if not isinstance(constants, dict):
        raise MappingError("must map fields to values", key="constants")
    for name, value in constants.items():
        key = f"constants.{name}"
        if name not in CONSTANT_FIELDS:
            raise MappingError(
                f"not a field that can be constant; allowed: {', '.join(sorted(CONSTANT_FIELDS))}",
                key=key,
            )
        checks = {
            "sex": SEXES,
            "disposition": DISPOSITIONS,
            "age_band": AGE_BAND_VALUES,
            "fatal": {True, False},
        }
        if name in checks and value not in checks[name]:
            raise MappingError(f"{value!r} is not an allowed value", key=key)
        if name == "naloxone_doses" and not (isinstance(value, int) and 0 <= value <= 100):
            raise MappingError("must be a whole number from 0 to 100", key=key)
    return dict(constants)
