"""The series chart: accessible, escaped, gaps for suppressed periods, band and alarms drawn."""

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET

import pytest

from cairn.surveillance.dashboards.charts import nice_ceiling, series_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def weeks(n, start=dt.date(2024, 1, 1)):
    return [start + dt.timedelta(weeks=i) for i in range(n)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # also proves the markup is well-formed XML


def test_chart_is_an_accessible_image_with_title_and_description():
    svg = series_chart_svg(periods=weeks(4), observed=[3, 8, 6, 12], title="Opioid events")
    root = parse(svg)
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Opioid events"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert desc.text.startswith("Weekly events from week of 1 Jan 2024 to week of 22 Jan 2024.")
    assert "Highest: 12. Total shown: 29." in desc.text
    assert "Latest (week of 22 Jan 2024): 12." in desc.text


def test_text_is_escaped():
    svg = series_chart_svg(
        periods=weeks(2),
        observed=[1, 2],
        title='<script>alert("x")</script> & co',
        y_label="<b>visits</b>",
    )
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & co'


def test_suppressed_periods_are_gaps_not_zeros():
    svg = series_chart_svg(periods=weeks(5), observed=[10, 12, None, 9, 11], title="t")
    root = parse(svg)
    observed = root.find(f".//{SVG}path[@class='observed']")
    # Two runs of the line: periods 0-1 and 3-4, so two "M" commands.
    assert observed.get("d").count("M") == 2
    points = root.findall(f".//{SVG}circle[@class='point']")
    assert [p.get("data-period") for p in points] == [
        "2024-01-01",
        "2024-01-08",
        "2024-01-22",
        "2024-01-29",
    ]
    assert "1 period not shown" in root.find(f"{SVG}desc").text


def test_isolated_point_between_gaps_gets_a_dot():
    svg = series_chart_svg(periods=weeks(3), observed=[None, 7, None], title="t")
    root = parse(svg)
    assert root.find(f".//{SVG}path[@class='observed']") is None
    assert len(root.findall(f".//{SVG}circle[@class='observed-point']")) == 1


def test_band_expected_line_and_alarm_points():
    nan = math.nan
    svg = series_chart_svg(
        periods=weeks(6),
        observed=[5, 6, 7, 5, 20, 6],
        expected=[nan, nan, 6.0, 6.0, 6.0, 7.5],
        upperbound=[nan, nan, 9.0, 9.0, 9.0, 11.25],
        alarms=[False, False, False, False, True, False],
        title="Fentanyl",
    )
    root = parse(svg)
    band = root.find(f".//{SVG}path[@class='band']")
    assert band is not None and band.get("d").endswith("Z")
    assert root.find(f".//{SVG}path[@class='expected']") is not None
    assert root.find(f".//{SVG}path[@class='upperbound']") is not None
    alarms = root.findall(f".//{SVG}circle[@class='alarm']")
    assert [a.get("data-period") for a in alarms] == ["2024-01-29"]
    assert alarms[0].find(f"{SVG}title").text == (
        "week of 29 Jan 2024: 20 events, expected 6, upper bound 9 (above the upper bound)"
    )
    desc = root.find(f"{SVG}desc").text
    assert "expected 7.5, upper bound 11.2" in desc  # latest period, one decimal
    assert "1 above the upper bound: week of 29 Jan 2024." in desc


def test_alarm_on_a_suppressed_point_is_not_drawn():
    svg = series_chart_svg(
        periods=weeks(3), observed=[5, None, 6], alarms=[False, True, False], title="t"
    )
    assert 'class="alarm"' not in svg


def test_y_axis_reaches_the_upper_bound_and_uses_whole_numbers():
    svg = series_chart_svg(
        periods=weeks(3), observed=[1, 2, 3], upperbound=[7.2, 7.2, 7.2], title="t"
    )
    labels = [t.text for t in parse(svg).findall(f".//{SVG}g[@class='axis axis-y']/{SVG}text")]
    numbers = [int(x) for x in labels if x and x.isdigit()]
    assert max(numbers) >= 7.2
    assert numbers == sorted(numbers) and all(isinstance(n, int) for n in numbers)


@pytest.mark.parametrize(
    ("value", "top", "step"), [(0, 1, 1), (3, 3, 1), (7.2, 8, 2), (97, 100, 20), (1234, 1250, 250)]
)
def test_nice_ceiling(value, top, step):
    assert nice_ceiling(value) == (top, step)


def test_monthly_and_daily_labels():
    months = [dt.date(2024, m, 1) for m in range(1, 7)]
    svg = series_chart_svg(periods=months, observed=[1, 2, 3, 4, 5, 6], title="t")
    assert "Monthly events from January 2024 to June 2024." in svg
    days = [dt.date(2024, 3, 1) + dt.timedelta(days=i) for i in range(10)]
    svg = series_chart_svg(periods=days, observed=list(range(10)), title="t")
    assert "Daily events from 1 Mar 2024 to 10 Mar 2024." in svg


def test_long_series_marks_only_alarms():
    n = 400
    days = [dt.date(2022, 1, 1) + dt.timedelta(days=i) for i in range(n)]
    alarms = [i == 300 for i in range(n)]
    svg = series_chart_svg(periods=days, observed=[5] * n, alarms=alarms, title="t")
    assert len(re.findall(r"<circle class=\"point\"", svg)) == 0
    assert len(re.findall(r"<circle class=\"alarm\"", svg)) == 1


def test_empty_series_says_so():
    svg = series_chart_svg(periods=[], observed=[], title="Nothing")
    assert "No data for this period." in svg
    parse(svg)


def test_mismatched_lengths_raise_a_clear_error():
    with pytest.raises(ValueError, match="expected has 2 values but periods has 3"):
        series_chart_svg(periods=weeks(3), observed=[1, 2, 3], expected=[1, 2], title="t")
    with pytest.raises(ValueError, match=r"observed\[1\] is 'x'"):
        series_chart_svg(periods=weeks(3), observed=[1, "x", 3], title="t")
