"""The choropleth map: every community drawn once, classes and legend, accessible names."""

import xml.etree.ElementTree as ET

import pytest

from cairn.surveillance.dashboards.choropleth import (
    CLASS_COLOURS,
    choropleth_svg,
    class_breaks,
    class_of,
    nice_number,
    projection_for,
)
from cairn.surveillance.dashboards.geography import jurisdiction_tree

SVG = "{http://www.w3.org/2000/svg}"
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "rounded"), [(0, 0.0), (0.0123, 0.012), (3.456, 3.5), (123.4, 120.0), (98765, 99000)]
)
def test_nice_number_keeps_two_significant_figures(value, rounded):
    assert nice_number(value) == rounded


def test_class_breaks_are_increasing_quantiles_ending_at_the_maximum():
    values = [float(v) for v in range(1, 101)]
    breaks = class_breaks(values)
    assert breaks == [21.0, 41.0, 60.0, 80.0, 100.0]
    assert [class_of(v, breaks) for v in (1, 21, 22, 100)] == [0, 0, 1, 4]


def test_class_breaks_collapse_when_values_do_not_spread():
    assert class_breaks([5.0, 5.0, 5.0]) == [5.0]
    assert class_breaks([]) == []


def test_province_map_draws_every_community_with_a_name_and_value(bc_geography):
    tree = jurisdiction_tree()
    communities = tree.communities
    values = {c.key: (float(i), f"{i} per 100,000") for i, c in enumerate(communities)}
    suppressed = {communities[0].key}
    values[communities[0].key] = (None, "suppressed")
    result = choropleth_svg(
        frame_area=tree.province,
        tree=tree,
        values=values,
        suppressed=suppressed,
        title="Rates <by> area",
    )
    root = ET.fromstring(result.svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Rates <by> area"
    paths = root.findall(f"{SVG}g[@class='areas']/{SVG}path")
    with_boundary = {a.code for a in projection_for(tree.province, tree).areas}
    assert len(paths) == len(with_boundary) >= 85
    titles = {p.get("data-code"): p.find(f"{SVG}title").text for p in paths}
    first = communities[0]
    assert titles[first.code] == f"{first.name}: suppressed"
    hatched = [p for p in paths if p.get("data-class") == "suppressed"]
    assert [p.get("data-code") for p in hatched] == [first.code]
    assert all(p.get("fill").startswith("#") for p in paths if p not in hatched)
    # Five classes in the legend, then the suppressed pattern.
    assert [e.colour for e in result.legend[:5]] == CLASS_COLOURS
    assert result.legend[5].pattern
    # Health authorities outlined over the communities.
    assert len(root.findall(f"{SVG}g[@class='outlines']/{SVG}path")) == 5


def test_projection_is_computed_once_per_process(bc_geography):
    tree = jurisdiction_tree()
    northern = tree.by_code["bc-ha-northern"]
    assert projection_for(northern, tree) is projection_for(northern, tree)
    codes = {a.code for a in projection_for(northern, tree).areas}
    assert "bc-lha-prince-george" in codes and "bc-lha-abbotsford" not in codes
