"""The evaluation API: a survey's analysis, a campaign's reach (read, record, import)."""

import pytest

from cairn.campaigns.models.reach import ReachMetric
from cairn.campaigns.tests import evaluation_fixtures
from cairn.campaigns.tests.evaluation_fixtures import add_responses, make_survey, scores

pytestmark = pytest.mark.django_db
pre_post_survey = evaluation_fixtures.pre_post_survey

ROW = {
    "channel": "social_media",
    "period_start": "2026-01-12",
    "period_end": "2026-01-31",
    "metric": "impressions",
    "value": 1250000,
}


@pytest.fixture
def api(client, communications_officer):
    client.force_login(communications_officer)
    return client


def test_analysis_gives_each_comparison_with_interval_and_effect(api, pre_post_survey):
    body = api.get(f"/api/v1/campaigns/surveys/{pre_post_survey.pk}/analysis").json()
    assert body["design"] == "pre_post" and body["n_responses"] == 230
    assert [m["key"] for m in body["measures"]] == ["total", "health", "distance"]
    total = body["comparisons"][0]
    assert total["title"] == "After the campaign vs Before the campaign"
    assert total["ci_low"] < total["difference"] < total["ci_high"]
    assert total["interval_method"] == "welch" and total["effect"]["kind"] == "d"
    assert "not proof that the campaign caused it" in " ".join(body["summary"])
    assert body["measures"][0]["groups"][0]["n"] == 120


def test_withheld_groups_come_out_as_nulls(api, campaign, communications_officer):
    survey = make_survey(campaign, communications_officer)
    add_responses(survey, "pre", scores(20, 3.0))
    add_responses(survey, "post", scores(3, 3.0))
    body = api.get(f"/api/v1/campaigns/surveys/{survey.pk}/analysis").json()
    first = body["comparisons"][0]
    assert first["withheld"] and first["difference"] is None and first["effect"] is None
    assert first["withheld_reason"] == "Too few responses to compare"
    assert body["measures"][0]["groups"][1]["mean"] is None


def test_analysis_of_an_unknown_survey_is_404_and_outside_the_area_403(client, er_nurse, api):
    assert api.get("/api/v1/campaigns/surveys/999999/analysis").status_code == 404
    client.force_login(er_nurse)
    assert client.get("/api/v1/campaigns/surveys/999999/analysis").status_code == 403


def test_recording_reach_rows_twice_keeps_one_row_each(api, campaign):
    url = f"/api/v1/campaigns/{campaign.pk}/reach"
    first = api.post(url, {"rows": [ROW]}, content_type="application/json")
    assert first.status_code == 200 and first.json()["added"] == 1
    again = api.post(url, {"rows": [ROW]}, content_type="application/json")
    assert again.json()["unchanged"] == 1
    assert ReachMetric.objects.filter(campaign=campaign).count() == 1
    read = api.get(url).json()
    assert read["impressions"] == 1250000
    assert read["cost_per_thousand_impressions"] == "200.00"
    assert read["totals"] == [
        {
            "channel": "social_media",
            "metric": "impressions",
            "metric_name": "Impressions",
            "value": 1250000,
        }
    ]


def test_rows_all_refused_answer_422_naming_each_row_and_column(api, campaign):
    url = f"/api/v1/campaigns/{campaign.pk}/reach"
    bad = [{**ROW, "metric": "likes"}, {**ROW, "value": -1}]
    response = api.post(url, {"rows": bad}, content_type="application/json")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [(1, "metric"), (2, "value")]


def test_importing_csv_over_the_api(api, campaign):
    url = f"/api/v1/campaigns/{campaign.pk}/reach/import"
    csv_text = (
        "channel,period_start,period_end,metric,label,value\n"
        "posters,2026-01-12,2026-03-29,naloxone_kit_requests,,412\n"
        "posters,2026-01-12,2026-03-29,clicks,,lots\n"
    )
    response = api.post(url, csv_text, content_type="text/csv")
    assert response.status_code == 200
    body = response.json()
    assert (body["added"], body["refused"]) == (1, 1)
    assert body["errors"][0]["line"] == 3 and body["errors"][0]["column"] == "value"
    header_only = api.post(url, "channel,value\n", content_type="text/csv")
    assert header_only.status_code == 422 and "lacks the column(s)" in header_only.json()["detail"]


def test_a_partner_organization_reads_reach_but_cannot_record(
    client, municipal_coordinator, campaign
):
    client.force_login(municipal_coordinator)
    url = f"/api/v1/campaigns/{campaign.pk}/reach"
    assert client.get(url).status_code == 200
    response = client.post(url, {"rows": [ROW]}, content_type="application/json")
    assert response.status_code == 403


def test_agreement_per_item_over_the_api(api, campaign, communications_officer):
    from cairn.campaigns.tests.evaluation_fixtures import add_answer_sheets

    survey = make_survey(campaign, communications_officer)
    add_answer_sheets(survey, "pre", [{"q1": 4}] * 10 + [{"q1": 1}] * 10)
    add_answer_sheets(survey, "post", [{"q1": 5}] * 15 + [{"q1": 2}] * 5)
    body = api.get(f"/api/v1/campaigns/surveys/{survey.pk}/agreement").json()
    assert body["agree_answers"] == ["4", "5"]
    change = body["items"][0]["changes"][0]
    assert (change["compared_share"], change["reference_share"]) == (0.75, 0.5)
    assert change["ci_low"] < change["difference"] < change["ci_high"]
    assert body["items"][1]["changes"][0]["difference"] is None  # q2 never answered
