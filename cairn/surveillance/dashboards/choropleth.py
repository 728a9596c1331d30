"""Choropleth maps of rates by community (LHA), drawn on the server as inline SVG.

Boundaries come from the stored GeoJSON (no tiles, no internet) and are projected with
the helpers of `cairn.geography.maps`. Boundaries do not change while Cairn runs, so the
projected path data of each map frame (the province, or one health authority or HSDA)
is computed once per process and reused; a page view only picks the colours.

The map is one accessible image: a <title>, a <desc> naming the highest rates, and a
<title> on every area with its name and value for pointer users. The sortable table next
to it is the keyboard and screen-reader alternative.
"""

import math
from dataclasses import dataclass
from html import escape

import shapely
from shapely.geometry import shape

from cairn.geography.maps import frame_around, path_data
from cairn.geography.models import Jurisdiction, Level
from cairn.surveillance.dashboards.geography import Area, Tree

MAP_WIDTH = 640.0
TOLERANCE = 0.6  # viewBox units
OUTLINE_TOLERANCE = 1.0

# ColorBrewer YlGnBu, 5 classes: sequential and safe for colour-blind readers.
CLASS_COLOURS = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
NO_RATE_COLOUR = "#e4e6e2"
SUPPRESSED_FILL = "url(#suppressed-hatch)"
BORDER_COLOUR = "#ffffff"
OUTLINE_COLOUR = "#1c2626"


@dataclass(frozen=True)
class MapArea:
    key: int
    code: str
    name: str
    d: str


@dataclass(frozen=True)
class Projection:
    width: float
    height: float
    areas: tuple[MapArea, ...]
    outlines: tuple[str, ...]  # path data of the parts (HAs or HSDAs) drawn over the areas


_projections: dict[tuple, Projection] = {}


def _project(frame_area: Area, tree: Tree) -> Projection:
    communities = {a.key: a for a in frame_area.communities()}
    rows = list(
        Jurisdiction.objects.filter(
            pk__in=list(communities), level=Level.COMMUNITY, boundary__isnull=False
        ).values_list("pk", "boundary", "min_lon", "min_lat", "max_lon", "max_lat")
    )
    if not rows:
        return Projection(MAP_WIDTH, MAP_WIDTH * 0.6, (), ())
    bounds = (
        min(r[2] for r in rows),
        min(r[3] for r in rows),
        max(r[4] for r in rows),
        max(r[5] for r in rows),
    )
    frame = frame_around(bounds, width=MAP_WIDTH)
    geometries = {}
    areas = []
    for pk, boundary, *_ in rows:
        geometry = shapely.transform(shape(boundary), frame.project)
        geometries[pk] = geometry
        d = path_data(geometry.simplify(TOLERANCE, preserve_topology=True))
        if d:
            area = communities[pk]
            areas.append(MapArea(key=pk, code=area.code, name=area.name, d=d))
    # Outline the next level down (health authorities on the province's map, HSDAs on a
    # health authority's), so readers can find their region.
    outline_level = {
        Level.PROVINCE: Level.HEALTH_AUTHORITY,
        Level.HEALTH_AUTHORITY: Level.HSDA,
    }.get(frame_area.level)
    outlines = []
    if outline_level:
        for part in frame_area.descendants(outline_level):
            pieces = [geometries[c.key] for c in part.communities() if c.key in geometries]
            if pieces:
                merged = shapely.union_all([p.buffer(0.3) for p in pieces]).buffer(-0.3)
                d = path_data(merged.simplify(OUTLINE_TOLERANCE, preserve_topology=True))
                if d:
                    outlines.append(d)
    areas.sort(key=lambda a: a.name)
    return Projection(frame.width, frame.height, tuple(areas), tuple(outlines))


def projection_for(frame_area: Area, tree: Tree) -> Projection:
    """The projected boundaries of the communities under an area, computed once per process."""
    key = (frame_area.code, tree.version)
    found = _projections.get(key)
    if found is None:
        found = _projections[key] = _project(frame_area, tree)
    return found


def nice_number(value: float) -> float:
    """Round to two significant figures, for class breaks a reader can take in."""
    if value <= 0:
        return 0.0
    digits = 1 - int(math.floor(math.log10(value)))
    return round(value, digits) if digits > 0 else float(round(value, digits))


def class_breaks(values: list[float], *, classes: int = len(CLASS_COLOURS)) -> list[float]:
    """Upper limits of the classes: quantiles of the values, rounded, strictly increasing.

    The last class is open-ended (its limit is the maximum). Fewer classes when the
    values do not spread enough.
    """
    values = sorted(v for v in values if v is not None)
    if not values:
        return []
    breaks = []
    for i in range(1, classes):
        position = (len(values) - 1) * i / classes
        lower = values[int(math.floor(position))]
        upper = values[int(math.ceil(position))]
        limit = nice_number(lower + (upper - lower) * (position - math.floor(position)))
        if (not breaks or limit > breaks[-1]) and limit < values[-1]:
            breaks.append(limit)
    breaks.append(values[-1])
    return breaks


def class_of(value: float, breaks: list[float]) -> int:
    for i, limit in enumerate(breaks):
        if value <= limit:
            return i
    return len(breaks) - 1


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str
    pattern: bool = False


@dataclass(frozen=True)
class ChoroplethMap:
    svg: str
    legend: list[LegendEntry]


def _format_rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:,.1f}"


def choropleth_svg(
    *,
    frame_area: Area,
    tree: Tree,
    values: dict,  # community key -> (rate or None, text for its tooltip)
    suppressed: set,  # community keys whose value is suppressed
    title: str,
    unit: str = "per 100,000 people",
) -> ChoroplethMap:
    """The communities under `frame_area` coloured by value, with a legend."""
    projection = projection_for(frame_area, tree)
    shown = [v[0] for v in values.values() if v[0] is not None]
    breaks = class_breaks(shown)
    colours = CLASS_COLOURS[-len(breaks) :] if breaks else []
    legend = []
    lower = 0.0
    for i, limit in enumerate(breaks):
        if i == len(breaks) - 1:
            label = f"Over {_format_rate(lower)}" if i else f"Up to {_format_rate(limit)}"
        elif i == 0:
            label = f"Up to {_format_rate(limit)}"
        else:
            label = f"Over {_format_rate(lower)} to {_format_rate(limit)}"
        legend.append(LegendEntry(label=label, colour=colours[i]))
        lower = limit
    if suppressed:
        legend.append(
            LegendEntry(
                "Suppressed (count from 1 to 4, or hidden to protect one)", "#ffffff", pattern=True
            )
        )
    if any(v[0] is None and k not in suppressed for k, v in values.items()):
        legend.append(LegendEntry("No rate (no population figure)", NO_RATE_COLOUR))

    parts = [
        f'<svg class="choropleth" viewBox="0 0 {projection.width:g} {projection.height:g}" '
        f'role="img" aria-labelledby="map-title map-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="map-title">{escape(title)}</title>'
        f'<desc id="map-desc">{escape(_describe(values, tree, unit))}</desc>'
        '<defs><pattern id="suppressed-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#7a8583" stroke-width="2"/></pattern></defs>'
        '<g class="areas" stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round">'
    ]
    for area in projection.areas:
        value, text = values.get(area.key, (None, "no figure"))
        if area.key in suppressed:
            fill, kind = SUPPRESSED_FILL, "suppressed"
        elif value is None:
            fill, kind = NO_RATE_COLOUR, "none"
        else:
            index = class_of(value, breaks)
            fill, kind = colours[index], f"class-{index + 1}"
        parts.append(
            f'<path d="{area.d}" fill="{fill}" fill-rule="evenodd" data-code="{escape(area.code)}" '
            f'data-class="{kind}"><title>{escape(area.name)}: {escape(text)}</title></path>'
        )
    parts.append("</g>")
    if projection.outlines:
        parts.append(
            f'<g class="outlines" fill="none" stroke="{OUTLINE_COLOUR}" stroke-width="1.2" '
            'stroke-linejoin="round" aria-hidden="true">'
        )
        parts.extend(f'<path d="{d}"/>' for d in projection.outlines)
        parts.append("</g>")
    parts.append("</svg>")
    return ChoroplethMap(svg="".join(parts), legend=legend)


def _describe(values: dict, tree: Tree, unit: str) -> str:
    ranked = sorted(
        ((v[0], tree.by_key[k].name) for k, v in values.items() if v[0] is not None),
        reverse=True,
    )
    text = f"Map of {len(values)} local health areas shaded by rate {unit}."
    if ranked:
        top = ", ".join(f"{name} ({_format_rate(rate)})" for rate, name in ranked[:3])
        text += f" Highest: {top}."
    text += " The table below lists every area with its figures."
    return text
