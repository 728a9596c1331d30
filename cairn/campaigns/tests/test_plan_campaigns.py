"""Planning a campaign: creating and changing it, the list's filters and the calendar."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from cairn.access.models import AuditEvent
from cairn.campaigns import planning
from cairn.campaigns.models import Audience, Campaign, Channel, Frame

from .conftest import make_campaign
from .plan_fixtures import CAMPAIGN_FORM

pytestmark = pytest.mark.django_db


def plan(actor, **changes):
    fields = {**CAMPAIGN_FORM, **changes}
    return planning.create_campaign(actor=actor, **fields)


def test_a_communications_officer_plans_a_province_wide_campaign(communications_officer):
    campaign = plan(communications_officer, idempotency_key="k1")
    assert campaign.organization.name == "Ministry of Mental Health and Addictions"
    assert campaign.owner == communications_officer
    assert sorted(campaign.audience_keys) == ["families", "general_public"]
    assert sorted(campaign.channel_keys) == ["billboards", "social_media"]
    assert [c.code for c in campaign.communities.all()] == ["bc"]
    assert campaign.budget == 120000
    assert AuditEvent.objects.filter(action="campaigns.campaign.create").count() == 1


def test_the_same_form_sent_twice_makes_one_campaign(communications_officer):
    first = plan(communications_officer, idempotency_key="double-click")
    second = plan(communications_officer, idempotency_key="double-click")
    assert first == second
    # A browser re-posting the form without its key does not duplicate either.
    third = plan(communications_officer)
    assert third == first
    assert Campaign.objects.count() == 1


def test_another_campaign_with_the_same_name_is_refused_naming_the_field(communications_officer):
    plan(communications_officer)
    with pytest.raises(planning.CampaignError) as error:
        plan(communications_officer, starts_on="2027-01-04", ends_on="2027-02-01")
    assert error.value.field == "name"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": " "}, "name"),
        ({"objective": ""}, "objective"),
        ({"frame": "shock"}, "frame"),
        ({"audiences": []}, "audiences"),
        ({"audiences": ["addicts"]}, "audiences"),
        ({"channels": ["carrier_pigeon"]}, "channels"),
        ({"communities": []}, "communities"),
        ({"communities": ["no-such-place"]}, "communities"),
        ({"starts_on": "2026-13-01"}, "starts_on"),
        ({"starts_on": "tomorrow"}, "starts_on"),
        ({"ends_on": "2026-05-01"}, "ends_on"),
        ({"budget": "a lot"}, "budget"),
        ({"budget": "-5"}, "budget"),
        ({"owner": "someone.else"}, "owner"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(communications_officer, changes, field):
    with pytest.raises(planning.CampaignError) as error:
        plan(communications_officer, **changes)
    assert error.value.field == field
    assert str(error.value)
    assert not Campaign.objects.exists()


def test_an_action_team_plans_only_where_its_municipality_works(municipal_coordinator):
    with pytest.raises(planning.CampaignError) as error:
        plan(municipal_coordinator, communities=["bc"])
    assert error.value.field == "communities"
    assert "outside" in str(error.value)
    campaign = plan(municipal_coordinator, communities=["bc-lha-prince-george"])
    assert campaign.organization.name == "City of Prince George"


@pytest.mark.parametrize("key", ["first_nations_partner", "epidemiologist", "outreach_worker"])
def test_people_without_manage_campaigns_cannot_plan(personas, key):
    with pytest.raises(PermissionDenied):
        plan(personas[key])


def test_the_plan_changes_and_audiences_are_replaced(communications_officer, campaign):
    planning.update_campaign(
        actor=communications_officer,
        campaign=campaign,
        **{
            **CAMPAIGN_FORM,
            "name": "Renamed",
            "audiences": ["first_nations_communities"],
            "communities": ["bc-ha-northern"],
        },
    )
    campaign.refresh_from_db()
    assert campaign.name == "Renamed"
    assert campaign.audience_keys == ["first_nations_communities"]
    assert campaign.needs_first_nations_approval
    assert AuditEvent.objects.filter(action="campaigns.campaign.update").exists()


def test_another_organization_cannot_change_the_plan(municipal_coordinator, campaign):
    with pytest.raises(PermissionDenied):
        planning.update_campaign(actor=municipal_coordinator, campaign=campaign, **CAMPAIGN_FORM)


# Filters -------------------------------------------------------------------------------


@pytest.fixture
def three_campaigns(communications_officer, municipal_coordinator):
    return {
        "province": make_campaign(communications_officer),  # 2026-01-12 to 2026-03-29
        "north": make_campaign(
            communications_officer,
            name="Northern families",
            communities=("bc-ha-northern",),
            audiences=(Audience.FAMILIES,),
            channels=(Channel.RADIO,),
            frame=Frame.HARM_REDUCTION,
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2026, 10, 31),
        ),
        "team": make_campaign(
            municipal_coordinator,
            name="Prince George trades",
            communities=("bc-lha-prince-george",),
            audiences=(Audience.EMPLOYERS_TRADES,),
            channels=(Channel.POSTERS,),
            frame=Frame.TREATMENT_ACCESS,
            starts_on=dt.date(2025, 11, 1),
            ends_on=dt.date(2026, 2, 15),
        ),
    }


def names(result):
    return sorted(c.name for c in result.campaigns)


@pytest.mark.parametrize(
    "params, expected",
    [
        (
            {},
            [
                "Northern families",
                "Prince George trades",
                "Stop overdose: people from all walks of life",
            ],
        ),
        ({"frame": "harm_reduction"}, ["Northern families"]),
        ({"audience": "employers_trades"}, ["Prince George trades"]),
        (
            {"channel": "posters"},
            ["Prince George trades", "Stop overdose: people from all walks of life"],
        ),
        # A community: what runs there, including province- and region-wide campaigns.
        (
            {"community": "bc-lha-prince-george"},
            [
                "Northern families",
                "Prince George trades",
                "Stop overdose: people from all walks of life",
            ],
        ),
        ({"community": "bc-lha-abbotsford"}, ["Stop overdose: people from all walks of life"]),
        (
            {"phase": "running"},
            ["Prince George trades", "Stop overdose: people from all walks of life"],
        ),
        ({"phase": "planned"}, ["Northern families"]),
        ({"phase": "ended"}, []),
        ({"year": "2025"}, ["Prince George trades"]),
        ({"q": "north"}, ["Northern families"]),
    ],
)
def test_the_list_filters(communications_officer, three_campaigns, params, expected):
    result = planning.filter_campaigns(Campaign.objects.all(), params, today=dt.date(2026, 2, 1))
    assert not result.errors
    assert names(result) == expected


def test_filter_by_organization(three_campaigns):
    organization = three_campaigns["team"].organization_id
    result = planning.filter_campaigns(Campaign.objects.all(), {"organization": str(organization)})
    assert names(result) == ["Prince George trades"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"frame": "shock"}, "frame"),
        ({"phase": "someday"}, "phase"),
        ({"year": "20x6"}, "year"),
        ({"organization": "ministry"}, "organization"),
        ({"community": "atlantis"}, "community"),
    ],
)
def test_a_filter_that_cannot_be_read_is_named(three_campaigns, params, field):
    result = planning.filter_campaigns(Campaign.objects.all(), params)
    assert field in result.errors


# Calendar ------------------------------------------------------------------------------


def test_the_calendar_draws_each_campaign_as_bars_across_its_days(three_campaigns):
    month = planning.month_calendar(Campaign.objects.all(), 2026, 2)
    assert month.title == "February 2026"
    assert month.weeks[0].days[0] == dt.date(2026, 1, 26)  # Monday first
    assert month.weeks[-1].days[-1] == dt.date(2026, 3, 1)
    assert [c.name for c in month.campaigns] == [
        "Prince George trades",
        "Stop overdose: people from all walks of life",
    ]
    first_week = month.weeks[0]
    assert {b.campaign.name: (b.column, b.span) for b in first_week.bars} == {
        "Prince George trades": (1, 7),
        "Stop overdose: people from all walks of life": (1, 7),
    }
    assert first_week.lanes == 2
    # The team's campaign ends Sunday 15 February, in the third week.
    third = {b.campaign.name: b for b in month.weeks[2].bars}
    assert third["Prince George trades"].span == 7
    assert not third["Prince George trades"].continues_after
    assert "Prince George trades" not in {b.campaign.name for b in month.weeks[3].bars}
    assert (month.previous, month.next) == ("2026-01", "2026-03")


def test_a_lane_is_reused_once_a_campaign_has_ended(communications_officer):
    make_campaign(
        communications_officer, name="A", starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 3)
    )
    make_campaign(
        communications_officer, name="B", starts_on=dt.date(2026, 3, 5), ends_on=dt.date(2026, 3, 6)
    )
    week = planning.month_calendar(Campaign.objects.all(), 2026, 3).weeks[1]
    assert week.days[0] == dt.date(2026, 3, 2)
    assert [(b.campaign.name, b.column, b.span, b.lane) for b in week.bars] == [
        ("A", 1, 2, 1),
        ("B", 4, 2, 1),
    ]
    assert week.lanes == 1


@pytest.mark.parametrize("value", ["2026-13", "March", "1999-01", "2026"])
def test_a_month_that_cannot_be_read_is_named(value):
    with pytest.raises(planning.CampaignError) as error:
        planning.month_of(value)
    assert error.value.field == "month"
