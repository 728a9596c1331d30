"""CSV rows straight into the stage's COPY lines (PostgreSQL), without a record per row.

A line list repeats itself: the same few hundred complaints and code lists, sex and
disposition codes, postal codes and arrival minutes. Each cell value is checked,
placed or classified once and its COPY text kept, so a row costs a few dictionary
lookups and one string. Whatever the fast path is not sure of (a cell needing
escaping, a value that does not check, identity or map-point columns) goes through
`RowParser.record` and `bulk.record_line`, which decide exactly as before; a test
holds the two paths to the same lines.
"""

import csv
import hashlib

from cairn.geography import placement
from cairn.surveillance.intake.bulk import BATCH_SIZE, Stage, copytext, record_line
from cairn.surveillance.intake.bulk.stage import NO_IDENTITY
from cairn.surveillance.intake.csv_import.mapping import AGE_BAND_VALUES
from cairn.surveillance.intake.csv_import.rows import MAX_LENGTH, RowParser
from cairn.surveillance.intake.records import IntakeError
from cairn.surveillance.models import UNKNOWN_AGE_BAND, EventSex, age_band_for

# Fields the fast path handles; a mapping with any other column takes the record path.
FAST_FIELDS = {
    "occurred_at",
    "record_id",
    "facility",
    "community_code",
    "postal_code",
    "age",
    "age_band",
    "sex",
    "chief_complaint",
    "diagnosis_codes",
    "disposition",
    "fatal",
    "naloxone_doses",
    "suspected_substances",
}
CACHE_LIMIT = 200_000
REVISION_REASON = "CSV re-sent row"
MINUTES = frozenset(f"{minute:02d}" for minute in range(60))


class _Slow(Exception):
    """This row takes the record path."""


class RowLines:
    """Turns CSV rows into stage lines for one file (one Stage, one RowParser)."""

    def __init__(self, parser: RowParser, stage: Stage):
        self.parser = parser
        self.stage = stage
        position = parser.position
        constants = parser.constants
        self.fast = set(name for name, index in position.items() if index is not None) <= (
            FAST_FIELDS
        ) and not any(
            isinstance(value, str) and copytext.SPECIAL.search(value)
            for value in constants.values()
        )
        self.source = parser.source
        self.required = parser.required
        self.constants = constants
        self._occurred: dict = {}
        self._bands: dict = {}
        self._sexes: dict = {}
        self._places: dict = {}
        self._classes: dict = {}
        self._dispositions: dict = {}
        self._fatal: dict = {}
        self._doses: dict = {}
        self._substances: dict = {}
        self._fast_line = self._build_fast_line()

    # -- the record path --------------------------------------------------------------
    def slow_line(self, values: list[str], key: str, ord_: int) -> tuple[str, str, bool]:
        """(line, dedup key, has identity) through RowParser.record; IntakeError if bad."""
        record = self.parser.record(values, row_key=key)
        place = placement.place_many(
            [
                (
                    record.community_code,
                    record.longitude,
                    record.latitude,
                    record.postal_code or record.identity.get("postal_code", ""),
                )
            ]
        )[0]
        return record_line(self.stage, ord_, record, place), record.dedup_key, bool(record.identity)

    # -- the fast path ----------------------------------------------------------------
    def line(self, values: list[str], joined: str, key: str, ord_: int) -> tuple[str, str, bool]:
        """(line, dedup key, has identity) for a row (`joined`: its cells joined by \x1f);
        IntakeError (with the record path's exact reason) if the row is bad."""
        if not self.fast or copytext.SPECIAL.search(joined):
            return self.slow_line(values, key, ord_)
        try:
            return self._fast_line(values, key, ord_)
        except _Slow:
            return self.slow_line(values, key, ord_)

    def _build_fast_line(self):
        """The fast path for one row, with everything it needs bound to local names."""
        parser = self.parser
        position = parser.position
        width = parser.width

        def at(name: str) -> int:
            index = position.get(name)
            return -1 if index is None else index  # -1: the empty cell appended to a row

        i_record, i_facility, i_age, i_band = (
            at("record_id"),
            at("facility"),
            at("age"),
            at("age_band"),
        )
        i_sex, i_code, i_postal = at("sex"), at("community_code"), at("postal_code")
        i_complaint, i_codes = at("chief_complaint"), at("diagnosis_codes")
        i_disposition, i_fatal, i_doses = at("disposition"), at("fatal"), at("naloxone_doses")
        i_substances = at("suspected_substances")
        record_required = "record_id" in self.required
        facility_required = "facility" in self.required
        facility_constant = str(self.constants.get("facility", ""))
        source = self.source
        prefix = "\tcsv\t\\N\t"  # format, no message key (see RowParser.record)
        middle = f"\t{REVISION_REASON}\t{NO_IDENTITY}\t"
        separate = parser.separate_date_time
        i_date = parser.date_position
        i_time = parser.time_position
        i_occurred = -1 if separate else position["occurred_at"]
        # Minutes of one local hour share its UTC offset: parse "YYYY-MM-DD HH:MM" once
        # per hour (when counts use the mapping's own time zone, the day is the date).
        by_hour = (
            not separate
            and parser.datetime_format == "%Y-%m-%d %H:%M"
            and str(parser.zone) == str(self.stage.count_zone)
        )
        hours: dict[str, tuple[str, str] | bool] = {}
        hour_miss = self._hour_miss
        occurred_cache, occurred_miss = self._occurred, self._occurred_miss
        bands, band_miss = self._bands, self._band_miss
        sexes, sex_miss = self._sexes, self._sex_miss
        places, place_miss = self._places, self._place_miss
        classes, class_miss = self._classes, self._class_miss
        dispositions, disposition_miss = self._dispositions, self._disposition_miss
        fatals, fatal_miss = self._fatal, self._fatal_miss
        doses_cache, doses_miss = self._doses, self._doses_miss
        substance_cache, substances_miss = self._substances, self._substances_miss
        empty = [""]
        add_cell = self.stage.cells.add

        def fast_line(values: list[str], key: str, ord_: int):
            if len(values) != width:
                raise _Slow
            row = values + empty
            record_id = row[i_record].strip()
            if record_id:
                if len(record_id) > 150:
                    raise _Slow
            elif record_required:
                raise _Slow
            facility = row[i_facility].strip()
            if facility:
                if len(facility) > 40:
                    raise _Slow
            elif facility_required:
                raise _Slow
            else:
                facility = facility_constant
            if record_id:
                dedup = f"csv:{source}:{facility}:{record_id}"[:200]
            else:
                dedup = f"csv:{source}:{key}"[:200]
            occurred = None
            if by_hour:
                text = row[i_occurred]
                minute = text[14:]
                if len(text) == 16 and text[13] == ":" and minute in MINUTES:
                    hour = hours.get(text[:13])
                    if hour is None:
                        hour = hour_miss(hours, text[:13])
                    if hour:
                        occurred = (f"{hour[0]}:{minute}:00{hour[1]}", text[:10])
            if occurred is None:
                when = (row[i_date], row[i_time]) if separate else row[i_occurred]
                occurred = occurred_cache.get(when)
                if occurred is None:
                    occurred = occurred_miss(values, when)
            band = bands.get((row[i_age], row[i_band]))
            if band is None:
                band = band_miss(row[i_age], row[i_band])
            sex = sexes.get(row[i_sex])
            if sex is None:
                sex = sex_miss(row[i_sex])
            postal = row[i_postal]
            if (
                len(postal) <= 10
                and postal[:1].isalpha()
                and postal[:3].isalnum()
                and postal[:3].isascii()
            ):
                # A Canadian postal code is placed by its first three characters (FSA).
                place_key = (row[i_code], postal[:3].upper(), True)
            else:
                place_key = (row[i_code], postal, False)
            place = places.get(place_key)
            if place is None:
                place = place_miss(place_key)
            class_key = (row[i_complaint], row[i_codes])
            classified = classes.get(class_key)
            if classified is None:
                classified = class_miss(class_key)
            disposition = dispositions.get(row[i_disposition])
            if disposition is None:
                disposition = disposition_miss(row[i_disposition])
            fatal = fatals.get(row[i_fatal])
            if fatal is None:
                fatal = fatal_miss(row[i_fatal])
            doses = doses_cache.get(row[i_doses])
            if doses is None:
                doses = doses_miss(row[i_doses])
            iso, day = occurred
            add_cell((place, day))
            substances = substance_cache.get(row[i_substances])
            if substances is None:
                substances = substances_miss(row[i_substances])
            return (
                f"{ord_}{prefix}{day}\t{classified[0]}{middle}{dedup}\t{source}\t{iso}\t{place}\t"
                f"{band}\t{sex}\t{classified[1]}\t{disposition}\t{facility}\t{fatal}\t{doses}\t"
                f"{substances}\t{record_id}\n",
                dedup,
                False,
            )

        return fast_line

    # Each *_miss checks a value once (IntakeError or _Slow if it does not pass: the row
    # then takes the record path, which names the problem) and keeps its COPY text.
    @staticmethod
    def _keep(cache: dict, key, value):
        if len(cache) < CACHE_LIMIT:
            cache[key] = value
        return value

    def _value(self, name: str, raw: str) -> str:
        value = raw.strip()
        limit = MAX_LENGTH.get(name)
        if value:
            if limit and len(value) > limit:
                raise _Slow
        elif name in self.required:
            raise _Slow
        return value

    def _occurred_miss(self, values, when) -> tuple[str, str]:
        try:
            occurred_at = self.parser._occurred_at(values)
        except IntakeError:
            raise _Slow from None
        found = (occurred_at.isoformat(), self.stage.local_day(occurred_at))
        return self._keep(self._occurred, when, found)

    def _hour_miss(self, hours: dict, hour_text: str):
        """(date and hour as in isoformat, UTC offset) of a local hour, or False when the
        offset changes within it (the minutes then take the per-value path)."""
        try:
            first = self.parser._occurred_at_text(f"{hour_text}:00")
            last = self.parser._occurred_at_text(f"{hour_text}:59")
        except IntakeError:
            raise _Slow from None
        if first.utcoffset() != last.utcoffset():
            hours[hour_text] = False
            return False
        iso = first.isoformat()  # 2026-11-20T22:00:00-08:00
        found = (iso[:13], iso[19:])
        if len(hours) < CACHE_LIMIT:
            hours[hour_text] = found
        return found

    def _band_miss(self, age_raw: str, band_raw: str) -> str:
        age = self._value("age", age_raw)
        band = UNKNOWN_AGE_BAND
        if age:
            if not age.isdigit() or int(age) > 130:
                raise _Slow
            band = age_band_for(int(age))
        band_cell = self._value("age_band", band_raw)
        if band_cell:
            if self.parser.band_values is not None:
                mapped = self.parser.band_values.get(band_cell.upper())
            else:
                mapped = band_cell if band_cell in AGE_BAND_VALUES else None
            if mapped is None:
                raise _Slow
            band = mapped
        elif not age and "age_band" in self.constants:
            band = self.constants["age_band"]
        return self._keep(self._bands, (age_raw, band_raw), copytext.text(band))

    def _sex_miss(self, raw: str) -> str:
        value = self._value("sex", raw)
        if value:
            sex = self.parser.sex_values.get(value.upper())
            if sex is None:
                raise _Slow
        else:
            sex = self.constants.get("sex", EventSex.UNKNOWN)
        return self._keep(self._sexes, raw, copytext.text(str(sex)))

    def _place_miss(self, key) -> str:
        community_code = self._value("community_code", key[0]) or str(
            self.constants.get("community_code", "")
        )
        # key[2]: key[1] is the first three characters of a postal code (an FSA)
        postal_code = key[1] if key[2] else self._value("postal_code", key[1])
        postal_code = postal_code or str(self.constants.get("postal_code", ""))
        community_id, method = placement.place_many([(community_code, None, None, postal_code)])[0]
        return self._keep(self._places, key, f"{copytext.integer(community_id)}\t{method}")

    def _class_miss(self, key) -> tuple[str, str]:
        complaint = self._value("chief_complaint", key[0]) or str(
            self.constants.get("chief_complaint", "")
        )
        codes = self._value("diagnosis_codes", key[1])
        separator = self.parser.diagnosis_separator
        listed = [c.strip().upper() for c in codes.split(separator) if c.strip()] if codes else []
        return self._keep(self._classes, key, self.stage.classification(complaint, listed))

    def _disposition_miss(self, raw: str) -> str:
        value = self._value("disposition", raw)
        if value:
            disposition = self.parser.disposition_values.get(value.upper())
            if disposition is None:
                raise _Slow
        else:
            disposition = self.constants.get("disposition", "unknown")
        return self._keep(self._dispositions, raw, copytext.text(str(disposition)))

    def _fatal_miss(self, raw: str) -> str:
        value = self._value("fatal", raw)
        if value:
            fatal = self.parser.fatal_values.get(value.upper())
            if fatal is None:
                raise _Slow
        else:
            fatal = self.constants.get("fatal")
        return self._keep(self._fatal, raw, copytext.boolean(fatal))

    def _doses_miss(self, raw: str) -> str:
        value = self._value("naloxone_doses", raw)
        if value:
            if not value.isdigit() or int(value) > 100:
                raise _Slow
            doses = int(value)
        else:
            doses = self.constants.get("naloxone_doses")
        return self._keep(self._doses, raw, copytext.integer(doses))

    def _substances_miss(self, raw: str) -> str:
        value = self._value("suspected_substances", raw)
        separator = self.parser.substance_separator
        listed = [s.strip().lower() for s in value.split(separator) if s.strip()] if value else []
        return self._keep(self._substances, raw, copytext.json_list(listed))


def stage_rows(
    reader,
    lines: list[str],
    parser: RowParser,
    stage: Stage,
    summary,
    bad,
    batch_size,
    *,
    store: bool = True,
    lanes: list[Stage] | None = None,
):
    """Read every row into the stage in batches; bad rows go to `bad` with their reason.

    `lines` are the file's lines as `reader` reads them, for the raw text of a bad row.
    A row identical to an earlier one of the file (same hash) is a duplicate; a batch
    never holds one encounter twice, so a visit and its correction in one file apply in
    order. With `store=False` (the file was imported before) every good row is counted
    as a duplicate and nothing is sent. With `lanes` (the stage and `stage.lane()`s on
    other connections), each encounter always goes to the same lane, so its rows stay
    in order and no two connections ever write one encounter.
    """
    lanes = lanes or [stage]
    count = len(lanes)
    batches: list[list[str]] = [[] for _ in lanes]
    encounters: list[set[str]] = [set() for _ in lanes]
    identities = [False] * count

    def submit(lane: int) -> None:
        batch = batches[lane]
        if store:
            lanes[lane].submit(batch, identities=identities[lane], message_keys=False)
        else:
            stage.counts.duplicates += len(batch)
        batches[lane] = []
        encounters[lane].clear()
        identities[lane] = False

    rows = RowLines(parser, stage)
    make_line = rows.line
    blake2b = hashlib.blake2b
    width = parser.width
    batch_size = batch_size or BATCH_SIZE
    seen: set[str] = set()
    start = reader.line_num
    ord_ = 0
    lane = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            summary.rows_read += 1
            where = f"line {reader.line_num}"
            bad.append(
                ("".join(lines[start : reader.line_num]), where, where, f"cannot be read: {error}")
            )
            start = reader.line_num
            continue
        end = reader.line_num
        if len(values) != width and (not values or (len(values) == 1 and not values[0].strip())):
            start = end
            continue  # a blank line
        summary.rows_read += 1
        joined = "\x1f".join(values)
        key = blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        try:
            line, dedup, identity = make_line(values, joined, key, ord_)
        except IntakeError as error:
            where = line_no = f"line {end}"
            if error.location and error.location != "row":
                where += f", column {error.location}"
            raw = "".join(lines[start:end])
            bad.append((raw.rstrip("\r\n"), line_no, where, error.message))
            start = end
            continue
        start = end
        if key in seen:
            stage.counts.duplicates += 1
            continue
        seen.add(key)
        if count > 1:
            lane = hash(dedup) % count
        if dedup in encounters[lane] or len(batches[lane]) >= batch_size:
            submit(lane)
        encounters[lane].add(dedup)
        identities[lane] = identities[lane] or identity
        batches[lane].append(line)
        ord_ += 1
    for lane in range(count):
        submit(lane)
    if not store:
        stage.cells.clear()  # nothing changed: no count to recount
