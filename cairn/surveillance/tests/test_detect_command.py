"""`cairn surveillance detect` end to end, on real files."""

import csv
import datetime
import io
import math
import sys

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from cairn.surveillance.detection import detect
from cairn.surveillance.detection.cli import parse_value
from cairn.surveillance.tests.test_detection_ears import ANCHOR, CASES, RESULTS, SERIES


def write_series(path, values, *, dates=None, population=None):
    columns = (
        ["t", "observed"] + (["date"] if dates else []) + (["population"] if population else [])
    )
    lines = [",".join(columns)]
    for i, value in enumerate(values):
        row = [str(i + 1), str(value)]
        if dates:
            row.append(dates[i].isoformat())
        if population:
            row.append(str(population[i]))
        lines.append(",".join(row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(tmp_path, method, source, *args):
    out = tmp_path / "out.csv"
    err = io.StringIO()
    call_command(
        "surveillance",
        "detect",
        "--method",
        method,
        "--input",
        str(source),
        "--output",
        str(out),
        *args,
        stderr=err,
    )
    with open(out, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f)), err.getvalue()


def r_case(series, method, **control):
    """The R fixture case for that series, method and control (strings as in the CSV)."""
    for case in CASES:
        given = {k: case[k] for k in ("baseline", "minSigma", "alpha") if case[k]}
        if case["series"] == series and case["method"] == method and given == control:
            return case
    raise LookupError(series, method, control)


@pytest.mark.parametrize("method", ["C1", "C2", "C3"])
def test_anchor_series_output_matches_r(tmp_path, method):
    source = write_series(tmp_path / "anchor.csv", [int(v) for v in ANCHOR])
    rows, summary = run(tmp_path, f"ears-{method.lower()}", source)
    case = r_case("anchor", method)
    r_rows = {int(r["t"]): r for r in RESULTS[case["case"]]}
    assert [r["t"] for r in rows] == [str(t) for t in range(1, 21)]
    assert [int(r["observed"]) for r in rows] == ANCHOR
    for row in rows:
        t = int(row["t"])
        if t < int(case["first"]):
            assert row["expected"] == row["upperbound"] == row["alarm"] == ""
            continue
        assert float(row["upperbound"]) == pytest.approx(
            float(r_rows[t]["upperbound"]), rel=1e-9, abs=0
        )
        assert row["alarm"] == r_rows[t]["alarm"]
    assert summary.startswith(f"ears-{method.lower()}: 20 periods")


def test_dataset_with_parameters_matches_r(tmp_path):
    y = [int(v) for v in SERIES["m1"]]
    source = write_series(tmp_path / "m1.csv", y)
    rows, _ = run(tmp_path, "ears-c3", source, "--param", "minSigma=1")
    case = r_case("m1", "C3", minSigma="1")
    r_rows = {int(r["t"]): r for r in RESULTS[case["case"]]}
    assert len(rows) == len(y)
    for row in rows[int(case["first"]) - 1 :]:
        r = r_rows[int(row["t"])]
        assert float(row["upperbound"]) == pytest.approx(float(r["upperbound"]), rel=1e-9)
        assert row["alarm"] == r["alarm"]


def test_undefined_c3_points_are_empty(tmp_path):
    # A constant stretch gives C2 = 0/0: R's alarm is NA, the output is empty there.
    y = [int(v) for v in SERIES["constant_spikes"]]
    rows, _ = run(tmp_path, "ears-c3", write_series(tmp_path / "s.csv", y))
    case = r_case("constant_spikes", "C3")
    r_rows = {int(r["t"]): r for r in RESULTS[case["case"]]}
    na = [t for t, r in r_rows.items() if r["alarm"] == "NA"]
    assert na
    for t in na:
        assert rows[t - 1]["upperbound"] == "" and rows[t - 1]["alarm"] == ""


def test_params_are_parsed_r_style(tmp_path):
    source = write_series(tmp_path / "anchor.csv", ANCHOR)
    rows, _ = run(
        tmp_path,
        "ears-c1",
        source,
        "--param",
        "baseline=5",
        "--param",
        "alpha=1e-2",
        "--param",
        "minSigma=0.5",
    )
    expected = detect("ears-c1", ANCHOR, baseline=5, alpha=0.01, minSigma=0.5)
    assert [float(r["upperbound"]) for r in rows[5:]] == expected.upperbound[5:].tolist()
    rows, _ = run(tmp_path, "ears-c3", source, "--param", "alpha=NULL")
    assert [float(r["upperbound"]) for r in rows[11:]] == detect("ears-c3", ANCHOR).upperbound[
        11:
    ].tolist()


@pytest.mark.parametrize(
    "text, value",
    [
        ("7", 7),
        ("0.5", 0.5),
        ("1e-3", 0.001),
        ("c(5,4)", [5, 4]),
        ("c(5, 4)", [5, 4]),
        ("5,4", [5, 4]),
        ("TRUE", True),
        ("FALSE", False),
        ("T", True),
        ("NULL", None),
        ("nbPlugin", "nbPlugin"),
        ('"delta"', "delta"),
        ("'2/3'", "2/3"),
        ("Inf", math.inf),
    ],
)
def test_parse_value(text, value):
    assert parse_value(text) == value


def test_essence_method_with_dates_and_freq_day(tmp_path):
    start = datetime.date(2024, 3, 4)
    dates = [start + datetime.timedelta(days=i) for i in range(60)]
    rng = np.random.default_rng(1)
    y = rng.poisson(15, 60).tolist()
    y[50] = 45
    source = write_series(tmp_path / "daily.csv", y, dates=dates)
    for method in ("ewma", "regression", "switch"):
        rows, summary = run(tmp_path, method, source, "--freq", "day")
        result = detect(method, y, dates=dates, freq=365)
        assert len(rows) == 60
        assert rows[50]["alarm"] == "TRUE"
        assert rows[0]["alarm"] == "" and rows[0]["upperbound"] == ""
        assert [r["alarm"] == "TRUE" for r in rows] == result.alarm.tolist()
        assert float(rows[50]["expected"]) == result.expected[50]
        assert "alarm(s)" in summary


def test_stdin_and_stdout(tmp_path, monkeypatch):
    text = "t,observed\n" + "".join(f"{i + 1},{v}\n" for i, v in enumerate(ANCHOR))
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    out = io.StringIO()
    call_command(
        "surveillance",
        "detect",
        "--method",
        "ears-c2",
        "--input",
        "-",
        "--output",
        "-",
        stdout=out,
        stderr=io.StringIO(),
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 20
    assert rows[13]["alarm"] == "TRUE" and rows[12]["alarm"] == "FALSE"
    assert list(rows[0]) == ["t", "observed", "expected", "upperbound", "alarm"]


def test_extra_columns_and_column_order_are_accepted(tmp_path):
    source = tmp_path / "s.csv"
    source.write_text(
        "Observed,note,T\n" + "".join(f"{v},x,{i + 1}\n" for i, v in enumerate(ANCHOR)),
        encoding="utf-8",
    )
    rows, _ = run(tmp_path, "ears-c1", source)
    assert [r["alarm"] for r in rows if r["alarm"] == "TRUE"] == ["TRUE"] * 3


def bad(tmp_path, text, *args, method="ears-c1"):
    source = tmp_path / "bad.csv"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        run(tmp_path, method, source, *args)
    return str(raised.value)


def series_text(values, header="t,observed"):
    return header + "\n" + "".join(f"{i + 1},{v}\n" for i, v in enumerate(values))


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "bad.csv line 1: the file is empty"),
        ("t,count\n1,2\n", "bad.csv line 1: missing column(s) observed; the header is t,count"),
        ("t,observed,observed\n1,2,3\n", "line 1: column observed appears twice"),
        ("t,observed\n", "bad.csv: no data rows"),
        ("t,observed\n1,2\n2,2.5\n", "bad.csv line 3: column observed is '2.5'; expected a whole"),
        ("t,observed\n1,-1\n", "line 2: column observed is '-1'"),
        ("t,observed\n1,abc\n", "line 2: column observed is 'abc'"),
        ("t,observed\n1,\n", "line 2: column observed is ''"),
        ("t,observed\n1,2\n3,4\n", "bad.csv line 3: column t is '3', expected 2"),
        ("t,observed\n0,2\n", "line 2: column t is '0', expected 1"),
        ("t,observed\n1,2\n1,4\n", "line 3: column t is '1', expected 2"),
        ("t,observed\n1\n", "bad.csv line 2: 1 field(s), expected 2"),
        (
            "t,observed,date\n1,2,2024-13-01\n",
            "line 2: column date is '2024-13-01'; expected a date",
        ),
        (
            "t,observed,date\n1,2,2024-01-02\n2,2,2024-01-01\n",
            "line 3: date 2024-01-01 does not come after 2024-01-02",
        ),
        ("t,observed,population\n1,2,-5\n", "line 2: column population is '-5'"),
        ("t,observed,population\n1,2,\n", "line 2: column population is ''"),
    ],
)
def test_bad_input_names_line_and_column(tmp_path, text, message):
    assert message in bad(tmp_path, text)


def test_bad_bytes_are_reported(tmp_path):
    source = tmp_path / "latin1.csv"
    source.write_bytes("t,observed\n1,2\n2,\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run(tmp_path, "ears-c1", source)


def test_missing_input_file(tmp_path):
    with pytest.raises(CommandError, match=r"nope\.csv: no such file"):
        run(tmp_path, "ears-c1", tmp_path / "nope.csv")


def test_unwritable_output(tmp_path):
    source = write_series(tmp_path / "s.csv", ANCHOR)
    with pytest.raises(CommandError, match="cannot write"):
        call_command(
            "surveillance",
            "detect",
            "--method",
            "ears-c1",
            "--input",
            str(source),
            "--output",
            str(tmp_path / "missing-dir" / "out.csv"),
            stderr=io.StringIO(),
        )


@pytest.mark.parametrize(
    "method, args, message",
    [
        ("ears-c9", [], "unknown detection method 'ears-c9'; methods: ears-c1, ears-c2"),
        (
            "ears-c1",
            ["--param", "basline=3"],
            "unknown parameter 'basline' for ears-c1; valid parameters: baseline, minSigma, alpha",
        ),
        ("ears-c1", ["--param", "baseline"], "--param 'baseline': expected KEY=VALUE"),
        ("ears-c1", ["--param", "baseline="], "--param baseline: no value after '='"),
        (
            "ears-c1",
            ["--param", "alpha=0.1", "--param", "alpha=0.2"],
            "--param alpha is given twice",
        ),
        ("ears-c1", ["--param", "baseline=2"], "baseline must be at least 3"),
        ("ears-c1", ["--param", "baseline=c(5,4)"], "baseline must be a whole number, got [5, 4]"),
        ("ears-c1", ["--param", "alpha=TRUE"], "alpha must be a number, got True"),
        ("ewma", [], "ewma is an ESSENCE detector for daily counts"),
        ("ewma", ["--freq", "day"], "not enough historical data for ewma: the series has 20 days"),
    ],
)
def test_bad_method_or_parameters(tmp_path, method, args, message):
    assert message in bad(tmp_path, series_text(ANCHOR), *args, method=method)


def test_regression_without_dates_is_refused(tmp_path):
    message = bad(tmp_path, series_text([3] * 40), "--freq", "day", method="regression")
    assert "regression needs the date of every count" in message


def test_bad_freq_is_refused(tmp_path):
    with pytest.raises(CommandError, match="invalid choice: 'hour'"):
        run(tmp_path, "ears-c1", write_series(tmp_path / "s.csv", ANCHOR), "--freq", "hour")


def test_farrington_through_the_command_with_vector_and_flag_params(tmp_path):
    rng = np.random.default_rng(3)
    y = rng.poisson(6, 365).tolist()
    y[340] = 30
    population = [1000 + i for i in range(365)]
    source = write_series(tmp_path / "weekly.csv", y, population=population)
    rows, _ = run(
        tmp_path,
        "farrington-flexible",
        source,
        "--param",
        "limit54=c(5,4)",
        "--param",
        "populationOffset=TRUE",
        "--param",
        "thresholdMethod=nbPlugin",
    )
    result = detect(
        "farrington-flexible",
        y,
        population=population,
        limit54=[5, 4],
        populationOffset=True,
        thresholdMethod="nbPlugin",
    )
    assert len(rows) == 365
    assert [r["alarm"] == "TRUE" for r in rows] == result.alarm.tolist()
    assert [r["alarm"] != "" for r in rows] == result.defined.tolist()
    assert rows[340]["alarm"] == "TRUE"
    bounds = [float(r["upperbound"]) for r in rows if r["upperbound"]]
    assert bounds == result.upperbound[~np.isnan(result.upperbound)].tolist()


def test_every_method_of_the_interface_is_registered():
    from cairn.surveillance.detection import METHODS, parameter_names

    assert list(METHODS) == [
        "ears-c1",
        "ears-c2",
        "ears-c3",
        "farrington-flexible",
        "farrington",
        "ewma",
        "regression",
        "switch",
    ]
    assert {"b", "w", "limit54", "noPeriods", "pastWeeksNotIncluded", "thresholdMethod"} <= set(
        parameter_names("farrington-flexible")
    )


def test_a_method_whose_module_is_missing_is_reported_not_crashed():
    from cairn.surveillance.detection import DetectionParameterError, _LazyMethod

    missing = _LazyMethod("later", "cairn.surveillance.detection.not_written_yet", "later")
    with pytest.raises(DetectionParameterError, match="'later' is not available"):
        missing([1, 2, 3])
