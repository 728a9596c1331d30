"""British Columbia's 89 Local Health Areas, as shipped with Cairn and loaded for every test."""

from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q
from shapely.geometry import Point, shape

from cairn.geography.models import ALL_AGES, Jurisdiction, Level, Population, Sex


def bc_jurisdictions():
    return Jurisdiction.objects.filter(Q(code="bc") | Q(path__startswith="bc/"))


def bc_populations():
    return Population.objects.filter(jurisdiction__in=bc_jurisdictions())


def test_bc_has_89_communities_16_hsdas_5_health_authorities_1_province(bc_geography):
    counts = {level: bc_jurisdictions().filter(level=level).count() for level in Level.values}
    assert counts == {
        Level.PROVINCE: 1,
        Level.HEALTH_AUTHORITY: 5,
        Level.HSDA: 16,
        Level.COMMUNITY: 89,
    }


def test_every_community_sits_under_an_hsda_a_health_authority_and_the_province(bc_geography):
    for community in (
        bc_jurisdictions().filter(level=Level.COMMUNITY).select_related("parent__parent__parent")
    ):
        hsda = community.parent
        assert hsda.level == Level.HSDA
        assert hsda.parent.level == Level.HEALTH_AUTHORITY
        assert hsda.parent.parent == bc_geography
        assert community.path == f"bc/{hsda.parent.code}/{hsda.code}/{community.code}"


def test_every_community_has_a_polygonal_boundary_and_its_bounds(bc_geography):
    for community in bc_jurisdictions().filter(level=Level.COMMUNITY):
        geometry = shape(community.boundary)
        assert geometry.geom_type in {"Polygon", "MultiPolygon"}, community.name
        assert not geometry.is_empty, community.name
        bounds = (community.min_lon, community.min_lat, community.max_lon, community.max_lat)
        assert bounds == pytest.approx(geometry.bounds), community.name


def test_every_community_boundary_is_a_valid_geometry(bc_geography):
    invalid = [
        community.name
        for community in bc_jurisdictions().filter(level=Level.COMMUNITY)
        if not shape(community.boundary).is_valid
    ]
    assert invalid == []


def test_a_point_in_prince_george_city_falls_inside_the_prince_george_boundary(
    prince_george, abbotsford
):
    city_centre = Point(-122.75, 53.92)
    assert shape(prince_george.boundary).contains(city_centre)
    assert not shape(abbotsford.boundary).contains(city_centre)


def test_abbotsford_population_in_2022(abbotsford):
    figure = abbotsford.populations.get(year=2022, sex=Sex.ALL, age_band=ALL_AGES)
    assert figure.population == 168906
    assert figure.is_estimate


def test_hsda_health_authority_and_province_populations_are_sums_of_their_children(
    bc_geography,
):
    parent_of = dict(bc_jurisdictions().values_list("pk", "parent_id"))
    figures = {
        (p.jurisdiction_id, p.year, p.sex, p.age_band): p.population for p in bc_populations()
    }
    sums_of_children: dict[tuple, int] = defaultdict(int)
    for (pk, *cell), value in figures.items():
        if parent_of[pk] is not None:
            sums_of_children[(parent_of[pk], *cell)] += value
    parents = set(parent_of.values())
    figures_of_parents = {key: value for key, value in figures.items() if key[0] in parents}
    assert figures_of_parents == dict(sums_of_children)
    assert bc_geography.populations.filter(year=2022).exists()


def test_reloading_bc_changes_nothing(bc_geography, abbotsford):
    before = (bc_jurisdictions().count(), bc_populations().count())
    boundary = abbotsford.boundary

    output = StringIO()
    call_command("load_geography", stdout=output)

    assert output.getvalue().startswith("0 jurisdictions created, 111 updated")

    assert (bc_jurisdictions().count(), bc_populations().count()) == before
    abbotsford.refresh_from_db()
    assert abbotsford.boundary == boundary
    assert abbotsford.populations.get(year=2022, sex=Sex.ALL).population == 168906
