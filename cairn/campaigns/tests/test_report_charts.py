"""The report's SVG charts: the campaign band, gaps for suppressed periods, escaped text."""

import datetime as dt
import re

from cairn.campaigns.report.charts import interval_chart_svg, outcome_chart_svg

MONTHS = [dt.date(2025, m, 1) for m in range(1, 13)]


def test_the_campaign_months_are_one_shaded_band_and_suppressed_months_are_gaps():
    svg = outcome_chart_svg(
        periods=MONTHS,
        observed=[10, 12, None, 14, 9, 8, 7, 9, None, 11, 10, 12],
        title="ED visits for a drug overdose, Prince George",
        y_label="ED visits",
        band=(4, 6),
    )
    assert svg.count('class="campaign-band"') == 1
    assert "The campaign ran from May 2025 to July 2025 (shaded)." in svg
    assert "2 periods not shown (small counts hidden)." in svg
    path = re.search(r'class="observed" d="([^"]+)"', svg).group(1)
    assert path.count("M") == 3  # three runs of counted months between the two gaps
    assert 'data-period="2025-03-01"' not in svg  # no point for a suppressed month


def test_the_fitted_and_carried_on_trends_are_drawn_and_described():
    svg = outcome_chart_svg(
        periods=MONTHS,
        observed=list(range(10, 22)),
        title="t",
        y_label="visits",
        band=(6, 8),
        fitted=[float(v) for v in range(10, 22)],
        counterfactual=[float(v) for v in range(10, 22)],
    )
    assert 'class="fitted"' in svg and 'class="counterfactual"' in svg
    assert "an association, not proof of an effect" in svg


def test_text_is_escaped():
    svg = outcome_chart_svg(
        periods=MONTHS[:2], observed=[1, 2], title="<script>x</script>", y_label="a & b"
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b" in svg


def test_intervals_are_described_in_words_with_no_difference_marked():
    svg = interval_chart_svg(
        rows=[("Total score: after vs before", -0.26, -0.40, -0.11)],
        title="Differences",
        axis_label="Difference in mean score",
    )
    assert "Total score: after vs before: -0.26 (95% CI -0.40 to -0.11)." in svg
    assert 'stroke-dasharray="4 3"' in svg  # the line of no difference


def test_no_periods_say_so():
    assert "No data for this period." in outcome_chart_svg(
        periods=[], observed=[], title="t", y_label="v"
    )


def test_labels_near_the_right_edge_stay_inside_the_chart():
    svg = outcome_chart_svg(
        periods=MONTHS, observed=list(range(12)), title="t", y_label="v", band=(11, 11)
    )
    assert 'text-anchor="end" fill="#1c2626">Campaign</text>' in svg
    assert 'text-anchor="end" fill="#1c2626">Dec 2025</text>' in svg or "Dec 2025" not in svg
