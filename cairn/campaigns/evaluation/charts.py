"""Two small inline SVG charts for survey results. Pure Python; every text is escaped.

- `means_chart_svg`: the mean score of each wave or group as a dot with its 95% interval
  as a line, on the instrument's scale (1 to 5, say), one row per group.
- `differences_chart_svg`: a forest plot of differences (everyone, then each segment),
  each a dot with its interval, around a dashed line at zero (no difference).

Each chart carries a title and an aria-label that say in words what it shows, and a
withheld group is drawn as a row with its reason instead of a dot.
"""

import math
from html import escape

WIDTH = 560
LABEL = 200
ROW = 26
PAD = 12
INK = "#0e4f52"
MUTED = "#6b7773"


def _fmt(value: float) -> str:
    return f"{value:.2f}".replace("-", "−")


def _scale(low: float, high: float):
    span = high - low or 1.0

    def x(value: float) -> float:
        value = min(max(value, low), high)
        return round(LABEL + (WIDTH - LABEL - PAD) * (value - low) / span, 1)

    return x


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    if span <= 0:
        return [low]
    raw = span / 4
    step = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * step:
            step *= factor
            break
    first = math.ceil(low / step) * step
    ticks, value = [], first
    while value <= high + 1e-9:
        ticks.append(round(value, 6))
        value += step
    return ticks


def _frame(title: str, rows: int, low: float, high: float, x) -> list[str]:
    height = PAD + rows * ROW + 24
    parts = [
        f'<svg class="results-chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    axis_y = PAD + rows * ROW
    parts.append(
        f'<line x1="{LABEL}" x2="{WIDTH - PAD}" y1="{axis_y}" y2="{axis_y}" stroke="{MUTED}"/>'
    )
    for tick in _ticks(low, high):
        tx = x(tick)
        parts.append(
            f'<line x1="{tx}" x2="{tx}" y1="{axis_y}" y2="{axis_y + 4}" stroke="{MUTED}"/>'
            f'<text x="{tx}" y="{axis_y + 16}" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">{escape(_fmt(tick).rstrip("0").rstrip("."))}</text>'
        )
    return parts


def _row(parts, index, label, x, estimate, low, high, reason=""):
    y = PAD + index * ROW + ROW / 2
    parts.append(
        f'<text x="{LABEL - 8}" y="{y + 4}" font-size="12" text-anchor="end">{escape(label)}</text>'
    )
    if estimate is None:
        parts.append(
            f'<text x="{LABEL + 4}" y="{y + 4}" font-size="11" fill="{MUTED}">'
            f"{escape(reason)}</text>"
        )
        return
    parts.append(
        f'<line x1="{x(low)}" x2="{x(high)}" y1="{y}" y2="{y}" stroke="{INK}" '
        'stroke-width="2" stroke-linecap="round"/>'
    )
    parts.append(f'<circle cx="{x(estimate)}" cy="{y}" r="4.5" fill="{INK}"/>')


def _bounds(values: list[float], low: float | None, high: float | None) -> tuple[float, float]:
    if low is not None and high is not None and high > low:
        lower, upper = float(low), float(high)
        if values:  # a sum-scored measure can run outside the option values
            lower, upper = min(lower, min(values)), max(upper, max(values))
        return lower, upper
    if not values:
        return 0.0, 1.0
    lower, upper = min(values), max(values)
    margin = (upper - lower) * 0.1 or 0.5
    return lower - margin, upper + margin


def means_chart_svg(groups, *, measure_name: str, scale_low=None, scale_high=None) -> str:
    """Mean score per wave or group with its 95% interval."""
    shown = [g for g in groups if not g.withheld]
    words = "; ".join(
        f"{g.label}: {_fmt(g.mean)} ({_fmt(g.low)} to {_fmt(g.high)}, n={g.n})"
        if not g.withheld
        else f"{g.label}: too few responses"
        for g in groups
    )
    title = f"{measure_name}, mean with 95% confidence interval. {words}"
    low, high = _bounds([v for g in shown for v in (g.low, g.high)], scale_low, scale_high)
    x = _scale(low, high)
    parts = _frame(title, len(groups), low, high, x)
    for index, group in enumerate(groups):
        label = f"{group.label} (n={group.n})"
        if group.withheld:
            _row(parts, index, label, x, None, None, None, "Too few responses to show")
        else:
            _row(parts, index, label, x, group.mean, group.low, group.high)
    parts.append("</svg>")
    return "".join(parts)


def differences_chart_svg(results, *, title: str) -> str:
    """Differences with their intervals around zero: everyone first, then each segment."""
    shown = [r for r in results if not r.withheld]
    values = [0.0, *[v for r in shown for v in (r.low, r.high)]]
    top = max(abs(v) for v in values) or 1.0
    low, high = -top * 1.1, top * 1.1
    words = "; ".join(
        f"{r.segment_label}: {_fmt(r.estimate)} ({_fmt(r.low)} to {_fmt(r.high)})"
        if not r.withheld
        else f"{r.segment_label}: too few responses"
        for r in results
    )
    x = _scale(low, high)
    parts = _frame(f"{title}. {words}", len(results), low, high, x)
    zero = x(0.0)
    parts.append(
        f'<line x1="{zero}" x2="{zero}" y1="{PAD / 2}" y2="{PAD + len(results) * ROW}" '
        f'stroke="{MUTED}" stroke-dasharray="3 3"/>'
    )
    for index, result in enumerate(results):
        if result.withheld:
            _row(parts, index, result.segment_label, x, None, None, None, "Too few responses")
        else:
            _row(parts, index, result.segment_label, x, result.estimate, result.low, result.high)
    parts.append("</svg>")
    return "".join(parts)
