"""Directory search: each rule of cairn.directory.search, on PostgreSQL with real rows."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cairn.directory.search import SearchError, search_services
from cairn.directory.tests.builders import add_hours, build_service
from cairn.geography.models import Jurisdiction

pytestmark = pytest.mark.django_db

PG = (53.9171, -122.7497)  # downtown Prince George
VANCOUVER = (49.281, -123.100)  # Downtown Eastside
PACIFIC = ZoneInfo("America/Vancouver")


def names(result):
    return [hit.service.name for hit in result.hits]


def at(*args):
    return dt.datetime(*args, tzinfo=PACIFIC)


def test_by_type_finds_any_of_the_types(bc_geography):
    build_service("Rapid OAT", types=("oat",))
    build_service("Kits here", types=("naloxone",))
    build_service("Shelter beds", types=("shelter",))
    assert names(search_services(types=["oat", "naloxone"])) == ["Kits here", "Rapid OAT"]
    assert names(search_services(types=["shelter"])) == ["Shelter beds"]


def test_unknown_type_names_the_field(bc_geography):
    with pytest.raises(SearchError) as error:
        search_services(types=["detox-now"])
    assert error.value.field == "types"


def test_by_community_finds_located_services_and_those_whose_area_covers_it(bc_geography):
    prince_george = Jurisdiction.objects.get(code="bc-lha-prince-george")
    northern = Jurisdiction.objects.get(code="bc-ha-northern")
    build_service("In Prince George", point=PG)
    build_service("Northern virtual line", point=None, address="", areas=[northern])
    build_service("Province-wide line", point=None, address="", areas=[bc_geography])
    build_service("In Vancouver", point=VANCOUVER)
    found = names(search_services(community=prince_george))
    assert found == ["In Prince George", "Northern virtual line", "Province-wide line"]
    assert names(search_services(community="bc-lha-vancouver-centre-north")) == [
        "In Vancouver",
        "Province-wide line",
    ]
    # A health authority finds what lies inside it.
    assert "In Prince George" in names(search_services(community=northern))
    with pytest.raises(SearchError) as error:
        search_services(community="bc-lha-atlantis")
    assert error.value.field == "community"


def test_by_distance_is_nearest_first_and_exact_not_the_box(bc_geography):
    lat, lon = PG
    build_service("Next door", point=(lat + 0.001, lon))
    build_service("Five km north", point=(lat + 0.05, lon))
    # Inside the 10 km bounding box, but 12.3 km away on the diagonal.
    build_service("Box corner", point=(lat + 0.08, lon + 0.13))
    build_service("Vancouver", point=VANCOUVER)
    result = search_services(near=PG, within_km=10)
    assert names(result) == ["Next door", "Five km north"]
    assert result.hits[0].distance_km == pytest.approx(0.111, abs=0.002)
    assert result.hits[1].distance_km == pytest.approx(5.56, abs=0.02)
    # Without a radius: every mapped service, nearest first.
    assert names(search_services(near=PG)) == [
        "Next door",
        "Five km north",
        "Box corner",
        "Vancouver",
    ]
    assert search_services(near=PG).hits[-1].distance_km == pytest.approx(520, abs=10)


def test_distance_is_to_the_nearest_location_of_a_service(bc_geography):
    from cairn.directory.models import Location, ServiceAtLocation

    service = build_service("Two sites", point=VANCOUVER)
    near_site = Location.objects.create(name="PG site", latitude=PG[0] + 0.01, longitude=PG[1])
    ServiceAtLocation.objects.create(service=service, location=near_site)
    result = search_services(near=PG, within_km=5)
    assert names(result) == ["Two sites"]
    assert result.hits[0].distance_km == pytest.approx(1.11, abs=0.01)
    assert result.hits[0].location == near_site


def test_bad_points_and_distances_name_the_field(bc_geography):
    for kwargs, field in [
        ({"near": (91, 0)}, "near"),
        ({"near": ("north", 0)}, "near"),
        ({"near": PG, "within_km": -1}, "within_km"),
        ({"within_km": 5}, "within_km"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
    ]:
        with pytest.raises(SearchError) as error:
            search_services(**kwargs)
        assert error.value.field == field, kwargs


def test_open_now_reads_hours_in_the_province_time_zone(bc_geography):
    build_service("Weekday clinic", hours=((1, 2, 3, 4, 5), "09:00", "17:00"))
    # Monday 23 November 2026, 10:00 in Vancouver is 18:00 UTC.
    assert names(search_services(open_at=at(2026, 11, 23, 10, 0))) == ["Weekday clinic"]
    utc_evening = dt.datetime(2026, 11, 24, 0, 30, tzinfo=dt.UTC)  # Monday 16:30 Pacific
    assert names(search_services(open_at=utc_evening)) == ["Weekday clinic"]
    utc_later = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)  # Monday 18:00 Pacific
    assert names(search_services(open_at=utc_later)) == []
    assert names(search_services(open_at=at(2026, 11, 23, 17, 0))) == []  # closes at 17:00
    assert names(search_services(open_at=at(2026, 11, 28, 10, 0))) == []  # Saturday


def test_open_now_follows_hours_past_midnight(bc_geography):
    build_service("Friday night shelter", types=("shelter",), hours=((5,), "20:00", "08:00"))
    assert names(search_services(open_at=at(2026, 11, 27, 23, 0))) == ["Friday night shelter"]
    assert names(search_services(open_at=at(2026, 11, 28, 7, 59))) == ["Friday night shelter"]
    assert names(search_services(open_at=at(2026, 11, 28, 8, 0))) == []
    assert names(search_services(open_at=at(2026, 11, 27, 19, 0))) == []


def test_open_now_uses_a_location_s_hours(bc_geography):
    service = build_service("Site hours only", hours=None)
    location = service.service_at_locations.get().location
    add_hours(location=location, days=(6, 7), opens="10:00", closes="14:00")
    assert names(search_services(open_at=at(2026, 11, 29, 11, 0))) == ["Site hours only"]
    assert names(search_services(open_at=at(2026, 11, 30, 11, 0))) == []


def test_each_result_says_whether_it_is_open_at_the_time_given(bc_geography):
    build_service("Weekday clinic", hours=((1, 2, 3, 4, 5), "09:00", "17:00"))
    build_service("Weekend drop-in", hours=((6, 7), "09:00", "17:00"))
    result = search_services(now=at(2026, 11, 28, 12, 0))
    assert {hit.service.name: hit.open_now for hit in result.hits} == {
        "Weekday clinic": False,
        "Weekend drop-in": True,
    }


def test_by_language_matches_the_code_and_its_variants(bc_geography):
    build_service("English only", languages=("en",))
    build_service("Punjabi spoken", languages=("en", "pa"))
    build_service("Traditional Chinese", languages=("zh-Hant",))
    assert names(search_services(language="pa")) == ["Punjabi spoken"]
    assert names(search_services(language="zh")) == ["Traditional Chinese"]
    assert names(search_services(language="EN")) == ["English only", "Punjabi spoken"]


def test_words_must_all_appear_in_name_description_or_provider(bc_geography):
    build_service("Rapid access clinic", provider_name="Northern Health")
    build_service("Drop-in", description="Fentanyl test strips and drug checking")
    assert names(search_services(text="rapid")) == ["Rapid access clinic"]
    assert names(search_services(text="NORTHERN rapid")) == ["Rapid access clinic"]
    assert names(search_services(text="checking strips")) == ["Drop-in"]
    assert names(search_services(text="rapid strips")) == []


def test_conditions_combine(bc_geography):
    lat, lon = PG
    build_service("Near OAT open", point=(lat + 0.01, lon), languages=("en", "fr"))
    build_service("Near OAT english", point=(lat + 0.02, lon))
    build_service("Near shelter", types=("shelter",), point=(lat + 0.01, lon), languages=("fr",))
    build_service("Far OAT", point=VANCOUVER, languages=("fr",))
    result = search_services(
        types=["oat"], near=PG, within_km=25, language="fr", open_at=at(2026, 11, 23, 10, 0)
    )
    assert names(result) == ["Near OAT open"]


def test_defunct_and_inactive_listings_are_left_out(bc_geography):
    build_service("Active")
    build_service("Closed for renovations", status="temporarily closed")
    build_service("Gone", status="defunct")
    build_service("Paused", status="inactive")
    assert names(search_services()) == ["Active", "Closed for renovations"]


def test_pages_and_total(bc_geography):
    lat, lon = PG
    for i in range(7):
        build_service(f"Service {i}", point=(lat + 0.01 * i, lon))
    first = search_services(near=PG, within_km=100, limit=3)
    assert names(first) == ["Service 0", "Service 1", "Service 2"]
    assert (first.total, first.page_count, first.has_next, first.has_previous) == (
        7,
        3,
        True,
        False,
    )
    last = search_services(near=PG, within_km=100, limit=3, offset=6)
    assert names(last) == ["Service 6"] and last.total == 7 and not last.has_next
    beyond = search_services(limit=3, offset=30)
    assert beyond.hits == [] and beyond.total == 7


def test_results_carry_capacity_staleness_and_types(bc_geography, service_intake):
    from cairn.directory.listings import update_capacity

    fresh = build_service("Fresh", types=("oat", "naloxone"), assured=dt.date.today())
    build_service("Old", assured=dt.date.today() - dt.timedelta(days=91))
    build_service("Never verified", assured=None)
    from django.db import transaction

    with transaction.atomic():
        update_capacity(
            actor=service_intake, service=fresh, kind="same_day_oat", is_available="yes"
        )
    hits = {hit.service.name: hit for hit in search_services().hits}
    assert [not hits[n].stale for n in ("Fresh", "Old", "Never verified")] == [True, False, False]
    assert hits["Fresh"].type_codes == ["naloxone", "oat"]
    assert [(c.kind, c.is_available) for c in hits["Fresh"].capacities] == [("same_day_oat", True)]
    assert hits["Fresh"].phone == "250-555-0100"
