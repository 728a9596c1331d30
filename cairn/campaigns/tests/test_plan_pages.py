"""The planning pages: the list, the calendar, the form, the campaign's page, persona by
persona; wrong input answers 400 naming the field and keeps what was typed."""

import pytest
from django.urls import reverse

from cairn.campaigns.models import Campaign
from cairn.campaigns.models.materials import FirstNationsApproval

from .plan_fixtures import CAMPAIGN_FORM

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_list_shows_what_the_officer_may_open_with_filters(
    client, communications_officer, campaign, team_campaign
):
    page = signed_in(client, communications_officer).get(reverse("campaigns:campaign_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert campaign.name in text and team_campaign.name in text
    assert "Plan a campaign" in text
    filtered = client.get(reverse("campaigns:campaign_list"), {"audience": "employers_trades"})
    assert team_campaign.name in filtered.content.decode()
    assert campaign.name not in filtered.content.decode()


def test_a_filter_that_cannot_be_read_answers_400_naming_it(client, communications_officer):
    page = signed_in(client, communications_officer).get(
        reverse("campaigns:campaign_list"), {"frame": "shock"}
    )
    assert page.status_code == 400
    assert 'data-field="frame"' in page.content.decode()


def test_the_list_under_htmx_answers_with_its_rows(client, communications_officer, campaign):
    page = signed_in(client, communications_officer).get(
        reverse("campaigns:campaign_list"), HTTP_HX_REQUEST="true"
    )
    assert page.status_code == 200
    assert page.content.decode().lstrip().startswith('<div id="campaign-rows">')


def test_the_first_nations_partner_sees_only_campaigns_addressed_to_first_nations(
    client, first_nations_partner, campaign, first_nations_campaign
):
    text = (
        signed_in(client, first_nations_partner)
        .get(reverse("campaigns:campaign_list"))
        .content.decode()
    )
    assert first_nations_campaign.name in text
    assert campaign.name not in text
    assert "Plan a campaign" not in text


def test_the_calendar_draws_the_month(client, communications_officer, campaign):
    page = signed_in(client, communications_officer).get(
        reverse("campaigns:campaign_calendar"), {"month": "2026-02"}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Campaign calendar: February 2026" in text
    assert "grid-column: 1 / span 7" in text
    assert f'data-campaign="{campaign.pk}"' in text
    assert "?month=2026-03" in text


def test_a_month_that_cannot_be_read_answers_400(client, communications_officer):
    page = signed_in(client, communications_officer).get(
        reverse("campaigns:campaign_calendar"), {"month": "2026-13"}
    )
    assert page.status_code == 400
    assert 'data-field="month"' in page.content.decode()


def test_planning_through_the_form_and_a_double_click_makes_one(client, communications_officer):
    signed_in(client, communications_officer)
    form = client.get(reverse("campaigns:campaign_new"))
    assert form.status_code == 200
    key = form.context["idempotency_key"]
    data = {**CAMPAIGN_FORM, "idempotency_key": key}
    first = client.post(reverse("campaigns:campaign_new"), data)
    second = client.post(reverse("campaigns:campaign_new"), data)
    campaign = Campaign.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/campaigns/{campaign.pk}/"


def test_a_bad_form_answers_400_naming_the_field_and_keeps_what_was_typed(
    client, communications_officer
):
    data = {**CAMPAIGN_FORM, "ends_on": "2026-01-01"}
    page = signed_in(client, communications_officer).post(reverse("campaigns:campaign_new"), data)
    assert page.status_code == 400
    text = page.content.decode()
    assert 'data-field="ends_on"' in text
    assert "must end on or after the day it starts" in text
    assert CAMPAIGN_FORM["name"] in text
    assert not Campaign.objects.exists()


def test_an_empty_form_answers_400(client, communications_officer):
    page = signed_in(client, communications_officer).post(reverse("campaigns:campaign_new"), {})
    assert page.status_code == 400


def test_the_form_offers_only_communities_the_organization_covers(client, municipal_coordinator):
    page = signed_in(client, municipal_coordinator).get(reverse("campaigns:campaign_new"))
    codes = {c.code for _, rows in page.context["community_groups"] for c in rows}
    assert codes == {"bc-lha-prince-george"}


def test_changing_the_plan(client, communications_officer, campaign):
    signed_in(client, communications_officer)
    url = reverse("campaigns:campaign_edit", args=[campaign.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**CAMPAIGN_FORM, "name": "A new name"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "A new name"


@pytest.mark.parametrize(
    "persona, status",
    [("municipal_coordinator", 403), ("first_nations_partner", 404), ("er_nurse", 404)],
)
def test_only_the_organization_that_runs_it_changes_the_plan(
    client, personas, campaign, persona, status
):
    signed_in(client, personas[persona])
    url = reverse("campaigns:campaign_edit", args=[campaign.pk])
    assert client.get(url).status_code == status
    assert client.post(url, CAMPAIGN_FORM).status_code == status


@pytest.mark.parametrize(
    "persona, status",
    [
        ("communications_officer", 200),
        ("municipal_coordinator", 200),
        ("first_nations_partner", 404),
        ("epidemiologist", 404),
    ],
)
def test_who_opens_the_campaign_page(client, personas, campaign, persona, status):
    page = signed_in(client, personas[persona]).get(
        reverse("campaigns:campaign_detail", args=[campaign.pk])
    )
    assert page.status_code == status


def test_the_campaign_page_shows_the_plan_and_the_other_parts_sections(
    client, communications_officer, campaign
):
    page = signed_in(client, communications_officer).get(
        reverse("campaigns:campaign_detail", args=[campaign.pk])
    )
    text = page.content.decode()
    assert "Vancouver Canucks" in text
    assert "Add a material" in text
    assert "Change the plan" in text
    used = [t.name for t in page.templates]
    order = [
        "campaigns/surveys/_campaign_surveys.html",
        "campaigns/evaluation/_campaign_results.html",
        "campaigns/evaluation/_campaign_reach.html",
        "campaigns/report/_campaign_outcomes.html",
    ]
    assert [name for name in used if name in order] == order


def test_a_municipal_coordinator_reads_a_province_wide_campaign_without_changing_it(
    client, municipal_coordinator, campaign
):
    text = (
        signed_in(client, municipal_coordinator)
        .get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
        .content.decode()
    )
    assert campaign.name in text
    assert "Add a material" not in text and "Change the plan" not in text


def test_a_first_nations_partner_approves_on_the_campaign_page(
    client, first_nations_partner, first_nations_campaign
):
    signed_in(client, first_nations_partner)
    page = client.get(reverse("campaigns:campaign_detail", args=[first_nations_campaign.pk]))
    assert "Record the decision" in page.content.decode()
    url = reverse("campaigns:first_nations_approval", args=[first_nations_campaign.pk])
    refused = client.post(url, {"decision": "changes_requested", "note": ""})
    assert refused.status_code == 400
    assert 'data-field="note"' in refused.content.decode()
    data = {"decision": "approved", "note": "Reviewed with our elders.", "idempotency_key": "k"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    approval = FirstNationsApproval.objects.get()
    assert approval.organization.name == "Northern First Nations Health Partnership"
    assert "Approved by Northern First Nations Health Partnership" in (
        client.get(
            reverse("campaigns:campaign_detail", args=[first_nations_campaign.pk])
        ).content.decode()
    )


def test_the_communications_officer_cannot_record_a_first_nations_decision(
    client, communications_officer, first_nations_campaign
):
    url = reverse("campaigns:first_nations_approval", args=[first_nations_campaign.pk])
    response = signed_in(client, communications_officer).post(url, {"decision": "approved"})
    assert response.status_code == 403
    assert not FirstNationsApproval.objects.exists()


def test_people_without_a_campaign_role_get_403_on_the_list(client, er_nurse):
    assert signed_in(client, er_nurse).get(reverse("campaigns:campaign_list")).status_code == 403


@pytest.mark.parametrize(
    "url_name, method, data",
    [
        ("campaigns:campaign_list", "get", {"q": "a\x00b", "community": "bc\x00"}),
        ("campaigns:campaign_calendar", "get", {"month": "2026\x00-01", "year": "\x00"}),
        ("campaigns:campaign_new", "post", {**CAMPAIGN_FORM, "communities": ["bc\x00"]}),
        ("campaigns:campaign_new", "post", {**CAMPAIGN_FORM, "owner": "comms\x00officer"}),
        ("campaigns:campaign_new", "post", {**CAMPAIGN_FORM, "idempotency_key": "k\x00"}),
        ("campaigns:campaign_new", "post", {**CAMPAIGN_FORM, "organization": "x\x00"}),
    ],
)
def test_nul_characters_never_break_a_page(client, communications_officer, url_name, method, data):
    response = getattr(signed_in(client, communications_officer), method)(reverse(url_name), data)
    assert response.status_code in (200, 302, 400)
