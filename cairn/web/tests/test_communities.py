from datetime import timedelta
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.surveillance.classification import classify_and_store
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models import Event, Source

_dedup = count()


def record_events(community, source, how_many, *, days_ago=10):
    """Overdose events, classified as intake would (an ED visit counts when it meets all_drug)."""
    load_default_definitions()
    occurred_at = timezone.now() - timedelta(days=days_ago)
    events = [
        Event.objects.create(
            source=source,
            occurred_at=occurred_at,
            community=community,
            chief_complaint="found down, narcan given",
            diagnosis_codes=["T40.4X1A"],
            dedup_key=f"web-test-{next(_dedup)}",
        )
        for _ in range(how_many)
    ]
    classify_and_store(events)


def detail_url(code):
    return reverse("community_detail", args=[code])


def test_police_liaison_opens_prince_george(client, police_liaison, prince_george):
    client.force_login(police_liaison)

    response = client.get(detail_url("bc-lha-prince-george"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Prince George</h1>" in html
    assert "Northern Interior" in html  # breadcrumbs: its HSDA and health authority
    assert "Northern" in html


def test_police_liaison_is_refused_vancouver_centre_north(client, police_liaison):
    client.force_login(police_liaison)

    response = client.get(detail_url("bc-lha-vancouver-centre-north"))

    assert response.status_code == 403
    assert "You don't have access to this page" in response.content.decode()


def test_unknown_community_is_not_found(client, police_liaison):
    client.force_login(police_liaison)

    response = client.get(detail_url("bc-lha-atlantis"))

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_health_authority_code_is_not_a_community_page(client, epidemiologist):
    client.force_login(epidemiologist)

    assert client.get(detail_url("bc-ha-northern")).status_code == 404


def test_community_page_sends_anonymous_visitors_to_sign_in(client, prince_george):
    response = client.get(detail_url("bc-lha-prince-george"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_community_page_draws_the_boundary_as_inline_svg(client, police_liaison, prince_george):
    client.force_login(police_liaison)

    html = client.get(detail_url("bc-lha-prince-george")).content.decode()

    assert '<svg viewBox="0 0 640 ' in html
    assert 'role="img"' in html
    assert '<title id="map-title">Map of Prince George</title>' in html
    assert '<path class="map-community" d="M' in html
    assert 'fill-rule="evenodd"' in html
    assert 'data-code="bc-lha-quesnel"' in html  # a neighbour in Northern Interior, drawn lightly


def test_community_page_shows_population_by_year_marked_approximate(
    client, police_liaison, prince_george
):
    client.force_login(police_liaison)

    html = client.get(detail_url("bc-lha-prince-george")).content.decode()

    for year in range(2015, 2023):
        assert f'<th scope="row">{year}</th>' in html
    assert "approximately </span>106,329" in html
    assert "Source: Derived from BC Coroners Service" in html


def test_aggregate_tier_sees_a_count_of_3_as_suppressed(client, police_liaison, prince_george):
    record_events(prince_george, Source.EMERGENCY_DEPARTMENT, 3)
    record_events(prince_george, Source.PARAMEDIC, 12)
    client.force_login(police_liaison)

    html = client.get(detail_url("bc-lha-prince-george")).content.decode()

    ed_row = html.split("Emergency department visit</th>")[1].split("</tr>")[0]
    assert "suppressed" in ed_row
    assert ">3<" not in ed_row
    assert "counts from 1 to 4 are shown as “suppressed”" in html


def test_epidemiologist_sees_the_exact_count_of_3(client, epidemiologist, prince_george):
    record_events(prince_george, Source.EMERGENCY_DEPARTMENT, 3)
    record_events(prince_george, Source.PARAMEDIC, 12)
    client.force_login(epidemiologist)

    html = client.get(detail_url("bc-lha-prince-george")).content.decode()

    ed_row = html.split("Emergency department visit</th>")[1].split("</tr>")[0]
    assert '<td class="num">3</td>' in ed_row
    assert "suppressed" not in html
    assert '<td class="num">15</td>' in html  # all sources


def test_event_counts_cover_the_last_12_months_of_data(client, epidemiologist, prince_george):
    record_events(prince_george, Source.CORONER, 2, days_ago=10)
    record_events(prince_george, Source.CORONER, 5, days_ago=400)
    client.force_login(epidemiologist)

    html = client.get(detail_url("bc-lha-prince-george")).content.decode()

    coroner_row = html.split("Coroner death</th>")[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in coroner_row


def test_community_page_without_events_says_so(client, police_liaison, prince_george):
    client.force_login(police_liaison)

    html = client.get(detail_url("bc-lha-prince-george")).content.decode()

    assert "No overdose events are recorded in Cairn yet" in html


def test_community_page_runs_a_bounded_number_of_queries(
    client, epidemiologist, prince_george, django_assert_max_num_queries
):
    record_events(prince_george, Source.PARAMEDIC, 6)
    client.force_login(epidemiologist)

    with django_assert_max_num_queries(20):
        assert client.get(detail_url("bc-lha-prince-george")).status_code == 200


def test_police_liaison_lists_only_prince_george(client, police_liaison):
    client.force_login(police_liaison)

    response = client.get(reverse("community_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert detail_url("bc-lha-prince-george") in html
    assert html.count('<th scope="row"><a href="/communities/') == 1
    assert "Northern" in html and "Northern Interior" in html


def test_community_list_groups_by_health_authority_and_hsda(client, epidemiologist):
    client.force_login(epidemiologist)

    response = client.get(reverse("community_list"))

    assert response.context["community_count"] == 89
    authorities = [group.name for group in response.context["groups"]]
    assert authorities == [
        "Fraser",
        "Interior",
        "Northern",
        "Vancouver Coastal",
        "Vancouver Island",
    ]
    northern = response.context["groups"][2]
    interior_area = next(area for area in northern.areas if area.name == "Northern Interior")
    prince_george = next(c for c in interior_area.communities if c.name == "Prince George")
    assert (prince_george.population, prince_george.population_year) == (106_329, 2022)
    assert prince_george.population_is_estimate


def test_community_list_search_answers_htmx_with_the_partial(client, epidemiologist):
    client.force_login(epidemiologist)

    response = client.get(
        reverse("community_list"), {"q": "prince"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "<html" not in html
    assert "Prince George" in html and "Prince Rupert" in html
    assert "Abbotsford" not in html
    assert "3 communities matching “prince”" in html  # and Princeton


def test_community_list_search_without_match_says_so(client, police_liaison):
    client.force_login(police_liaison)

    html = client.get(reverse("community_list"), {"q": "vancouver"}).content.decode()

    assert "No community you can open matches “vancouver”" in html


@pytest.mark.parametrize("q", ["%", "'; drop table x; --", "<script>", "x" * 5000, "\x00"])
def test_community_list_survives_odd_searches(client, epidemiologist, q):
    client.force_login(epidemiologist)

    response = client.get(reverse("community_list"), {"q": q})

    assert response.status_code in (200, 400)
    assert "<script>" not in response.content.decode().split("</head>")[1]
