"""A small interval plot per row, as inline SVG. Pure Python: all text is escaped.

Each row gets the same horizontal scale (0 to the largest upper limit shown), so the
column reads as a forest plot: a line for the 95% interval of the smoothed rate, a dot
at the smoothed rate, a hollow ring at the crude rate (left out when off the scale; the
label still gives it), and a dashed tick at the average of the region the rate is
smoothed toward. An interval running off the scale ends in an arrowhead.
"""

from html import escape

WIDTH = 120
HEIGHT = 18
PAD = 4


def axis_maximum(values: list[float | None]) -> float:
    """A round upper end for the shared scale."""
    top = max([v for v in values if v is not None] or [1.0])
    for power in range(0, 9):
        for step in (1, 2, 2.5, 5):
            candidate = step * 10**power
            if candidate >= top:
                return float(candidate)
    return float(top)


def _x(value: float, maximum: float) -> float:
    value = min(max(value, 0.0), maximum)
    return round(PAD + (WIDTH - 2 * PAD) * value / maximum, 2)


def interval_svg(
    *,
    rate: float,
    low: float,
    high: float,
    crude: float | None,
    region_mean: float | None,
    maximum: float,
) -> str:
    """One row's plot; the label says in words what the picture shows."""
    label = (
        f"Smoothed rate {rate:.1f} per 100,000, 95% interval {low:.1f} to {high:.1f}"
        + (f"; crude rate {crude:.1f}" if crude is not None else "")
        + (f"; regional average {region_mean:.1f}" if region_mean is not None else "")
    )
    middle = HEIGHT / 2
    parts = [
        f'<svg class="interval-plot" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
    ]
    if region_mean is not None:
        x = _x(region_mean, maximum)
        parts.append(
            f'<line class="region-mean" x1="{x}" x2="{x}" y1="2" y2="{HEIGHT - 2}" '
            'stroke="#9aa8a3" stroke-width="1" stroke-dasharray="2 2"/>'
        )
    parts.append(
        f'<line x1="{_x(low, maximum)}" x2="{_x(high, maximum)}" y1="{middle}" y2="{middle}" '
        'stroke="#0e4f52" stroke-width="2" stroke-linecap="round"/>'
    )
    if high > maximum:
        tip = WIDTH - 1
        parts.append(
            f'<path d="M{tip - 5} {middle - 4} L{tip} {middle} L{tip - 5} {middle + 4}" '
            'fill="#0e4f52"/>'
        )
    if crude is not None and crude <= maximum:
        parts.append(
            f'<circle cx="{_x(crude, maximum)}" cy="{middle}" r="3" fill="none" '
            'stroke="#6b3d00" stroke-width="1.2"/>'
        )
    parts.append(f'<circle cx="{_x(rate, maximum)}" cy="{middle}" r="3.5" fill="#0e4f52"/>')
    parts.append("</svg>")
    return "".join(parts)
