"""The evaluation pages: survey results (table, charts, summary, CSV), the reach page with its
import and one-figure form, and the campaign page's two sections."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cairn.campaigns.models.reach import ReachMetric
from cairn.campaigns.tests import evaluation_fixtures
from cairn.campaigns.tests.evaluation_fixtures import add_responses, make_survey, scores

pytestmark = pytest.mark.django_db
pre_post_survey = evaluation_fixtures.pre_post_survey

REACH_CSV = (
    "channel,period_start,period_end,metric,label,value\n"
    "social_media,2026-01-12,2026-01-31,impressions,,1250000\n"
    "posters,2026-01-12,2026-03-29,naloxone_kit_requests,,412\n"
    "posters,2026-01-12,2026-03-29,clicks,,oops\n"
)


def signed_in(client, user):
    client.force_login(user)
    return client


def test_results_page_shows_the_difference_with_its_interval_charts_and_summary(
    client, communications_officer, pre_post_survey
):
    url = reverse("campaigns:survey_results", kwargs={"survey_id": pre_post_survey.pk})
    response = signed_in(client, communications_officer).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    headline = response.context["analysis"].headline
    assert f"{headline.low:.2f} to {headline.high:.2f}".replace("-", "−") in page
    assert "95% confidence interval" in page
    assert page.count('<svg class="results-chart"') == 3  # a means chart per measure
    assert "not proof that the campaign caused it" in page
    assert "Drug use as a health issue" in page and "Social distance" in page


def test_results_page_withholds_small_segments_and_draws_the_segment_plot(
    client, campaign, communications_officer
):
    survey = make_survey(
        campaign, communications_officer, segments=[("family", "Family"), ("trades", "Trades")]
    )
    add_responses(survey, "pre", scores(30, 3.2, seed=1), segment="family")
    add_responses(survey, "post", scores(30, 2.9, seed=2), segment="family")
    add_responses(survey, "pre", scores(5, 3.2, seed=3), segment="trades")
    add_responses(survey, "post", scores(5, 2.9, seed=4), segment="trades")
    url = reverse("campaigns:survey_results", kwargs={"survey_id": survey.pk})
    page = signed_in(client, communications_officer).get(url).content.decode()
    assert "By audience segment" in page
    assert "Too few responses to compare (each group needs at least 10)" in page
    assert "Trades: too few responses" in page  # the chart says it in words too


def test_results_csv_has_a_row_per_comparison(client, communications_officer, pre_post_survey):
    url = reverse("campaigns:survey_results_csv", kwargs={"survey_id": pre_post_survey.pk})
    response = signed_in(client, communications_officer).get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["measure"] for r in rows] == [
        "Total score",
        "Drug use as a health issue",
        "Social distance",
    ]
    assert rows[0]["interval_method"] == "Welch t" and rows[0]["effect_size"] == "Cohen's d"
    assert float(rows[0]["ci_low"]) < float(rows[0]["difference"]) < float(rows[0]["ci_high"])


def test_a_partner_organization_reads_results_but_cannot_import_reach(
    client, municipal_coordinator, campaign, pre_post_survey
):
    client = signed_in(client, municipal_coordinator)
    url = reverse("campaigns:survey_results", kwargs={"survey_id": pre_post_survey.pk})
    assert client.get(url).status_code == 200
    reach_url = reverse("campaigns:campaign_reach", kwargs={"campaign_id": campaign.pk})
    page = client.get(reach_url).content.decode()
    assert "Import a CSV file" not in page
    post = client.post(
        reverse("campaigns:reach_import", kwargs={"campaign_id": campaign.pk}),
        {"file": SimpleUploadedFile("reach.csv", REACH_CSV.encode())},
    )
    assert post.status_code == 403
    assert not ReachMetric.objects.exists()


def test_people_outside_the_campaign_get_404_and_people_without_campaigns_403(
    client, personas, team_campaign, er_nurse
):
    survey = make_survey(team_campaign, personas["municipal_coordinator"])
    url = reverse("campaigns:survey_results", kwargs={"survey_id": survey.pk})
    assert signed_in(client, er_nurse).get(url).status_code == 403
    # The First Nations partner sees only campaigns addressed to First Nations audiences.
    assert signed_in(client, personas["first_nations_partner"]).get(url).status_code == 404


def test_importing_reach_reports_row_errors_and_keeps_good_rows(
    client, communications_officer, campaign
):
    url = reverse("campaigns:reach_import", kwargs={"campaign_id": campaign.pk})
    response = signed_in(client, communications_officer).post(
        url, {"file": SimpleUploadedFile("reach.csv", REACH_CSV.encode())}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 rows read · 2 added · 0 updated · 0 unchanged · 1 refused" in page
    assert "Line 4, column value: “oops” is not a whole number" in page
    assert "1,250,000" in page and "Naloxone kit requests" in page
    again = client.post(url, {"file": SimpleUploadedFile("reach.csv", REACH_CSV.encode())})
    assert "0 added · 0 updated · 2 unchanged" in again.content.decode()
    assert ReachMetric.objects.filter(campaign=campaign).count() == 2


def test_a_file_that_cannot_be_read_answers_400_with_the_reason(
    client, communications_officer, campaign
):
    url = reverse("campaigns:reach_import", kwargs={"campaign_id": campaign.pk})
    client = signed_in(client, communications_officer)
    missing = client.post(url, {})
    assert missing.status_code == 400 and "Choose a CSV file" in missing.content.decode()
    bad = client.post(url, {"file": SimpleUploadedFile("r.csv", b"channel,value\ntv,1\n")})
    assert bad.status_code == 400
    assert "lacks the column(s) period_start, period_end, metric" in bad.content.decode()


def test_recording_one_figure_by_hand_and_correcting_it(client, communications_officer, campaign):
    url = reverse("campaigns:reach_record", kwargs={"campaign_id": campaign.pk})
    client = signed_in(client, communications_officer)
    row = {
        "channel": "posters",
        "period_start": "2026-02-01",
        "period_end": "2026-02-28",
        "metric": "helpline_calls",
        "label": "",
        "value": "57",
    }
    assert client.post(url, row).status_code == 200
    assert client.post(url, {**row, "value": "61"}).status_code == 200
    metric = ReachMetric.objects.get(campaign=campaign)
    assert (metric.value, metric.source) == (61, "form")
    refused = client.post(url, {**row, "period_end": "2026-01-01"})
    assert refused.status_code == 400
    assert "period_end: The period ends before it starts." in refused.content.decode()


def test_the_campaign_page_shows_each_survey_headline_and_the_reach_totals(
    client, communications_officer, campaign, pre_post_survey
):
    ReachMetric.objects.create(
        campaign=campaign,
        channel="social_media",
        period_start="2026-01-12",
        period_end="2026-01-31",
        metric="impressions",
        value=2_000_000,
        updated_by=communications_officer,
    )
    url = reverse("campaigns:campaign_detail", kwargs={"campaign_id": campaign.pk})
    page = signed_in(client, communications_officer).get(url).content.decode()
    assert "Survey results" in page
    assert "points lower in “After the campaign” than in “Before the campaign”" in page
    assert "An association, not proof" in page
    assert "2,000,000" in page
    assert "cost per 1,000 impressions $125.00" in page


def test_the_reach_template_downloads(client, communications_officer):
    response = signed_in(client, communications_officer).get(reverse("campaigns:reach_template"))
    assert response.status_code == 200
    assert response.content.decode().startswith(
        "channel,period_start,period_end,metric,label,value"
    )


def test_the_campaign_page_says_when_a_survey_has_no_responses_yet(
    client, communications_officer, campaign
):
    make_survey(campaign, communications_officer)
    url = reverse("campaigns:campaign_detail", kwargs={"campaign_id": campaign.pk})
    page = signed_in(client, communications_officer).get(url).content.decode()
    assert "No responses yet." in page
