"""GET /api/v1/campaigns/{id}/outcomes and /report, persona by persona."""

import pytest

from cairn.campaigns.tests import report_fixtures

pytestmark = pytest.mark.django_db

all_drug = report_fixtures.all_drug
recent_pg_campaign = report_fixtures.recent_pg_campaign


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_outcomes_give_each_series_with_its_estimate_and_the_caveat(
    client, recent_pg_campaign, municipal_coordinator
):
    response = _get(
        client, municipal_coordinator, f"/api/v1/campaigns/{recent_pg_campaign.pk}/outcomes"
    )
    assert response.status_code == 200
    body = response.json()
    assert [s["key"] for s in body["series"]] == ["ed_visits", "oat_starts", "naloxone_kits"]
    ed = body["series"][0]
    assert ed["suppressed"] is True  # aggregates tier
    level = ed["estimate"]["level_change"]
    assert level["low"] < level["value"] < level["high"] < 1
    assert ed["estimate"]["errors"] == "newey_west"
    assert "not proof" in ed["note"]
    assert body["campaign_start"] == recent_pg_campaign.starts_on.isoformat()
    assert "Association, not proof" in body["association_note"]
    assert body["series"][1]["estimate"] is None  # no OAT starts recorded
    assert body["series"][1]["note"] == (
        "No OAT starts recorded in these communities over these months yet."
    )


def test_weekly_outcomes_and_a_bad_frequency(client, recent_pg_campaign, communications_officer):
    url = f"/api/v1/campaigns/{recent_pg_campaign.pk}/outcomes"
    weekly = _get(client, communications_officer, url + "?freq=week")
    assert weekly.status_code == 200 and weekly.json()["freq"] == "week"
    bad = client.get(url + "?freq=year")
    assert bad.status_code == 422
    assert bad.json()["detail"] == "freq must be week or month, not 'year'."


@pytest.mark.parametrize("path", ["outcomes", "report"])
def test_who_may_not_see_the_campaign_gets_404_and_anonymous_401(
    client, recent_pg_campaign, police_liaison, epidemiologist, path
):
    url = f"/api/v1/campaigns/{recent_pg_campaign.pk}/{path}"
    assert _get(client, None, url).status_code == 401
    for user in (police_liaison, epidemiologist):
        assert _get(client, user, url).status_code == 404
    assert _get(client, police_liaison, f"/api/v1/campaigns/0/{path}").status_code == 404


def test_the_report_holds_the_plan_and_suppressed_outcomes(
    client, recent_pg_campaign, municipal_coordinator
):
    response = _get(
        client, municipal_coordinator, f"/api/v1/campaigns/{recent_pg_campaign.pk}/report"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Prince George: people, not stereotypes"
    assert body["communities"] == ["Prince George"]
    assert body["materials"] == [] and body["surveys"] == [] and body["reach"] == []
    assert all(s["suppressed"] for s in body["outcomes"]["series"])
    assert "association, not proof" in body["association_note"]
