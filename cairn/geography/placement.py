"""Put a record in its community: by community code, by map point, or by postal code.

A point is placed by point-in-polygon on the community boundaries (shapely STRtree,
built once per process). A postal code is placed by its longest known prefix (FSA
for Canada, 5-digit ZIP then ZIP3 for the US). Anything else is "unknown place":
counted, never dropped.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import Point, shape

from cairn.geography.models import Jurisdiction, Level, PostalArea


@dataclass(frozen=True)
class Placement:
    community_id: int | None
    method: str  # "code", "point", "postal_code" or "unknown"
    detail: str = ""

    @property
    def is_known(self) -> bool:
        return self.community_id is not None


class _Boundaries:
    def __init__(self):
        rows = list(
            Jurisdiction.objects.filter(level=Level.COMMUNITY, boundary__isnull=False).values_list(
                "id", "boundary"
            )
        )
        self.ids = [pk for pk, _ in rows]
        self.geometries = [shape(boundary) for _, boundary in rows]
        self.tree = STRtree(self.geometries)

    def community_at(self, longitude: float, latitude: float) -> int | None:
        point = Point(longitude, latitude)
        for index in self.tree.query(point, predicate="intersects"):
            return self.ids[int(index)]
        return None


@lru_cache(maxsize=1)
def _boundaries() -> _Boundaries:
    return _Boundaries()


@lru_cache(maxsize=1)
def _postal_prefixes() -> dict[str, int]:
    return dict(PostalArea.objects.values_list("prefix", "community_id"))


@lru_cache(maxsize=1)
def _community_codes() -> dict[str, int]:
    return dict(Jurisdiction.objects.filter(level=Level.COMMUNITY).values_list("code", "id"))


def forget_cached_geography() -> None:
    """Call after loading boundaries or postal areas, so placement sees them."""
    _boundaries.cache_clear()
    _postal_prefixes.cache_clear()
    _community_codes.cache_clear()


def normalise_postal_code(raw: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", (raw or "").upper())


def place(
    *,
    community_code: str = "",
    longitude: float | None = None,
    latitude: float | None = None,
    postal_code: str = "",
) -> Placement:
    if community_code:
        community_id = _community_codes().get(community_code.strip())
        if community_id is not None:
            return Placement(community_id, "code", community_code)
    if longitude is not None and latitude is not None:
        community_id = _boundaries().community_at(longitude, latitude)
        if community_id is not None:
            return Placement(community_id, "point", f"{latitude:.5f},{longitude:.5f}")
    community_id, prefix = community_for_postal_code(postal_code)
    if community_id is not None:
        return Placement(community_id, "postal_code", prefix)
    return Placement(None, "unknown", _unknown_reason(community_code, longitude, postal_code))


def community_for_postal_code(postal_code: str) -> tuple[int | None, str]:
    """(community id, matching prefix) by the longest known prefix: FSA, ZIP5, ZIP3."""
    code = normalise_postal_code(postal_code)
    if code:
        prefixes = _postal_prefixes()
        candidates = [code[:3]] if code[:1].isalpha() else [code[:5], code[:3]]
        for prefix in candidates:
            if prefix in prefixes:
                return prefixes[prefix], prefix
    return None, ""


def warm_placement_caches() -> None:
    """Read the geography now (e.g. before handing the connection to another thread)."""
    _community_codes()
    _postal_prefixes()
    _boundaries()


def place_many(
    requests: Sequence[tuple[str, float | None, float | None, str]],
) -> list[tuple[int | None, str]]:
    """(community id, method) for many (community code, longitude, latitude, postal code),
    exactly as `place` decides, with one vectorised point-in-polygon query."""
    codes = _community_codes()
    result: list[tuple[int | None, str]] = []
    points: list[int] = []
    for community_code, longitude, latitude, postal_code in requests:
        community_id = codes.get(community_code.strip()) if community_code else None
        if community_id is not None:
            result.append((community_id, "code"))
        elif longitude is not None and latitude is not None:
            points.append(len(result))
            result.append((None, "unknown"))
        else:
            result.append(_by_postal_code(postal_code))
    if points:
        boundaries = _boundaries()
        found: dict[int, int] = {}
        if boundaries.geometries:
            coordinates = np.array([(requests[i][1], requests[i][2]) for i in points])
            hits = boundaries.tree.query(shapely.points(coordinates), predicate="intersects")
            for point_index, geometry_index in zip(*hits, strict=True):
                found.setdefault(int(point_index), boundaries.ids[int(geometry_index)])
        for position, index in enumerate(points):
            community_id = found.get(position)
            result[index] = (
                (community_id, "point")
                if community_id is not None
                else _by_postal_code(requests[index][3])
            )
    return result


def _by_postal_code(postal_code: str) -> tuple[int | None, str]:
    community_id, _ = community_for_postal_code(postal_code)
    return (community_id, "postal_code") if community_id is not None else (None, "unknown")


def _unknown_reason(community_code, longitude, postal_code) -> str:
    tried = []
    if community_code:
        tried.append(f"community code {community_code!r} is not known")
    if longitude is not None:
        tried.append("the point is outside every community boundary")
    if postal_code:
        tried.append(f"postal code {postal_code!r} is not mapped to one community")
    return "; ".join(tried) or "no place given"
