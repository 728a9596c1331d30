"""Time-series charts drawn on the server as inline, accessible SVG.

No JavaScript and no external assets: `series_chart_svg` returns one self-contained
``<svg role="img">`` with a <title> and a <desc> that says in words what the chart shows
(so a screen reader hears the figures), the observed counts as a line, the expected count as
a line with a shaded band up to the upper bound, and alarm points marked. A period whose count
is None (suppressed, or not reported) is a gap in the line, never a zero.

Colours are presentation attributes so the chart reads the same without any stylesheet;
classes let a page's CSS restyle it. All text is escaped, so the result is safe to mark_safe.
"""

import datetime
import hashlib
import math
from collections.abc import Sequence
from html import escape

WIDTH = 720.0
HEIGHT = 300.0
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56.0, 16.0, 34.0, 44.0
MAX_POINT_MARKERS = 160  # above this, only alarm points get a marker (keeps the SVG small)

OBSERVED_COLOUR = "#0b6a6d"  # Cairn accent, 6:1 on white
EXPECTED_COLOUR = "#4a5857"
BAND_COLOUR = "#c9ddd9"
ALARM_COLOUR = "#b3261e"  # 6.5:1 on white
GRID_COLOUR = "#d5dbd6"
TEXT_COLOUR = "#1c2626"


def _as_float_list(values, name: str, n: int) -> list[float | None] | None:
    """None, or a list of floats with None where missing (None or NaN)."""
    if values is None:
        return None
    values = list(values)
    if len(values) != n:
        raise ValueError(f"series_chart_svg: {name} has {len(values)} values but periods has {n}")
    out: list[float | None] = []
    for i, value in enumerate(values):
        if value is None:
            out.append(None)
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"series_chart_svg: {name}[{i}] is {value!r}, not a number or None"
            ) from None
        out.append(None if math.isnan(number) or math.isinf(number) else number)
    return out


def nice_ceiling(value: float) -> tuple[float, float]:
    """A round upper limit at or above `value` and the tick step that divides it (~4-6 ticks)."""
    if value <= 0:
        return 1.0, 1.0
    raw_step = value / 5
    magnitude = 10 ** math.floor(math.log10(raw_step))
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if step >= raw_step:
            break
    if step < 1:
        step = 1.0  # counts: never a tick at 0.5 events
    top = math.ceil(value / step) * step
    return float(top), float(step)


def _period_kind(periods: list[datetime.date]) -> str:
    if len(periods) < 2:
        return "week"
    gaps = sorted((b - a).days for a, b in zip(periods, periods[1:], strict=False))
    gap = gaps[len(gaps) // 2]
    if gap <= 1:
        return "day"
    if gap <= 7:
        return "week"
    if gap <= 31:
        return "month"
    return "year"


def period_label(day: datetime.date, kind: str) -> str:
    """How a period is named in words: '4 Mar 2024', 'week of 4 Mar 2024', 'March 2024'."""
    if kind == "year":
        return str(day.year)
    if kind == "month":
        return f"{day:%B %Y}"
    text = f"{day.day} {day:%b %Y}"
    return f"week of {text}" if kind == "week" else text


def _tick_label(day: datetime.date, kind: str) -> str:
    if kind == "year":
        return str(day.year)
    if kind == "month":
        return f"{day:%b %Y}"
    return f"{day.day} {day:%b %Y}"


def coord(value: float) -> str:
    """A coordinate as SVG text: one decimal, none when whole."""
    return f"{value:.1f}".removesuffix(".0")


def _number(value: float | None) -> str:
    if value is None:
        return "not shown"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _segments(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Split a list of points at None into runs of consecutive points."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for point in points:
        if point is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point)
    if current:
        runs.append(current)
    return runs


def _line_path(runs: list[list[tuple[float, float]]]) -> str:
    return "".join(
        "M" + "L".join(f"{coord(x)},{coord(y)}" for x, y in run) for run in runs if len(run) > 1
    )


def gapped_path(points: list[tuple[float, float] | None]) -> str:
    """An SVG path through the points, broken where a point is None (a gap, never a zero)."""
    return _line_path(_segments(points))


def _chart_id(title: str, periods, observed) -> str:
    digest = hashlib.blake2s(
        repr((title, periods[:1], periods[-1:], list(observed)[:50])).encode(), digest_size=4
    )
    return "chart-" + digest.hexdigest()


def _describe(
    *,
    periods: list[datetime.date],
    kind: str,
    observed: list[float | None],
    expected: list[float | None] | None,
    upperbound: list[float | None] | None,
    alarm_indexes: list[int],
    y_label: str,
) -> str:
    unit = {"day": "Daily", "week": "Weekly", "month": "Monthly", "year": "Yearly"}[kind]
    text = (
        f"{unit} {y_label} from {period_label(periods[0], kind)} "
        f"to {period_label(periods[-1], kind)}."
    )
    shown = [v for v in observed if v is not None]
    if shown:
        text += f" Highest: {_number(max(shown))}. Total shown: {_number(sum(shown))}."
    last = len(periods) - 1
    text += f" Latest ({period_label(periods[last], kind)}): {_number(observed[last])}"
    if expected is not None and expected[last] is not None:
        text += f", expected {_number(expected[last])}"
    if upperbound is not None and upperbound[last] is not None:
        text += f", upper bound {_number(upperbound[last])}"
    text += "."
    if alarm_indexes:
        listed = ", ".join(period_label(periods[i], kind) for i in alarm_indexes[-5:])
        more = " (latest five)" if len(alarm_indexes) > 5 else ""
        text += f" {len(alarm_indexes)} above the upper bound{more}: {listed}."
    elif expected is not None or upperbound is not None:
        text += " None above the upper bound."
    gaps = sum(1 for v in observed if v is None)
    if gaps:
        text += f" {gaps} period{'s' if gaps != 1 else ''} not shown (counts of 1 to 4 hidden)."
    return text


def series_chart_svg(
    *,
    periods: list[datetime.date],
    observed: Sequence[int | None],
    expected=None,
    upperbound=None,
    alarms=None,
    title: str,
    y_label: str = "events",
    chart_id: str | None = None,
) -> str:
    """An accessible SVG line chart of a count series with its expected band and alarms.

    `expected`, `upperbound` and `alarms` are optional sequences the length of `periods`
    (NaN or None where undefined). A None in `observed` is drawn as a gap. Returns markup
    in which every piece of text is escaped; `chart_id` (made from the inputs when not
    given) prefixes the ids the <title>/<desc> references use.
    """
    periods = list(periods)
    n = len(periods)
    observed_values = _as_float_list(observed, "observed", n) or []
    expected_values = _as_float_list(expected, "expected", n)
    upper_values = _as_float_list(upperbound, "upperbound", n)
    alarm_flags = [False] * n
    if alarms is not None:
        alarms = list(alarms)
        if len(alarms) != n:
            raise ValueError(
                f"series_chart_svg: alarms has {len(alarms)} values but periods has {n}"
            )
        alarm_flags = [bool(a) and observed_values[i] is not None for i, a in enumerate(alarms)]
    chart_id = chart_id or _chart_id(title, periods, observed_values)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    open_tag = (
        f'<svg class="series-chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH:g} {HEIGHT:g}" '
        f'role="img" aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">'
        f'<title id="{escape(title_id)}">{escape(title)}</title>'
    )
    if n == 0:
        return (
            f'{open_tag}<desc id="{escape(desc_id)}">No periods to show.</desc>'
            f'<text x="{WIDTH / 2:g}" y="{HEIGHT / 2:g}" text-anchor="middle" '
            f'fill="{TEXT_COLOUR}">No data for this period.</text></svg>'
        )

    kind = _period_kind(periods)
    alarm_indexes = [i for i, flag in enumerate(alarm_flags) if flag]
    candidates = [v for v in observed_values if v is not None]
    for series in (expected_values, upper_values):
        if series is not None:
            candidates.extend(v for v in series if v is not None)
    top, step = nice_ceiling(max(candidates, default=0.0))

    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    bottom = PAD_TOP + plot_h

    def x_at(i: int) -> float:
        return PAD_LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_at(value: float) -> float:
        return bottom - plot_h * max(0.0, min(value, top)) / top

    parts = [open_tag]
    parts.append(
        f'<desc id="{escape(desc_id)}">'
        + escape(
            _describe(
                periods=periods,
                kind=kind,
                observed=observed_values,
                expected=expected_values,
                upperbound=upper_values,
                alarm_indexes=alarm_indexes,
                y_label=y_label,
            )
        )
        + "</desc>"
    )

    # Grid and y axis.
    parts.append('<g class="axis axis-y" aria-hidden="true">')
    tick = 0.0
    while tick <= top + 1e-9:
        y = y_at(tick)
        parts.append(
            f'<line x1="{PAD_LEFT:g}" x2="{WIDTH - PAD_RIGHT:g}" y1="{coord(y)}" y2="{coord(y)}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text x="{PAD_LEFT - 6:g}" y="{coord(y + 4)}" text-anchor="end" '
            f'fill="{TEXT_COLOUR}">{_number(tick)}</text>'
        )
        tick += step
    parts.append(
        f'<text transform="translate(14 {coord(PAD_TOP + plot_h / 2)}) rotate(-90)" '
        f'text-anchor="middle" fill="{TEXT_COLOUR}">{escape(y_label)}</text></g>'
    )

    # X axis: about six labelled ticks.
    parts.append('<g class="axis axis-x" aria-hidden="true">')
    label_every = max(1, math.ceil(n / 6))
    for i in range(0, n, label_every):
        x = x_at(i)
        parts.append(
            f'<line x1="{coord(x)}" x2="{coord(x)}" y1="{coord(bottom)}" y2="{coord(bottom + 5)}" '
            f'stroke="{EXPECTED_COLOUR}"/>'
            f'<text x="{coord(x)}" y="{coord(bottom + 18)}" text-anchor="middle" '
            f'fill="{TEXT_COLOUR}">{escape(_tick_label(periods[i], kind))}</text>'
        )
    parts.append(
        f'<line x1="{PAD_LEFT:g}" x2="{WIDTH - PAD_RIGHT:g}" y1="{coord(bottom)}" '
        f'y2="{coord(bottom)}" stroke="{EXPECTED_COLOUR}"/></g>'
    )

    # Band from the expected count (or zero) up to the upper bound.
    if upper_values is not None:
        lower = expected_values or [0.0] * n
        band_points = [
            (x_at(i), y_at(upper_values[i]), y_at(lower[i]))
            if upper_values[i] is not None and lower[i] is not None
            else None
            for i in range(n)
        ]
        band_runs: list[list[tuple[float, float, float]]] = []
        current: list[tuple[float, float, float]] = []
        for point in band_points:
            if point is None:
                if current:
                    band_runs.append(current)
                current = []
            else:
                current.append(point)
        if current:
            band_runs.append(current)
        band_d = ""
        for run in band_runs:
            if len(run) == 1:  # a single defined period: a thin bar a tenth of the spacing wide
                x, y_hi, y_lo = run[0]
                half = max(1.5, plot_w / max(n - 1, 1) / 10)
                run = [(x - half, y_hi, y_lo), (x + half, y_hi, y_lo)]
            top_edge = "L".join(f"{coord(x)},{coord(hi)}" for x, hi, _ in run)
            bottom_edge = "L".join(f"{coord(x)},{coord(lo)}" for x, _, lo in reversed(run))
            band_d += f"M{top_edge}L{bottom_edge}Z"
        if band_d:
            parts.append(
                f'<path class="band" d="{band_d}" fill="{BAND_COLOUR}" fill-opacity="0.8" '
                f'stroke="none"/>'
            )
        upper_d = _line_path(
            _segments(
                [(x_at(i), y_at(v)) if v is not None else None for i, v in enumerate(upper_values)]
            )
        )
        if upper_d:
            parts.append(
                f'<path class="upperbound" d="{upper_d}" fill="none" stroke="{EXPECTED_COLOUR}" '
                f'stroke-width="1" stroke-dasharray="4 3"/>'
            )
    if expected_values is not None:
        expected_d = _line_path(
            _segments(
                [
                    (x_at(i), y_at(v)) if v is not None else None
                    for i, v in enumerate(expected_values)
                ]
            )
        )
        if expected_d:
            parts.append(
                f'<path class="expected" d="{expected_d}" fill="none" stroke="{EXPECTED_COLOUR}" '
                f'stroke-width="1.5"/>'
            )

    # Observed line; isolated points (a gap each side) get a dot so they stay visible.
    observed_points = [
        (x_at(i), y_at(v)) if v is not None else None for i, v in enumerate(observed_values)
    ]
    runs = _segments(observed_points)
    observed_d = _line_path(runs)
    if observed_d:
        parts.append(
            f'<path class="observed" d="{observed_d}" fill="none" stroke="{OBSERVED_COLOUR}" '
            f'stroke-width="2" stroke-linejoin="round"/>'
        )
    for run in runs:
        if len(run) == 1:
            x, y = run[0]
            parts.append(
                f'<circle class="observed-point" cx="{coord(x)}" cy="{coord(y)}" r="2.5" '
                f'fill="{OBSERVED_COLOUR}"/>'
            )

    # Point markers with a tooltip each (all points for short series, alarms always).
    marked = range(n) if n <= MAX_POINT_MARKERS else alarm_indexes
    parts.append('<g class="points">')
    for i in marked:
        value = observed_values[i]
        if value is None:
            continue
        tip = f"{period_label(periods[i], kind)}: {_number(value)} {y_label}"
        if expected_values is not None and expected_values[i] is not None:
            tip += f", expected {_number(expected_values[i])}"
        if upper_values is not None and upper_values[i] is not None:
            tip += f", upper bound {_number(upper_values[i])}"
        if alarm_flags[i]:
            tip += " (above the upper bound)"
            attrs = f'class="alarm" r="5" fill="{ALARM_COLOUR}" stroke="#ffffff" stroke-width="1.5"'
        else:
            attrs = 'class="point" r="4" fill="transparent"'
        parts.append(
            f'<circle {attrs} cx="{coord(x_at(i))}" cy="{coord(y_at(value))}" '
            f'data-period="{periods[i].isoformat()}" data-value="{_number(value)}">'
            f"<title>{escape(tip)}</title></circle>"
        )
    parts.append("</g>")

    # Legend along the top.
    legend = [
        f'<line x1="0" x2="18" y1="0" y2="0" stroke="{OBSERVED_COLOUR}" stroke-width="2"/>'
        f'<text x="24" y="4" fill="{TEXT_COLOUR}">Observed</text>'
    ]
    offset = 96
    if expected_values is not None:
        legend.append(
            f'<line x1="{offset}" x2="{offset + 18}" y1="0" y2="0" stroke="{EXPECTED_COLOUR}" '
            f'stroke-width="1.5"/><text x="{offset + 24}" y="4" fill="{TEXT_COLOUR}">'
            "Expected</text>"
        )
        offset += 92
    if upper_values is not None:
        legend.append(
            f'<rect x="{offset}" y="-6" width="18" height="12" fill="{BAND_COLOUR}"/>'
            f'<text x="{offset + 24}" y="4" fill="{TEXT_COLOUR}">Expected range '
            "(up to the upper bound)</text>"
        )
        offset += 290
    if alarm_indexes:
        legend.append(
            f'<circle cx="{offset + 6}" cy="0" r="5" fill="{ALARM_COLOUR}"/>'
            f'<text x="{offset + 16}" y="4" fill="{TEXT_COLOUR}">Above the upper bound</text>'
        )
    parts.append(
        f'<g class="legend" aria-hidden="true" transform="translate({PAD_LEFT:g} 14)">'
        + "".join(legend)
        + "</g>"
    )
    parts.append("</svg>")
    return "".join(parts)
