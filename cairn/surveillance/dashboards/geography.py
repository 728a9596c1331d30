"""The jurisdiction tree as dashboards use it: small, read once per request, no boundaries.

Counts are kept per community (LHA) and summed up the tree here. The "unknown place"
bucket (events whose community could not be determined) is a pseudo-area under the
province, so that every published province figure is the sum of the figures below it.
"""

import time
from dataclasses import dataclass, field

from django.db.models import Count, Max

from cairn.geography.models import Jurisdiction, Level

UNKNOWN = "unknown"  # the key of the unknown-place bucket, in place of a jurisdiction id
UNKNOWN_NAME = "Place not known"

LEVEL_ORDER = [Level.PROVINCE, Level.HEALTH_AUTHORITY, Level.HSDA, Level.COMMUNITY]
LEVEL_LABELS = {
    Level.PROVINCE: "Province",
    Level.HEALTH_AUTHORITY: "Health authority",
    Level.HSDA: "Health service delivery area",
    Level.COMMUNITY: "Local health area",
}


@dataclass
class Area:
    key: int | str  # jurisdiction id, or UNKNOWN
    code: str
    name: str
    level: str
    parent: "Area | None" = None
    children: list["Area"] = field(default_factory=list)

    @property
    def is_unknown(self) -> bool:
        return self.key == UNKNOWN

    @property
    def is_community(self) -> bool:
        return self.level == Level.COMMUNITY

    def ancestor(self, level: str) -> "Area | None":
        area = self
        while area is not None and area.level != level:
            area = area.parent
        return area

    def ancestors(self) -> list["Area"]:
        chain, area = [], self.parent
        while area is not None:
            chain.append(area)
            area = area.parent
        return list(reversed(chain))

    def communities(self) -> list["Area"]:
        """The LHAs at or under this area (the unknown bucket is not one)."""
        if self.is_community:
            return [self]
        return [c for child in self.children for c in child.communities()]

    def descendants(self, level: str) -> list["Area"]:
        if self.level == level:
            return [self]
        return [d for child in self.children for d in child.descendants(level)]


@dataclass
class Tree:
    province: Area
    by_key: dict
    by_code: dict
    version: tuple

    @property
    def communities(self) -> list[Area]:
        return self.province.communities()

    @property
    def unknown(self) -> Area:
        return self.by_key[UNKNOWN]

    def areas(self) -> list[Area]:
        """Every area top-down (children in name order), the unknown bucket last."""
        found = []

        def walk(area):
            found.append(area)
            for child in area.children:
                if not child.is_unknown:
                    walk(child)

        walk(self.province)
        found.append(self.unknown)
        return found


_cache: dict[tuple, Tree] = {}


_version_checked: list = [0.0, None]  # [monotonic time, version]
VERSION_RECHECK_SECONDS = 5.0


def geography_version() -> tuple:
    """Changes whenever jurisdictions are added or removed: one indexed query, asked at
    most every few seconds (jurisdictions change when a geography file is loaded)."""
    now = time.monotonic()
    if _version_checked[1] is not None and now - _version_checked[0] < VERSION_RECHECK_SECONDS:
        return _version_checked[1]
    figures = Jurisdiction.objects.aggregate(n=Count("id"), last=Max("id"))
    version = (figures["n"], figures["last"])
    _version_checked[:] = [now, version]
    return version


class NoProvinceError(LookupError):
    """No province is loaded (load BC's geography first)."""


def jurisdiction_tree() -> Tree:
    """The province's tree, cached per process until jurisdictions change."""
    version = geography_version()
    tree = _cache.get(version)
    if tree is not None:
        return tree
    rows = list(
        Jurisdiction.objects.order_by("name").values_list(
            "id", "code", "name", "level", "parent_id"
        )
    )
    areas = {
        pk: Area(key=pk, code=code, name=name, level=level) for pk, code, name, level, _ in rows
    }
    roots = []
    for pk, _, _, _, parent_id in rows:
        if parent_id is None:
            roots.append(areas[pk])
        elif parent_id in areas:
            areas[pk].parent = areas[parent_id]
            areas[parent_id].children.append(areas[pk])
    provinces = [r for r in roots if r.level == Level.PROVINCE]
    if not provinces:
        raise NoProvinceError("No province is loaded: run `cairn load-geography` first.")
    province = provinces[0]
    unknown = Area(key=UNKNOWN, code=UNKNOWN, name=UNKNOWN_NAME, level="unknown", parent=province)
    province.children.append(unknown)
    areas[UNKNOWN] = unknown
    tree = Tree(
        province=province,
        by_key=areas,
        by_code={a.code: a for a in areas.values() if not a.is_unknown},
        version=version,
    )
    _cache.clear()
    _cache[version] = tree
    return tree
