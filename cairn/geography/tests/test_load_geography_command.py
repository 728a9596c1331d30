"""`cairn load-geography` for another jurisdiction, and the messages it gives for bad files.

Every bad input must end in a CommandError that names the file, and the line and
column where there is one: the person fixing the file never sees a traceback.
"""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cairn.geography.models import ALL_AGES, Jurisdiction, Level, Population, Sex

HIERARCHY = """\
lha_name,hsda_name,health_authority
Riverside,North Valley,Valley Health
Hilltop,North Valley,Valley Health
Lakeshore,South Shore,Coast Health
"""

POPULATIONS = """\
lha_name,year,sex,age_band,population
Riverside,2023,all,all,1200
Riverside,2023,female,0-14,100
Riverside,2023,male,0-14,110
Hilltop,2023,all,all,800
Hilltop,2023,female,0-14,70
Hilltop,2023,male,0-14,60
Lakeshore,2023,all,all,500
Lakeshore,2024,all,all,520
"""


def square(lon: float, lat: float, size: float = 0.1) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(name: str, geometry: dict) -> dict:
    return {"type": "Feature", "properties": {"LHA_NAME": name}, "geometry": geometry}


def feature_collection(*features: dict) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


BOUNDARIES = feature_collection(
    feature("Riverside", square(-110.0, 50.0)),
    feature("Hilltop", square(-110.2, 50.0)),
    feature("Lakeshore", square(-111.0, 49.0)),
)


@pytest.fixture
def files(tmp_path):
    """The three files of the Testland jurisdiction; a test overwrites one to break it."""
    paths = {
        "hierarchy": tmp_path / "testland_hierarchy.csv",
        "boundaries": tmp_path / "testland_boundaries.geojson",
        "populations": tmp_path / "testland_populations.csv",
    }
    paths["hierarchy"].write_text(HIERARCHY, encoding="utf-8")
    paths["boundaries"].write_text(BOUNDARIES, encoding="utf-8")
    paths["populations"].write_text(POPULATIONS, encoding="utf-8")
    return paths


def load_testland(files, **extra) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "load_geography",
        "--name",
        "Testland",
        "--code",
        "tl",
        "--hierarchy",
        str(files["hierarchy"]),
        "--boundaries",
        str(files["boundaries"]),
        "--populations",
        str(files["populations"]),
        "--population-source",
        "Testland Statistics 2024",
        stdout=out,
        stderr=err,
        **extra,
    )
    return out.getvalue(), err.getvalue()


def population(code: str, year: int, sex: str = Sex.ALL, age_band: str = ALL_AGES) -> int:
    return Population.objects.get(
        jurisdiction__code=code, year=year, sex=sex, age_band=age_band
    ).population


# A jurisdiction of one's own.


def test_load_geography_builds_the_hierarchy_of_another_jurisdiction(db, files):
    out, err = load_testland(files)

    assert out.strip() == (
        "8 jurisdictions created, 0 updated, 3 boundaries, 22 population figures, "
        "0 postal areas, 0 warnings"
    )
    assert err == ""
    riverside = Jurisdiction.objects.get(code="tl-lha-riverside")
    assert riverside.level == Level.COMMUNITY
    assert riverside.path == "tl/tl-ha-valley-health/tl-hsda-north-valley/tl-lha-riverside"
    assert riverside.parent.name == "North Valley"
    assert riverside.parent.parent.name == "Valley Health"
    assert (riverside.min_lon, riverside.min_lat) == (-110.0, 50.0)
    assert Jurisdiction.objects.filter(path__startswith="tl/", level=Level.COMMUNITY).count() == 3


def test_load_geography_stores_populations_by_sex_and_age_band(db, files):
    load_testland(files)

    assert population("tl-lha-riverside", 2023, Sex.FEMALE, "0-14") == 100
    figure = Population.objects.get(jurisdiction__code="tl-lha-riverside", year=2023, sex="all")
    assert figure.source == "Testland Statistics 2024"


def test_load_geography_rolls_populations_up_cell_by_cell(db, files):
    load_testland(files)

    assert population("tl-hsda-north-valley", 2023) == 1200 + 800
    assert population("tl-hsda-north-valley", 2023, Sex.MALE, "0-14") == 110 + 60
    assert population("tl-ha-coast-health", 2024) == 520
    assert population("tl", 2023) == 1200 + 800 + 500


def test_loading_the_same_files_again_changes_nothing(db, files):
    load_testland(files)
    counts = (Jurisdiction.objects.count(), Population.objects.count())

    out, _ = load_testland(files)

    assert out.startswith("0 jurisdictions created, 8 updated")
    assert (Jurisdiction.objects.count(), Population.objects.count()) == counts
    assert population("tl", 2023) == 2500


def test_names_missing_from_the_hierarchy_are_warnings_not_errors(db, files):
    files["boundaries"].write_text(
        feature_collection(
            feature("Riverside", square(-110.0, 50.0)), feature("Atlantis", square(0, 0))
        )
    )
    files["populations"].write_text("lha_name,year,population\nAtlantis,2023,10\n")

    _, err = load_testland(files)

    assert "testland_boundaries.geojson feature 1: LHA_NAME 'Atlantis'" in err
    assert "testland_populations.csv: 'Atlantis' is not in the hierarchy" in err
    assert not Jurisdiction.objects.filter(name="Atlantis").exists()


def test_name_code_and_hierarchy_are_needed_together(db, files):
    with pytest.raises(CommandError, match="--name, --code and --hierarchy are needed together"):
        call_command("load_geography", "--name", "Testland")


# Bad files: a CommandError naming the file, line and column.


def load_expecting_error(files) -> str:
    with pytest.raises(CommandError) as raised:
        load_testland(files)
    return str(raised.value)


def test_hierarchy_without_a_column_names_the_file_and_the_column(db, files):
    files["hierarchy"].write_text("lha_name,hsda_name\nRiverside,North Valley\n")

    message = load_expecting_error(files)

    assert "testland_hierarchy.csv" in message
    assert "missing column(s) health_authority" in message


def test_hierarchy_with_an_empty_name_names_the_line(db, files):
    files["hierarchy"].write_text(HIERARCHY + ",North Valley,Valley Health\n")

    message = load_expecting_error(files)
    assert message.startswith("testland_hierarchy.csv line 5:")
    assert "a cell is empty or missing" in message


def test_population_that_is_not_a_number_names_file_line_and_column(db, files):
    files["populations"].write_text("lha_name,pop_2022,pop_2023\nRiverside,1000,about 1200\n")

    message = load_expecting_error(files)

    assert (
        message == "testland_populations.csv line 2, column pop_2023: 'about 1200' is not a number"
    )


def test_population_that_is_not_a_number_in_the_long_format_names_file_and_line(db, files):
    files["populations"].write_text(POPULATIONS + "Hilltop,2024,all,all,n/a\n")

    message = load_expecting_error(files)

    assert message.startswith("testland_populations.csv line 10, column population:")
    assert "population" in message


def test_unknown_sex_names_file_line_and_column(db, files):
    files["populations"].write_text(POPULATIONS + "Hilltop,2024,unknown,all,5\n")

    message = load_expecting_error(files)

    assert message.startswith("testland_populations.csv line 10, column sex: 'unknown'")


def test_population_file_without_years_says_which_formats_it_accepts(db, files):
    files["populations"].write_text("lha_name,people\nRiverside,1000\n")

    message = load_expecting_error(files)

    assert "pop_YYYY columns (wide) or year,population columns (long)" in message


def test_boundaries_that_are_not_json_name_the_line_and_column(db, files):
    files["boundaries"].write_text('{"type": "FeatureCollection",\n "features": [,]}')

    message = load_expecting_error(files)

    assert message == "testland_boundaries.geojson: not valid JSON (line 2, column 15)"


def test_boundaries_that_are_not_a_feature_collection_say_so(db, files):
    files["boundaries"].write_text(json.dumps(square(0, 0)))

    message = load_expecting_error(files)

    assert message == "testland_boundaries.geojson: expected a GeoJSON FeatureCollection"


def test_boundary_that_is_a_point_names_the_feature_and_its_type(db, files):
    point = {"type": "Point", "coordinates": [-110.0, 50.0]}
    files["boundaries"].write_text(
        feature_collection(feature("Riverside", square(-110, 50)), feature("Hilltop", point))
    )

    message = load_expecting_error(files)

    assert message == (
        "testland_boundaries.geojson feature 1 (Hilltop): geometry must be a Polygon "
        "or MultiPolygon, not 'Point'"
    )


def test_missing_file_is_named(db, files):
    files["boundaries"].unlink()

    message = load_expecting_error(files)

    assert message.endswith("testland_boundaries.geojson: file not found")


def test_a_bad_file_leaves_nothing_half_loaded(db, files):
    files["populations"].write_text("lha_name,pop_2023\nRiverside,lots\n")

    load_expecting_error(files)

    assert not Jurisdiction.objects.filter(code__startswith="tl").exists()


# Bad files that once ended in a traceback; each now gets a clear error.


def test_hierarchy_row_with_too_few_cells_names_the_line(db, files):
    files["hierarchy"].write_text(HIERARCHY + "Seaside,South Shore\n")

    assert "testland_hierarchy.csv line 5" in load_expecting_error(files)


def test_boundaries_that_are_a_json_list_say_so(db, files):
    files["boundaries"].write_text("[]")

    assert "FeatureCollection" in load_expecting_error(files)


def test_polygon_with_too_few_points_names_the_feature(db, files):
    broken = {"type": "Polygon", "coordinates": [[[-110.0, 50.0], [-110.1, 50.1]]]}
    files["boundaries"].write_text(feature_collection(feature("Riverside", broken)))

    assert "feature 0 (Riverside)" in load_expecting_error(files)


def test_negative_population_names_file_line_and_column(db, files):
    files["populations"].write_text("lha_name,pop_2023\nRiverside,-5\n")

    assert "testland_populations.csv line 2, column pop_2023" in load_expecting_error(files)
