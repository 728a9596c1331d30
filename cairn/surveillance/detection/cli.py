"""`cairn surveillance detect`: aberration detection on a CSV series.

    cairn surveillance detect --method ears-c2 --input series.csv --output out.csv \
        [--param minSigma=1 --param alpha=0.01 ...] [--freq week|day|month]

Input: a CSV with a header and the columns t,observed (t = 1, 2, 3, ... in order; observed
a whole number >= 0) and optionally date (YYYY-MM-DD, increasing; needed by the ESSENCE
regression and switch) and population. Output: t,observed,expected,upperbound,alarm, one
row per input row; expected and upperbound are empty where the method has no value,
alarm is TRUE or FALSE, empty where the method made no decision. `-` reads stdin or
writes stdout. Parameters take R's names and R-style values: numbers, TRUE/FALSE, NULL,
vectors as c(5,4) or 5,4, and strings.
"""

import csv
import datetime
import io
import math
import re
import sys

from django.core.management.base import CommandError

from cairn.surveillance.detection import (
    METHODS,
    DetectionParameterError,
    detect,
    method_function,
)

HELP = "Run an aberration-detection method over a CSV series"
FREQS = {"day": 365, "week": 52, "month": 12}
REQUIRED_COLUMNS = ("t", "observed")
OPTIONAL_COLUMNS = ("date", "population")
OUTPUT_COLUMNS = ("t", "observed", "expected", "upperbound", "alarm")
WHOLE_NUMBER = re.compile(r"\s*[0-9]+\s*")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def add_arguments(parser) -> None:
    parser.add_argument(
        "--method", required=True, metavar="METHOD", help=f"One of: {', '.join(METHODS)}."
    )
    parser.add_argument(
        "--input", required=True, help="CSV file (t,observed[,date,population]), or - for stdin."
    )
    parser.add_argument("--output", required=True, help="CSV file, or - for stdout.")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="A method parameter with R's name, e.g. baseline=7, minSigma=1, "
        "limit54=c(5,4), reweight=TRUE. Repeat for several.",
    )
    parser.add_argument(
        "--freq",
        choices=list(FREQS),
        default="week",
        help="Length of one period of the series (default week; ESSENCE methods need day).",
    )


def handle(command, options) -> None:
    method = options["method"]
    try:
        method_function(method)
    except DetectionParameterError as error:
        raise CommandError(str(error)) from None
    params = parse_params(options["param"])
    name = options["input"]
    series = read_series(name)
    try:
        result = detect(
            method,
            series["observed"],
            dates=series.get("date"),
            population=series.get("population"),
            freq=FREQS[options["freq"]],
            **params,
        )
    except DetectionParameterError as error:
        raise CommandError(f"{method} on {name}: {error}") from None
    write_result(command, options["output"], series["observed"], result)
    command.stderr.write(
        f"{method}: {len(series['observed'])} periods, {int(result.defined.sum())} evaluated, "
        f"{result.n_alarms} alarm(s)."
    )


# -- parameters -------------------------------------------------------------------------


def parse_params(items: list[str]) -> dict:
    params: dict = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not NAME.fullmatch(key):
            raise CommandError(
                f"--param {item!r}: expected KEY=VALUE with an R parameter name, e.g. baseline=7."
            )
        if key in params:
            raise CommandError(f"--param {key} is given twice.")
        try:
            params[key] = parse_value(text)
        except ValueError as error:
            raise CommandError(f"--param {key}: {error}") from None
    return params


def parse_value(text: str):
    """An R-style value: number, TRUE/FALSE, NULL, c(1,2) or 1,2, or a string."""
    text = text.strip()
    if not text:
        raise ValueError("no value after '='.")
    if text.startswith("c(") and text.endswith(")"):
        inner = text[2:-1].strip()
        return [parse_scalar(part) for part in inner.split(",")] if inner else []
    if "," in text and not _quoted(text):
        return [parse_scalar(part) for part in text.split(",")]
    return parse_scalar(text)


def parse_scalar(text: str):
    text = text.strip()
    if not text:
        raise ValueError("empty element in a list of values.")
    if _quoted(text):
        return text[1:-1]
    if text in ("TRUE", "T", "true", "True"):
        return True
    if text in ("FALSE", "F", "false", "False"):
        return False
    if text in ("NULL", "NA", "None"):
        return None
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def _quoted(text: str) -> bool:
    return len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'"


# -- input ------------------------------------------------------------------------------


def read_series(name: str) -> dict:
    """Read and check the input CSV; CommandError naming the line and column on bad input."""
    try:
        source = (
            sys.stdin if name == "-" else open(name, newline="", encoding="utf-8-sig")  # noqa: SIM115
        )
    except FileNotFoundError:
        raise CommandError(f"{name}: no such file.") from None
    except IsADirectoryError:
        raise CommandError(f"{name}: is a directory, not a CSV file.") from None
    except OSError as error:
        raise CommandError(f"{name}: cannot open ({error.strerror}).") from None
    try:
        return _parse_series(csv.reader(source), name)
    except csv.Error as error:
        raise CommandError(f"{name}: unreadable CSV ({error}).") from None
    except UnicodeDecodeError:
        raise CommandError(f"{name}: not UTF-8 text; save the file as UTF-8.") from None
    finally:
        if source is not sys.stdin:
            source.close()


def _parse_series(reader, name: str) -> dict:
    try:
        header = next(reader)
    except StopIteration:
        raise CommandError(
            f"{name} line 1: the file is empty; expected a header row t,observed."
        ) from None
    columns = [c.strip().lower() for c in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CommandError(
            f"{name} line 1: missing column(s) {', '.join(missing)}; "
            f"the header is {','.join(header) or '(empty)'}."
        )
    for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        if columns.count(column) > 1:
            raise CommandError(f"{name} line 1: column {column} appears twice.")
    at = {c: columns.index(c) for c in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if c in columns}
    width = max(at.values()) + 1
    observed: list[int] = []
    dates: list[datetime.date] = []
    population: list[float] = []
    for row in reader:
        line = reader.line_num
        if not any(field.strip() for field in row):
            continue
        if len(row) < width:
            raise CommandError(
                f"{name} line {line}: {len(row)} field(s), expected {len(header)} "
                f"({','.join(header)})."
            )
        expected_t = len(observed) + 1
        t_text = row[at["t"]].strip()
        if t_text != str(expected_t):
            raise CommandError(
                f"{name} line {line}: column t is {t_text!r}, expected {expected_t} "
                "(t must run 1, 2, 3, ... in order, one row per period)."
            )
        text = row[at["observed"]]
        if not WHOLE_NUMBER.fullmatch(text):
            raise CommandError(
                f"{name} line {line}: column observed is {text!r}; expected a whole number >= 0."
            )
        observed.append(int(text))
        if "date" in at:
            dates.append(_parse_date(row[at["date"]], name, line, dates))
        if "population" in at:
            population.append(_parse_population(row[at["population"]], name, line))
    if not observed:
        raise CommandError(f"{name}: no data rows after the header.")
    series: dict = {"observed": observed}
    if dates:
        series["date"] = dates
    if population:
        series["population"] = population
    return series


def _parse_date(text: str, name: str, line: int, previous: list) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"{name} line {line}: column date is {text!r}; expected a date as YYYY-MM-DD."
        ) from None
    if previous and day <= previous[-1]:
        raise CommandError(
            f"{name} line {line}: date {day} does not come after {previous[-1]}; "
            "dates must increase from row to row."
        )
    return day


def _parse_population(text: str, name: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise CommandError(
            f"{name} line {line}: column population is {text!r}; expected a number > 0."
        )
    return value


# -- output -----------------------------------------------------------------------------


def write_result(command, name: str, observed: list[int], result) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    expected = result.expected.tolist()
    upperbound = result.upperbound.tolist()
    alarm = result.alarm.tolist()
    defined = result.defined.tolist()
    for i, count in enumerate(observed):
        writer.writerow(
            (
                i + 1,
                count,
                _number(expected[i]),
                _number(upperbound[i]),
                ("TRUE" if alarm[i] else "FALSE") if defined[i] else "",
            )
        )
    text = buffer.getvalue()
    if name == "-":
        command.stdout.write(text, ending="")
        return
    try:
        with open(name, "w", newline="", encoding="utf-8") as target:
            target.write(text)
    except OSError as error:
        raise CommandError(f"{name}: cannot write ({error.strerror}).") from None


def _number(value: float) -> str:
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    return repr(value)
