"""What one area's dashboard shows, assembled once for the signed-in and the public pages.

Views decide who may see which area and whether the figures are exact or published
(suppressed); this module turns that decision into the chart, the map and the tables.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from cairn.geography.models import Level
from cairn.surveillance.dashboards.charts import series_chart_svg
from cairn.surveillance.dashboards.choropleth import ChoroplethMap, choropleth_svg
from cairn.surveillance.dashboards.geography import LEVEL_LABELS, Area, Tree
from cairn.surveillance.dashboards.queries import (
    SERIES_LABELS,
    AreaRow,
    Selection,
    Series,
    area_rows,
    area_series,
    cached,
    sort_rows,
)

# The parts an area's summary table lists: the next level down.
PARTS_LEVEL = {
    Level.PROVINCE: Level.HEALTH_AUTHORITY,
    Level.HEALTH_AUTHORITY: Level.HSDA,
    Level.HSDA: Level.COMMUNITY,
}
PARTS_HEADING = {
    Level.HEALTH_AUTHORITY: "By health authority",
    Level.HSDA: "By health service delivery area",
    Level.COMMUNITY: "By local health area",
}
DEFAULT_SORT = ("rate", True)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool
    url: str  # sorts by this column (the other way round when it is the current sort)
    aria_sort: str  # "ascending", "descending" or "none"


COLUMNS = [
    ("name", "Local health area", False),
    ("hsda", "Health service delivery area", False),
    ("authority", "Health authority", False),
    ("events", "Events", True),
    ("population", "Population", True),
    ("rate", "Rate per 100,000 (95% CI)", True),
    ("share", "Per 10,000 ED visits (95% CI)", True),
]


def sort_columns(
    selection: Selection, *, base_url: str, sort: str, descending: bool
) -> list[Column]:
    """The community table's headers, each a link that sorts by it."""
    columns = []
    for key, label, numeric in COLUMNS:
        if key == "share" and not selection.shows_share:
            continue
        current = key == sort
        # Numbers sort largest first on the first click, names from A.
        next_descending = (not descending) if current else numeric
        url = (
            base_url
            + "?"
            + selection.query_string(sort=key, order="desc" if next_descending else "asc")
        )
        aria = ("descending" if descending else "ascending") if current else "none"
        columns.append(Column(key, label, numeric, url, aria))
    return columns


@dataclass
class LinkedRow:
    row: AreaRow
    url: str | None  # the area's dashboard, when the viewer may open it


@dataclass
class AreaPage:
    selection: Selection
    area: Area
    level_label: str
    summary: AreaRow
    series: Series
    chart: str  # safe SVG markup
    map: ChoroplethMap | None
    map_svg: str
    parts_heading: str
    parts: list[LinkedRow]
    communities: list[LinkedRow]
    sort: str
    descending: bool
    columns: list[Column]

    @property
    def series_label(self) -> str:
        return series_label(self.series.freq)

    @property
    def period_word(self) -> str:
        return self.series.freq

    @property
    def has_band(self) -> bool:
        return self.series.expected is not None

    @property
    def series_rows(self) -> list[tuple]:
        """(period, observed, expected, upper bound, alarm) for the chart's table view."""
        rows = []
        for i, first in enumerate(self.series.periods):
            rows.append(
                (
                    first,
                    self.series.observed[i],
                    self.series.expected[i] if self.series.expected else None,
                    self.series.upperbound[i] if self.series.upperbound else None,
                    bool(self.series.alarms[i]) if self.series.alarms else False,
                )
            )
        return rows


def measure_label(selection: Selection) -> str:
    name = selection.definition.name
    source = selection.source_label.lower() if selection.source else "all sources"
    return f"{name} ({source})"


def build_area_page(
    *,
    selection: Selection,
    area: Area,
    tree: Tree,
    link_for: Callable[[Area], str | None],
    base_url: str,
    sort: str = DEFAULT_SORT[0],
    descending: bool = DEFAULT_SORT[1],
) -> AreaPage:
    series = area_series(selection, area)
    what = measure_label(selection)
    chart = series_chart_svg(
        periods=series.periods,
        observed=series.observed,
        expected=series.expected,
        upperbound=series.upperbound,
        alarms=series.alarms,
        title=f"{series_label(series.freq)} events: {what}, {area.name}, {selection.period_label}",
        y_label="events",
        chart_id="series-chart",
    )
    summary = area_rows(selection, [area])[0]
    parts: list[LinkedRow] = []
    communities: list[LinkedRow] = []
    heading = ""
    map_ = None
    if not area.is_community:
        parts_level = PARTS_LEVEL[area.level]
        heading = PARTS_HEADING[parts_level]
        part_areas = [c for c in area.children if not c.is_unknown]
        if area.level == Level.PROVINCE:
            part_areas.append(tree.unknown)  # so that the parts add up to the province
        parts = [LinkedRow(r, link_for(r.area)) for r in area_rows(selection, part_areas)]
        community_rows = area_rows(selection, area.communities())
        communities = [
            LinkedRow(r, link_for(r.area))
            for r in sort_rows(community_rows, key=sort, descending=descending)
        ]
        map_ = choropleth_svg(
            frame_area=area,
            tree=tree,
            values={r.area.key: (_map_value(r), _map_text(r)) for r in community_rows},
            suppressed={r.area.key for r in community_rows if r.suppressed},
            title=(
                f"Rate per 100,000 people by local health area: {what}, {area.name}, "
                f"{selection.period_label}"
            ),
        )
    return AreaPage(
        selection=selection,
        area=area,
        level_label=LEVEL_LABELS.get(area.level, ""),
        summary=summary,
        series=series,
        chart=mark_safe(chart),  # noqa: S308 - every text in it is escaped by series_chart_svg
        map=map_,
        map_svg=mark_safe(map_.svg) if map_ else "",  # noqa: S308 - escaped by choropleth_svg
        parts_heading=heading,
        parts=parts,
        communities=communities,
        sort=sort,
        descending=descending,
        columns=sort_columns(selection, base_url=base_url, sort=sort, descending=descending),
    )


BODY_TEMPLATE = "surveillance/dashboards/_body.html"
TABLE_TEMPLATE = "surveillance/dashboards/_community_table.htmx.html"


def render_fragment(key: tuple, *, table_only: bool, build: Callable[[], dict]) -> str:
    """The dashboard's body (or only its community table), rendered once per cache period.

    The same selection shows the same figures to everyone who may see them, so the
    rendered HTML is kept (keyed by `key`, which must hold everything the HTML depends on:
    the selection with its counts version, the area, the sort, the viewer's links).
    `build` returns the template context on a miss.
    """
    template = TABLE_TEMPLATE if table_only else BODY_TEMPLATE
    html = cached(("html", template, *key), lambda: render_to_string(template, build()))
    return mark_safe(html)  # noqa: S308 - rendered by Django's autoescaping templates


def series_label(freq: str) -> str:
    return SERIES_LABELS[freq]


def _map_value(row: AreaRow) -> float | None:
    return row.rate.value if row.rate else None


def _map_text(row: AreaRow) -> str:
    if row.suppressed:
        return "suppressed"
    if row.rate is None:
        return f"{row.events:,} events, no population figure"
    return (
        f"{row.rate.value:,.1f} per 100,000 (95% CI {row.rate.low:,.1f} to "
        f"{row.rate.high:,.1f}); {row.events:,} events"
    )
