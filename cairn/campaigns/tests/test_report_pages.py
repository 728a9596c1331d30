"""The outcome series page (and its htmx section) and the campaign report, HTML and PDF."""

import pytest

from cairn.campaigns.report import build_report, render_report_pdf
from cairn.campaigns.tests import report_fixtures

pytestmark = pytest.mark.django_db

all_drug = report_fixtures.all_drug
recent_pg_campaign = report_fixtures.recent_pg_campaign


def _get(client, user, url, **headers):
    client.force_login(user)
    return client.get(url, headers=headers)


def test_the_team_coordinator_sees_the_series_with_the_campaign_shaded_and_the_estimate(
    client, recent_pg_campaign, municipal_coordinator
):
    url = f"/campaigns/{recent_pg_campaign.pk}/outcomes/"
    response = _get(client, municipal_coordinator, url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="campaign-band"' in html
    assert 'class="counterfactual"' in html  # the trend before, carried on
    assert "lower than the trend before it predicted" in html
    assert "Association, not proof." in html
    assert "Counts from 1 to 4 are hidden" in html  # aggregates tier


def test_the_ministry_officer_sees_a_municipal_campaign_read_only(
    client, recent_pg_campaign, communications_officer
):
    url = f"/campaigns/{recent_pg_campaign.pk}/outcomes/?freq=week"
    response = _get(client, communications_officer, url)
    assert response.status_code == 200
    assert "Weekly ED visits for a drug overdose" in response.content.decode()


def test_htmx_gets_the_section_only(client, recent_pg_campaign, municipal_coordinator):
    url = f"/campaigns/{recent_pg_campaign.pk}/outcomes/"
    response = _get(client, municipal_coordinator, url, HX_Request="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="outcome-series"' in html
    assert "HX-Request" in response["Vary"]


def test_a_bad_frequency_is_named(client, recent_pg_campaign, municipal_coordinator):
    response = _get(
        client, municipal_coordinator, f"/campaigns/{recent_pg_campaign.pk}/outcomes/?freq=day"
    )
    assert response.status_code == 400
    assert "freq: choose week or month, not &#x27;day&#x27;" in response.content.decode()


@pytest.mark.parametrize("suffix", ["outcomes/", "report/", "report.pdf"])
def test_people_who_may_not_see_the_campaign_get_404(
    client, recent_pg_campaign, police_liaison, er_nurse, suffix
):
    for user in (police_liaison, er_nurse):
        assert _get(client, user, f"/campaigns/{recent_pg_campaign.pk}/{suffix}").status_code == 404


def test_the_report_page_has_every_section_and_says_association(
    client, recent_pg_campaign, municipal_coordinator
):
    response = _get(client, municipal_coordinator, f"/campaigns/{recent_pg_campaign.pk}/report/")
    html = response.content.decode()
    assert response.status_code == 200
    for heading in (
        "Plan",
        "Materials and their language review",
        "Reach",
        "Survey results",
        "Outcomes in the campaign's communities",
    ):
        assert heading in html, heading
    assert "is an association, not proof" in html
    assert "Vancouver Canucks" in html


def test_the_pdf_report_is_a_pdf_with_the_estimate_and_the_caveat(
    client, recent_pg_campaign, municipal_coordinator
):
    response = _get(client, municipal_coordinator, f"/campaigns/{recent_pg_campaign.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    text = render_report_pdf(build_report(recent_pg_campaign), compress=False)
    assert b"association, not proof" in text.lower()
    assert b"rate ratio" in text


def test_a_campaign_planned_years_ahead_shows_no_periods_yet(client, communications_officer):
    import datetime as dt

    from cairn.campaigns.tests.conftest import make_campaign

    later = make_campaign(
        communications_officer, starts_on=dt.date(2030, 1, 7), ends_on=dt.date(2030, 2, 1)
    )
    page = _get(client, communications_officer, f"/campaigns/{later.pk}/outcomes/")
    assert page.status_code == 200 and "No whole month to show yet." in page.content.decode()
    report = _get(client, communications_officer, f"/campaigns/{later.pk}/report/")
    assert "No whole month to show yet." in report.content.decode()
    pdf = _get(client, communications_officer, f"/campaigns/{later.pk}/report.pdf")
    assert pdf.status_code == 200
