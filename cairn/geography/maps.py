"""Community boundary maps drawn on the server as inline SVG.

No tiles and no JavaScript: a community's stored GeoJSON boundary is projected
with an equirectangular projection (longitude scaled by the cosine of the
frame's mid-latitude, so shapes keep their proportions at BC's latitudes),
fitted to a viewBox, simplified to about a pixel and written as SVG path data.
Neighbouring communities of the same HSDA are drawn lightly for context.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import shape

from cairn.geography.models import Jurisdiction
from cairn.geography.queries import same_area_neighbours

VIEW_WIDTH = 640.0
MARGIN = 0.08  # share of the community's larger side left around it
MIN_ASPECT, MAX_ASPECT = 0.55, 1.2  # height / width of the frame
COMMUNITY_TOLERANCE = 0.5  # viewBox units: below what a screen can show
NEIGHBOUR_TOLERANCE = 1.0
KM_PER_DEGREE_LAT = 110.57
KM_PER_DEGREE_LON_AT_EQUATOR = 111.32


@dataclass(frozen=True)
class Frame:
    """The part of the world a map shows, and how it lands on the viewBox."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    width: float
    height: float

    @property
    def lon_scale(self) -> float:
        """Cosine of the mid-latitude: how much shorter a degree of longitude is here."""
        return math.cos(math.radians((self.min_lat + self.max_lat) / 2))

    @property
    def units_per_degree(self) -> float:
        return self.width / ((self.max_lon - self.min_lon) * self.lon_scale)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)

    def project(self, lonlat: np.ndarray) -> np.ndarray:
        """(lon, lat) rows to (x, y) viewBox rows; y grows downwards as SVG expects."""
        scale = self.units_per_degree
        x = (lonlat[:, 0] - self.min_lon) * self.lon_scale * scale
        y = (self.max_lat - lonlat[:, 1]) * scale
        return np.column_stack([x, y])


def frame_around(bounds: tuple[float, float, float, float], *, width: float = VIEW_WIDTH) -> Frame:
    """A frame showing `bounds` with a margin, its aspect ratio kept within reason."""
    min_lon, min_lat, max_lon, max_lat = bounds
    lon_scale = math.cos(math.radians((min_lat + max_lat) / 2))
    # Work in "projected degrees", where one unit is the same distance on both axes.
    span_x = max(max_lon - min_lon, 1e-6) * lon_scale
    span_y = max(max_lat - min_lat, 1e-6)
    pad = MARGIN * max(span_x, span_y)
    span_x, span_y = span_x + 2 * pad, span_y + 2 * pad
    # Widen a tall frame or heighten a flat one; never crop the community.
    span_y = max(span_y, span_x * MIN_ASPECT)
    span_x = max(span_x, span_y / MAX_ASPECT)
    centre_x = (min_lon + max_lon) / 2
    centre_y = (min_lat + max_lat) / 2
    half_lon = span_x / lon_scale / 2
    return Frame(
        min_lon=centre_x - half_lon,
        min_lat=centre_y - span_y / 2,
        max_lon=centre_x + half_lon,
        max_lat=centre_y + span_y / 2,
        width=width,
        height=round(width * span_y / span_x, 1),
    )


def _polygons(geometry) -> list:
    if isinstance(geometry, shapely.Polygon):
        return [] if geometry.is_empty else [geometry]
    if hasattr(geometry, "geoms"):
        return [p for part in geometry.geoms for p in _polygons(part)]
    return []  # lines and points left over from clipping


def _ring_path(coords) -> str:
    points = []
    for x, y in coords[:-1]:  # GeoJSON rings repeat their first point; "Z" closes them
        point = f"{x:.1f},{y:.1f}".replace(".0,", ",").removesuffix(".0")
        if not points or points[-1] != point:
            points.append(point)
    if len(points) < 3:
        return ""
    return "M" + "L".join(points) + "Z"


def path_data(geometry) -> str:
    """SVG path data for a projected (Multi)Polygon; holes are drawn with fill-rule evenodd."""
    rings = []
    for polygon in _polygons(geometry):
        rings.append(_ring_path(polygon.exterior.coords))
        rings.extend(_ring_path(interior.coords) for interior in polygon.interiors)
    return "".join(ring for ring in rings if ring)


def projected_path(geojson: dict, frame: Frame, *, tolerance: float, clip: bool = False) -> str:
    """Project a GeoJSON geometry onto the frame, simplify it, and return SVG path data."""
    geometry = shapely.transform(shape(geojson), frame.project)
    if clip:
        # Clip a little outside the viewBox so the cut edges never show.
        edge = 4 * tolerance
        geometry = shapely.clip_by_rect(
            geometry, -edge, -edge, frame.width + edge, frame.height + edge
        )
    return path_data(geometry.simplify(tolerance, preserve_topology=True))


@dataclass(frozen=True)
class MapShape:
    code: str
    name: str
    d: str


@dataclass(frozen=True)
class BoundaryMap:
    width: float
    height: float
    community: MapShape
    neighbours: list[MapShape] = field(default_factory=list)
    description: str = ""

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


def _describe(community: Jurisdiction, neighbours: list[MapShape]) -> str:
    lon_scale = math.cos(math.radians((community.min_lat + community.max_lat) / 2))
    east_west = (community.max_lon - community.min_lon) * lon_scale * KM_PER_DEGREE_LON_AT_EQUATOR
    north_south = (community.max_lat - community.min_lat) * KM_PER_DEGREE_LAT
    area = community.parent.name if community.parent else "its region"
    digits = 1 if community.max_lat - community.min_lat >= 0.5 else 2
    text = (
        f"Outline of {community.name}, north at the top, about {east_west:,.0f} km from west "
        f"to east and {north_south:,.0f} km from south to north, between latitudes "
        f"{community.min_lat:.{digits}f}° and {community.max_lat:.{digits}f}° N."
    )
    if neighbours:
        names = ", ".join(n.name for n in neighbours)
        text += f" Neighbouring communities of {area} drawn lightly around it: {names}."
    return text


def community_map(community: Jurisdiction) -> BoundaryMap | None:
    """The community's boundary with its HSDA neighbours, or None when no boundary is stored."""
    if not community.boundary or community.min_lon is None:
        return None
    frame = frame_around(
        (community.min_lon, community.min_lat, community.max_lon, community.max_lat)
    )
    neighbours = []
    for neighbour in same_area_neighbours(community, bounds=frame.bounds):
        d = projected_path(neighbour.boundary, frame, tolerance=NEIGHBOUR_TOLERANCE, clip=True)
        if d:
            neighbours.append(MapShape(code=neighbour.code, name=neighbour.name, d=d))
    own = MapShape(
        code=community.code,
        name=community.name,
        d=projected_path(community.boundary, frame, tolerance=COMMUNITY_TOLERANCE),
    )
    return BoundaryMap(
        width=frame.width,
        height=frame.height,
        community=own,
        neighbours=neighbours,
        description=_describe(community, neighbours),
    )
