"""What the HSDS import derives for search: opening hours per weekday (split at midnight),
each location's community (point in polygon, else postal code), the search text; and the
command line."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from cairn.directory.hsds.hours import END_OF_DAY, hours_rows, parse_time
from cairn.directory.hsds.importer import import_hsds
from cairn.directory.models import Location, OpeningHours, Service
from cairn.directory.tests.hsds_helpers import CSV_EXAMPLES, JSON_EXAMPLES, example

ORG = "1b3f9a52-8a0e-4a5b-9c1e-2f6d7e8a9b01"
SERVICE = "2c4e6a80-1b2c-4d3e-8f4a-5b6c7d8e9f02"
T = dt.time


def test_weekday_hours_one_row_per_day():
    assert hours_rows(byday="MO,WE", freq="WEEKLY", opens_at="09:00", closes_at="17:00") == [
        (1, T(9), T(17)),
        (3, T(9), T(17)),
    ]


def test_hours_past_midnight_are_split_at_midnight():
    assert hours_rows(byday="SA,SU", freq="", opens_at="22:00", closes_at="02:30") == [
        (6, T(22), END_OF_DAY),
        (7, T(0), T(2, 30)),
        (7, T(22), END_OF_DAY),
        (1, T(0), T(2, 30)),
    ]


def test_round_the_clock_and_to_midnight():
    assert hours_rows(byday="FR", freq="WEEKLY", opens_at="00:00", closes_at="00:00") == [
        (5, T(0), END_OF_DAY)
    ]
    assert hours_rows(byday="FR", freq="WEEKLY", opens_at="18:00", closes_at="24:00") == [
        (5, T(18), END_OF_DAY)
    ]
    assert hours_rows(byday="FR", freq="WEEKLY", opens_at="18:00", closes_at="00:00") == [
        (5, T(18), END_OF_DAY)
    ]


def test_schedules_that_are_not_plain_weekly_hours_are_left_as_text():
    assert hours_rows(byday="1MO", freq="MONTHLY", opens_at="09:00", closes_at="12:00") == []
    assert hours_rows(byday="", freq="WEEKLY", opens_at="09:00", closes_at="12:00") == []
    assert hours_rows(byday="MO", freq="WEEKLY", opens_at="morning", closes_at="12:00") == []


def test_times_in_the_forms_publishers_use():
    assert parse_time("9:30") == T(9, 30)
    assert parse_time("09:30:00Z") == T(9, 30)
    assert parse_time("0930") == T(9, 30)
    assert parse_time("09:30:00-08:00") == T(9, 30)
    assert parse_time("") is None


def _service_with(location: dict, schedules=()):
    return {
        "id": SERVICE,
        "name": "Overdose prevention site",
        "description": "Supervised consumption, drug checking and naloxone",
        "status": "active",
        "organization": {"id": ORG, "name": "Northern Health", "description": "Health authority"},
        "schedules": list(schedules),
        "service_at_locations": [
            {"id": "7b9d1f35-6a7b-4c8d-9e9f-a0b1c2d3e407", "location": location}
        ],
    }


LOCATION = "8cae2046-7b8c-4d9e-8fa0-b1c2d3e4f508"


@pytest.mark.django_db
def test_location_community_from_its_point(bc_geography):
    location = {
        "id": LOCATION,
        "location_type": "physical",
        "latitude": 53.9171,
        "longitude": -122.7497,
    }
    import_hsds({"service.json": json.dumps(_service_with(location)).encode()})
    assert Location.objects.get().community.code == "bc-lha-prince-george"


@pytest.mark.django_db
def test_location_community_from_its_postal_code_without_a_point(bc_geography):
    location = {
        "id": LOCATION,
        "location_type": "physical",
        "addresses": [
            {
                "id": "9dbf3157-8c9d-4eaf-9ab1-c2d3e4f5a609",
                "address_1": "1108 3rd Ave",
                "city": "Prince George",
                "state_province": "BC",
                "postal_code": "V2L 3E5",
                "country": "CA",
                "address_type": "physical",
            }
        ],
    }
    import_hsds({"service.json": json.dumps(_service_with(location)).encode()})
    assert Location.objects.get().community.code == "bc-lha-prince-george"


@pytest.mark.django_db
def test_a_point_off_the_map_places_nowhere_but_imports(bc_geography):
    # The official example's location is at latitude 100: no community, nothing lost.
    report = import_hsds(JSON_EXAMPLES / "location.json")
    assert report.ok
    location = Location.objects.get()
    assert location.community is None and location.latitude == 100


@pytest.mark.django_db
def test_schedules_of_a_service_at_a_location_open_there(bc_geography):
    location = {
        "id": LOCATION,
        "location_type": "physical",
        "latitude": 53.9171,
        "longitude": -122.7497,
    }
    service = _service_with(location)
    service["service_at_locations"][0]["schedules"] = [
        {
            "id": "aec04268-9dae-4fb0-8bc2-d3e4f5a6b70a",
            "freq": "WEEKLY",
            "byday": "MO,TU",
            "opens_at": "20:00",
            "closes_at": "02:00",
        }
    ]
    import_hsds({"service.json": json.dumps(service).encode()})
    rows = list(
        OpeningHours.objects.order_by("weekday", "opens_at").values_list(
            "weekday", "opens_at", "closes_at", "service__hsds_id", "location__hsds_id"
        )
    )
    assert rows == [
        (1, T(20), END_OF_DAY, SERVICE, LOCATION),
        (2, T(0), T(2), SERVICE, LOCATION),
        (2, T(20), END_OF_DAY, SERVICE, LOCATION),
        (3, T(0), T(2), SERVICE, LOCATION),
    ]
    # Changed hours replace the old rows.
    service["service_at_locations"][0]["schedules"][0]["byday"] = "SU"
    import_hsds({"service.json": json.dumps(service).encode()})
    assert sorted(OpeningHours.objects.values_list("weekday", flat=True)) == [1, 7]


@pytest.mark.django_db
def test_search_text_follows_the_provider_name():
    import_hsds(
        {
            "service.json": json.dumps(
                _service_with({"id": LOCATION, "location_type": "virtual"})
            ).encode()
        }
    )
    assert Service.objects.get().search_text == (
        "overdose prevention site supervised consumption, drug checking and naloxone "
        "northern health"
    )
    import_hsds(
        {"organizations.csv": f"id,name,description\n{ORG},Northern Health Authority,HA\n".encode()}
    )
    assert Service.objects.get().search_text.endswith("northern health authority")


@pytest.mark.django_db
def test_command_line_import_and_export(tmp_path, capsys):
    call_command("hsds", "import", str(CSV_EXAMPLES))
    out = capsys.readouterr().out
    assert "HSDS import: 21 created" in out

    call_command("hsds", "export", "--format", "csv", str(tmp_path / "csv"))
    for name in ("services.csv", "phones.csv", "schedules.csv"):
        # Byte for byte: the same quoting and the same CRLF line ends as the official files.
        assert (tmp_path / "csv" / name).read_bytes() == (CSV_EXAMPLES / name).read_bytes()
    call_command("hsds", "export", str(tmp_path / "services.json"))
    [service] = json.loads((tmp_path / "services.json").read_text())
    assert service["id"] == example("service_full.json")["id"]


@pytest.mark.django_db
def test_command_line_import_of_nothing_good_fails(tmp_path):
    bad = tmp_path / "service.json"
    bad.write_text('{"id": ')
    with pytest.raises(Exception, match="nothing was imported"):
        call_command("hsds", "import", str(bad))


@pytest.mark.django_db
def test_the_directory_command_imports_and_exports_hsds_too(tmp_path, capsys):
    call_command("directory", "import-hsds", str(CSV_EXAMPLES))
    assert "HSDS import: 21 created" in capsys.readouterr().out

    call_command("directory", "export-hsds", "--format", "csv", str(tmp_path / "csv"))
    assert (tmp_path / "csv" / "services.csv").read_bytes() == (
        CSV_EXAMPLES / "services.csv"
    ).read_bytes()
