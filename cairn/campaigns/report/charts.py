"""Charts of the campaign report, drawn on the server as inline, accessible SVG.

- `outcome_chart_svg`: a count series with the campaign's period as a shaded band, and,
  when an estimate was made, the fitted trend and the trend before the start carried on
  (dashed). A suppressed period is a gap, never a zero.
- `interval_chart_svg`: estimates with their 95% intervals as horizontal bars around a
  reference line (survey differences between waves or groups).

Same conventions as `cairn.surveillance.dashboards.charts`: one <svg role="img"> with a
<title> and a <desc> saying in words what it shows, colours as presentation attributes,
every piece of text escaped (safe to mark_safe).
"""

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from html import escape

from cairn.surveillance.dashboards.charts import (
    coord,
    gapped_path,
    nice_ceiling,
    period_label,
)

WIDTH, HEIGHT = 720.0, 300.0
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56.0, 16.0, 34.0, 44.0
OBSERVED = "#0b6a6d"
FITTED = "#4a5857"
BAND = "#f3e3b5"
GRID = "#d5dbd6"
TEXT = "#1c2626"
ESTIMATE = "#0b6a6d"


def _number(value) -> str:
    if value is None:
        return "not shown"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def _chart_id(*parts) -> str:
    return "chart-" + hashlib.blake2s(repr(parts).encode(), digest_size=4).hexdigest()


def _open(chart_id: str, title: str, desc: str, height: float = HEIGHT) -> str:
    return (
        f'<svg class="series-chart campaign-chart" id="{chart_id}" viewBox="0 0 {WIDTH:g} '
        f'{height:g}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _band_label(left: float, right: float) -> str:
    """ "Campaign" at the band's top left, or ending at its right edge when the band is
    near the chart's right edge, so it is never cut off."""
    y = coord(PAD_TOP + 14)
    if left + 4 + 62 > WIDTH - 2:
        x = coord(right - 4)
        return f'<text x="{x}" y="{y}" text-anchor="end" fill="{TEXT}">Campaign</text>'
    return f'<text x="{coord(left + 4)}" y="{y}" fill="{TEXT}">Campaign</text>'


def outcome_chart_svg(
    *,
    periods: list[dt.date],
    observed: Sequence[int | None],
    title: str,
    y_label: str,
    kind: str = "month",
    band: tuple[int, int] | None = None,
    fitted: Sequence[float] | None = None,
    counterfactual: Sequence[float] | None = None,
) -> str:
    """The series with the campaign's periods (`band`: first and last index) shaded."""
    n = len(periods)
    chart_id = _chart_id(title, periods[:1], list(observed)[:40])
    if n == 0:
        return (
            _open(chart_id, title, "No periods to show.")
            + f'<text x="{WIDTH / 2:g}" y="{HEIGHT / 2:g}" text-anchor="middle" fill="{TEXT}">'
            "No data for this period.</text></svg>"
        )
    shown = [v for v in observed if v is not None]
    candidates = [*shown, *(fitted or []), *(counterfactual or [])]
    top, step = nice_ceiling(max(candidates, default=0.0))
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    bottom = PAD_TOP + plot_h
    spacing = plot_w / max(n - 1, 1)

    def x_at(i: float) -> float:
        return PAD_LEFT + (spacing * i if n > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return bottom - plot_h * max(0.0, min(float(v), top)) / top

    desc = (
        f"{'Weekly' if kind == 'week' else 'Monthly'} {y_label} from "
        f"{period_label(periods[0], kind)} to {period_label(periods[-1], kind)}."
    )
    if shown:
        desc += f" Highest: {_number(max(shown))}."
    if band is not None:
        desc += (
            f" The campaign ran from {period_label(periods[band[0]], kind)} to "
            f"{period_label(periods[band[1]], kind)} (shaded)."
        )
    if fitted is not None:
        desc += (
            " The solid grey line is the fitted trend; the dashed line carries on the trend "
            "before the campaign. The difference is an association, not proof of an effect."
        )
    gaps = sum(1 for v in observed if v is None)
    if gaps:
        desc += f" {gaps} period{'s' if gaps != 1 else ''} not shown (small counts hidden)."
    parts = [_open(chart_id, title, desc)]

    if band is not None:
        left = x_at(band[0]) - spacing / 2
        right = x_at(band[1]) + spacing / 2
        left, right = max(left, PAD_LEFT), min(right, WIDTH - PAD_RIGHT)
        parts.append(
            f'<rect class="campaign-band" x="{coord(left)}" y="{PAD_TOP:g}" '
            f'width="{coord(max(right - left, 2))}" height="{coord(plot_h)}" fill="{BAND}"/>'
            + _band_label(left, right)
        )

    parts.append('<g class="axis" aria-hidden="true">')
    tick = 0.0
    while tick <= top + 1e-9:
        y = y_at(tick)
        parts.append(
            f'<line x1="{PAD_LEFT:g}" x2="{WIDTH - PAD_RIGHT:g}" y1="{coord(y)}" y2="{coord(y)}" '
            f'stroke="{GRID}"/><text x="{PAD_LEFT - 6:g}" y="{coord(y + 4)}" text-anchor="end" '
            f'fill="{TEXT}">{_number(tick)}</text>'
        )
        tick += step
    every = max(1, math.ceil(n / 6))
    for i in range(0, n, every):
        label = f"{periods[i]:%b %Y}" if kind == "month" else f"{periods[i].day} {periods[i]:%b %Y}"
        x, anchor = x_at(i), "middle"
        if x + 3.5 * len(label) > WIDTH - 2:  # about 7 px a character at 12 px
            x, anchor = WIDTH - PAD_RIGHT, "end"
        parts.append(
            f'<text x="{coord(x)}" y="{coord(bottom + 18)}" text-anchor="{anchor}" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
    parts.append(
        f'<text transform="translate(14 {coord(PAD_TOP + plot_h / 2)}) rotate(-90)" '
        f'text-anchor="middle" fill="{TEXT}">{escape(y_label)}</text></g>'
    )

    if counterfactual is not None:
        d = gapped_path([(x_at(i), y_at(v)) for i, v in enumerate(counterfactual)])
        parts.append(
            f'<path class="counterfactual" d="{d}" fill="none" stroke="{FITTED}" '
            f'stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    if fitted is not None:
        d = gapped_path([(x_at(i), y_at(v)) for i, v in enumerate(fitted)])
        parts.append(
            f'<path class="fitted" d="{d}" fill="none" stroke="{FITTED}" stroke-width="1.5"/>'
        )
    points = [(x_at(i), y_at(v)) if v is not None else None for i, v in enumerate(observed)]
    parts.append(
        f'<path class="observed" d="{gapped_path(points)}" fill="none" stroke="{OBSERVED}" '
        f'stroke-width="2" stroke-linejoin="round"/>'
    )
    parts.append('<g class="points">')
    for i, v in enumerate(observed):
        if v is None:
            continue
        tip = f"{period_label(periods[i], kind)}: {_number(v)} {y_label}"
        parts.append(
            f'<circle r="2.5" fill="{OBSERVED}" cx="{coord(x_at(i))}" cy="{coord(y_at(v))}" '
            f'data-period="{periods[i].isoformat()}" data-value="{_number(v)}">'
            f"<title>{escape(tip)}</title></circle>"
        )
    parts.append("</g>")
    legend = [
        f'<line x1="0" x2="18" y1="0" y2="0" stroke="{OBSERVED}" stroke-width="2"/>'
        f'<text x="24" y="4" fill="{TEXT}">Counted</text>',
        f'<rect x="92" y="-6" width="18" height="12" fill="{BAND}"/>'
        f'<text x="116" y="4" fill="{TEXT}">Campaign</text>',
    ]
    if fitted is not None:
        legend.append(
            f'<line x1="200" x2="218" y1="0" y2="0" stroke="{FITTED}" stroke-width="1.5"/>'
            f'<text x="224" y="4" fill="{TEXT}">Fitted trend</text>'
            f'<line x1="320" x2="338" y1="0" y2="0" stroke="{FITTED}" stroke-width="1.5" '
            f'stroke-dasharray="5 4"/><text x="344" y="4" fill="{TEXT}">'
            "Trend before the campaign, carried on</text>"
        )
    parts.append(
        f'<g class="legend" aria-hidden="true" transform="translate({PAD_LEFT:g} 14)">'
        + "".join(legend)
        + "</g></svg>"
    )
    return "".join(parts)


def interval_chart_svg(
    *,
    rows: Sequence[tuple[str, float, float, float]],
    title: str,
    axis_label: str,
    reference: float = 0.0,
) -> str:
    """Estimates with intervals: rows of (label, estimate, low, high), one bar each, its
    label and figures on the line above it."""
    row_h, top_pad, bottom_pad = 46.0, 8.0, 44.0
    left, right = PAD_LEFT, WIDTH - PAD_RIGHT
    height = top_pad + bottom_pad + row_h * max(len(rows), 1)
    chart_id = _chart_id(title, list(rows))
    lines = [f"{label}: {est:.2f} (95% CI {lo:.2f} to {hi:.2f})" for label, est, lo, hi in rows]
    desc = "; ".join(lines) + "." if lines else "Nothing to compare."
    parts = [_open(chart_id, title, desc, height)]
    if not rows:
        return "".join(parts) + "</svg>"
    values = [v for _, est, lo, hi in rows for v in (est, lo, hi)] + [reference]
    low, high = min(values), max(values)
    margin = (high - low) * 0.08 or 1.0
    low, high = low - margin, high + margin

    def x_at(v: float) -> float:
        return left + (right - left) * (v - low) / (high - low)

    plot_bottom = top_pad + row_h * len(rows)
    parts.append(
        f'<line x1="{coord(x_at(reference))}" x2="{coord(x_at(reference))}" y1="{top_pad:g}" '
        f'y2="{coord(plot_bottom)}" stroke="{FITTED}" stroke-dasharray="4 3"/>'
    )
    for i, (label, est, lo, hi) in enumerate(rows):
        y = top_pad + row_h * i + 32
        parts.append(
            f'<text x="{left:g}" y="{coord(y - 12)}" fill="{TEXT}">{escape(label)}: '
            f"{est:+.2f} ({lo:.2f} to {hi:.2f})</text>"
            f'<line x1="{coord(x_at(lo))}" x2="{coord(x_at(hi))}" y1="{coord(y)}" y2="{coord(y)}" '
            f'stroke="{ESTIMATE}" stroke-width="2"/>'
            f'<circle cx="{coord(x_at(est))}" cy="{coord(y)}" r="4" fill="{ESTIMATE}">'
            f"<title>{escape(lines[i])}</title></circle>"
        )
    parts.append(
        f'<g aria-hidden="true"><line x1="{left:g}" x2="{right:g}" y1="{coord(plot_bottom + 4)}" '
        f'y2="{coord(plot_bottom + 4)}" stroke="{GRID}"/>'
        f'<text x="{coord(left)}" y="{coord(plot_bottom + 18)}" fill="{TEXT}">{low:.2f}</text>'
        f'<text x="{coord(x_at(reference))}" y="{coord(plot_bottom + 18)}" text-anchor="middle" '
        f'fill="{TEXT}">{reference:g}</text>'
        f'<text x="{coord(right)}" y="{coord(plot_bottom + 18)}" text-anchor="end" '
        f'fill="{TEXT}">{high:.2f}</text>'
        f'<text x="{coord((left + right) / 2)}" y="{coord(plot_bottom + 36)}" '
        f'text-anchor="middle" fill="{TEXT}">{escape(axis_label)}</text></g></svg>'
    )
    return "".join(parts)
