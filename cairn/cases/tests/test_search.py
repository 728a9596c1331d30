"""Client search: fuzzy on names, aliases and birth dates; exact on health numbers."""

import datetime as dt

import pytest

from cairn.cases import queries
from cairn.cases.tests.conftest import make_client

BORN = dt.date(1988, 4, 9)


@pytest.fixture
def people(er_nurse):
    return {
        "alex": make_client(
            er_nurse,
            given_name="Alex",
            family_name="Testerson",
            date_of_birth=BORN,
            health_number="9999012345",
        ),
        "katherine": make_client(
            er_nurse,
            given_name="Katherine",
            family_name="Mockett",
            date_of_birth=dt.date(1979, 11, 2),
            aliases=["Kat"],
        ),
        "sparrow": make_client(er_nurse, aliases=["Sparrow"], approximate_age=40),
    }


def names(result) -> list[str]:
    return [c.client.display_name for c in result.candidates]


def test_search_finds_a_misspelled_name_first(er_nurse, people):
    result = queries.search_clients(er_nurse, queries.parse_search("Alec Testersen"))
    assert names(result)[0] == "Alex Testerson"


def test_search_finds_sound_alike_names(er_nurse, people):
    result = queries.search_clients(er_nurse, queries.parse_search("Catherine Mockett"))
    assert names(result)[0] == "Katherine Mockett"


def test_search_finds_an_alias(er_nurse, people):
    assert names(queries.search_clients(er_nurse, queries.parse_search("sparrow"))) == ["Sparrow"]
    assert "Katherine Mockett" in names(
        queries.search_clients(er_nurse, queries.parse_search("Kat"))
    )


def test_search_by_date_of_birth_also_finds_day_and_month_swapped(er_nurse, people):
    result = queries.search_clients(er_nurse, queries.parse_search("1988-09-04"))
    assert names(result) == ["Alex Testerson"]
    assert result.candidates[0].score.reasons[0].level == "dob_swapped"


def test_search_by_health_number_is_exact(er_nurse, people):
    found = queries.search_clients(er_nurse, queries.parse_search("9999 012 345"))
    assert names(found) == ["Alex Testerson"] and found.candidates[0].score.decisive
    assert names(queries.search_clients(er_nurse, queries.parse_search("9999 012 346"))) == []


def test_search_reads_a_name_and_a_date_from_one_box(er_nurse, people):
    terms = queries.parse_search("alex testerson 09/04/1988")
    assert terms.names == ("alex testerson",) and terms.date_of_birth == BORN


def test_an_impossible_date_is_a_clear_error():
    with pytest.raises(queries.SearchError, match="not a real date"):
        queries.parse_search("alex 1988-02-31")


def test_search_shows_only_the_users_organizations(other_clinician, people):
    assert (
        names(queries.search_clients(other_clinician, queries.parse_search("Alex Testerson"))) == []
    )
