"""Turn one CSV row into an IncomingRecord, as the mapping says; IntakeError if it cannot."""

import datetime as dt
import hashlib

from cairn.surveillance.intake.csv_import.mapping import (
    AGE_BAND_VALUES,
    DEFAULT_BOOLEAN_VALUES,
    DEFAULT_SEX_VALUES,
    Mapping,
)
from cairn.surveillance.intake.records import IncomingRecord, IntakeError
from cairn.surveillance.models import AGE_BANDS, Disposition, IntakeFormat, age_band_for

# Longest value accepted per field: what the event columns hold, and a sane bound
# for free text so a runaway field (a whole file in one cell) is quarantined.
MAX_LENGTH = {
    "record_id": 150,
    "facility": 40,
    "chief_complaint": 2000,
    "diagnosis_codes": 2000,
    "suspected_substances": 1000,
    "given_name": 100,
    "family_name": 100,
    "health_number": 30,
    "postal_code": 10,
    "community_code": 100,
}
ISO_FORMATS = {"%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"}
# The moment a format is shown with when a value does not fit it.
EXAMPLE_MOMENT = dt.datetime(2026, 1, 31, 14, 5)
DISPOSITION_DEFAULTS = {choice.value.upper(): choice.value for choice in Disposition}


def row_hash(values: list[str]) -> str:
    return hashlib.blake2b(
        "\x1f".join(values).encode("utf-8", "surrogatepass"), digest_size=16
    ).hexdigest()


class RowParser:
    """Compiled once per file: column positions, value maps and date parsing."""

    def __init__(self, mapping: Mapping, header: list[str]):
        self.mapping = mapping
        self.header = header
        self.width = len(header)
        positions = {name: index for index, name in enumerate(header)}
        self.position = {}
        for name, column in mapping.columns.items():
            self.position[name] = positions.get(column.column) if column.column else None
        # (field, position, longest allowed, required) of every mapped column but the time.
        self._fields = [
            (name, index, MAX_LENGTH.get(name), name in mapping.required)
            for name, index in self.position.items()
            if index is not None and name != "occurred_at"
        ]
        occurred = mapping.columns["occurred_at"]
        self.date_position = positions.get(occurred.options.get("date_column", ""))
        self.time_position = positions.get(occurred.options.get("time_column", ""))
        self.separate_date_time = not occurred.column
        if self.separate_date_time:
            self.date_format = occurred.options.get("date_format", "%Y-%m-%d")
            self.time_format = occurred.options.get("time_format", "%H:%M")
            self.datetime_format = f"{self.date_format} {self.time_format}"
        else:
            self.datetime_format = occurred.options.get("format", "%Y-%m-%d %H:%M")
        self.datetime_column = occurred.column or (
            f"{occurred.options.get('date_column')} + {occurred.options.get('time_column')}"
        )
        self._iso = self.datetime_format in ISO_FORMATS
        self._times: dict[str, dt.datetime] = {}
        self.zone = mapping.timezone
        self.source = mapping.source
        self.constants = mapping.constants
        self.required = mapping.required

        def options(name):
            column = mapping.columns.get(name)
            return column.options if column else {}

        self.sex_values = options("sex").get("values") or DEFAULT_SEX_VALUES
        self.disposition_values = options("disposition").get("values") or DISPOSITION_DEFAULTS
        self.fatal_values = options("fatal").get("values") or DEFAULT_BOOLEAN_VALUES
        self.band_values = options("age_band").get("values")
        self.diagnosis_separator = options("diagnosis_codes").get("separator", ";")
        self.substance_separator = options("suspected_substances").get("separator", ";")
        self.birth_format = options("birth_date").get("format", "%Y-%m-%d")

    def column_name(self, name: str) -> str:
        return self.mapping.columns[name].column

    def record(self, values: list[str], *, row_key: str = "") -> IncomingRecord:
        """The record for one row, or IntakeError whose location is the column name.

        `row_key` is the row's hash (`row_hash`, computed when not given): the dedup key
        of a row without a record id. A row has no message key: the file is the
        transmission, remembered once by `import_csv`, and a row whose encounter is
        already stored with the same values is left unchanged.
        """
        if len(values) != self.width:
            raise IntakeError(
                f"expected {self.width} fields as in the header, found {len(values)}",
                location="row",
            )
        cells = {}
        for name, index, limit, required in self._fields:
            cell = values[index].strip()
            if cell:
                if limit and len(cell) > limit:
                    raise IntakeError(
                        f"{len(cell)} characters, longer than the {limit} allowed",
                        location=self.column_name(name),
                    )
                cells[name] = cell
            elif required:
                raise IntakeError("a value is required", location=self.column_name(name))
        get = cells.get
        constants = self.constants
        occurred_at = self._occurred_at(values)
        facility = get("facility", "") or str(constants.get("facility", ""))
        record_id = get("record_id", "")
        if record_id:
            dedup_key = f"csv:{self.source}:{facility}:{record_id}"
        else:
            dedup_key = f"csv:{self.source}:{row_key or row_hash(values)}"
        record = IncomingRecord(
            source=self.source,
            format=IntakeFormat.CSV,
            dedup_key=dedup_key[:200],
            occurred_at=occurred_at,
            source_record_id=record_id,
            facility=facility,
            chief_complaint=get("chief_complaint", "") or str(constants.get("chief_complaint", "")),
            community_code=get("community_code", "") or str(constants.get("community_code", "")),
            postal_code=get("postal_code", "") or str(constants.get("postal_code", "")),
            revision_reason="CSV re-sent row",
        )
        self._person(get, record, occurred_at)
        self._coded(get, record)
        self._place(get, record)
        return record

    def _occurred_at(self, values: list[str]) -> dt.datetime:
        if self.separate_date_time:
            date = values[self.date_position].strip()
            time = values[self.time_position].strip() if self.time_position is not None else ""
            text = f"{date} {time}" if time else date
            fmt = self.datetime_format if time else self.date_format
        else:
            text = values[self.position["occurred_at"]].strip()
            fmt = self.datetime_format
        if not text:
            raise IntakeError("a date and time is required", location=self.datetime_column)
        return self._occurred_at_text(text, fmt)

    def _occurred_at_text(self, text: str, fmt: str | None = None) -> dt.datetime:
        fmt = fmt or self.datetime_format
        found = self._times.get(text)
        if found is not None:
            return found
        try:
            if self._iso and len(text) in (16, 19) and text[10] in " T":
                parsed = dt.datetime.fromisoformat(text)
            else:
                parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            raise IntakeError(
                f"{text!r} is not a date and time in the format {fmt} (like {_example(fmt)})",
                location=self.datetime_column,
            ) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.zone)
        if len(self._times) < 200_000:
            self._times[text] = parsed
        return parsed

    def _person(self, get, record: IncomingRecord, occurred_at: dt.datetime) -> None:
        age = get("age", "")
        if age:
            if not age.isdigit() or int(age) > 130:
                raise IntakeError(
                    f"{age!r} is not an age in years", location=self.column_name("age")
                )
            record.age_band = age_band_for(int(age))
        band = get("age_band", "")
        if band:
            if self.band_values is not None:
                mapped = self.band_values.get(band.upper())
            else:
                mapped = band if band in AGE_BAND_VALUES else None
            if mapped is None:
                raise IntakeError(
                    f"{band!r} is not a known age band ({AGE_BANDS[0]} … {AGE_BANDS[-1]})",
                    location=self.column_name("age_band"),
                )
            record.age_band = mapped
        elif not age and "age_band" in self.constants:
            record.age_band = self.constants["age_band"]
        born = get("birth_date", "")
        if born:
            try:
                birth_date = dt.datetime.strptime(born, self.birth_format).date()
            except ValueError:
                raise IntakeError(
                    f"{born!r} is not a date in the format {self.birth_format} "
                    f"(like {_example(self.birth_format)})",
                    location=self.column_name("birth_date"),
                ) from None
            day = occurred_at.date()
            years = (
                day.year
                - birth_date.year
                - ((day.month, day.day) < (birth_date.month, birth_date.day))
            )
            if years < 0 or years > 130:
                raise IntakeError(
                    f"birth date {born} gives an age of {years} on the day of the event",
                    location=self.column_name("birth_date"),
                )
            if not age and not band:
                record.age_band = age_band_for(years)
            record.identity["date_of_birth"] = birth_date
        sex = get("sex", "")
        if sex:
            mapped = self.sex_values.get(sex.upper())
            if mapped is None:
                known = ", ".join(sorted(self.sex_values))
                raise IntakeError(
                    f"unknown sex code {sex!r}; the mapping knows {known}",
                    location=self.column_name("sex"),
                )
            record.sex = mapped
        elif "sex" in self.constants:
            record.sex = self.constants["sex"]
        for name in ("given_name", "family_name", "health_number"):
            found = get(name, "")
            if found:
                record.identity[name] = found
        if record.postal_code and record.identity:
            record.identity["postal_code"] = record.postal_code

    def _coded(self, get, record: IncomingRecord) -> None:
        codes = get("diagnosis_codes", "")
        if codes:
            record.diagnosis_codes = [
                code.strip().upper()
                for code in codes.split(self.diagnosis_separator)
                if code.strip()
            ]
        substances = get("suspected_substances", "")
        if substances:
            record.suspected_substances = [
                s.strip().lower() for s in substances.split(self.substance_separator) if s.strip()
            ]
        disposition = get("disposition", "")
        if disposition:
            mapped = self.disposition_values.get(disposition.upper())
            if mapped is None:
                raise IntakeError(
                    f"unknown disposition {disposition!r}; the mapping knows "
                    + ", ".join(sorted(self.disposition_values)),
                    location=self.column_name("disposition"),
                )
            record.disposition = mapped
        elif "disposition" in self.constants:
            record.disposition = self.constants["disposition"]
        fatal = get("fatal", "")
        if fatal:
            mapped = self.fatal_values.get(fatal.upper())
            if mapped is None:
                raise IntakeError(
                    f"{fatal!r} is not a yes/no value the mapping knows ("
                    + ", ".join(sorted(self.fatal_values))
                    + ")",
                    location=self.column_name("fatal"),
                )
            record.fatal = mapped
        elif "fatal" in self.constants:
            record.fatal = self.constants["fatal"]
        doses = get("naloxone_doses", "")
        if doses:
            if not doses.isdigit() or int(doses) > 100:
                raise IntakeError(
                    f"{doses!r} is not a number of doses (0 to 100)",
                    location=self.column_name("naloxone_doses"),
                )
            record.naloxone_doses = int(doses)
        elif "naloxone_doses" in self.constants:
            record.naloxone_doses = self.constants["naloxone_doses"]

    def _place(self, get, record: IncomingRecord) -> None:
        latitude = get("latitude", "")
        longitude = get("longitude", "")
        if latitude or longitude:
            try:
                record.latitude = float(latitude)
                record.longitude = float(longitude)
            except ValueError:
                raise IntakeError(
                    f"{latitude!r}, {longitude!r} is not a latitude and longitude",
                    location=f"{self.column_name('latitude')}, {self.column_name('longitude')}",
                ) from None
            if not (-90 <= record.latitude <= 90 and -180 <= record.longitude <= 180):
                raise IntakeError(
                    "latitude must be within ±90 and longitude within ±180",
                    location=f"{self.column_name('latitude')}, {self.column_name('longitude')}",
                )


def _example(fmt: str) -> str:
    """A date written in `fmt`, for a reason a person reads: "%d/%m/%Y" -> 31/01/2026."""
    return EXAMPLE_MOMENT.strftime(fmt)
