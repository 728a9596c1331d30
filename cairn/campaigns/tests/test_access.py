"""Who sees and changes a campaign (cairn/campaigns/access.py), persona by persona."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cairn.campaigns.access import campaigns_for, get_campaign_for, may_approve_first_nations


def test_the_organization_that_runs_a_campaign_manages_it(communications_officer, campaign):
    assert get_campaign_for(communications_officer, campaign.pk, manage=True) == campaign


def test_a_municipal_coordinator_reads_a_province_wide_campaign_but_cannot_change_it(
    municipal_coordinator, campaign
):
    assert get_campaign_for(municipal_coordinator, campaign.pk) == campaign
    with pytest.raises(PermissionDenied):
        get_campaign_for(municipal_coordinator, campaign.pk, manage=True)


def test_the_ministry_reads_an_action_team_campaign_in_its_province(
    communications_officer, team_campaign
):
    assert list(campaigns_for(communications_officer)) == [team_campaign]
    with pytest.raises(PermissionDenied):
        get_campaign_for(communications_officer, team_campaign.pk, manage=True)


@pytest.mark.parametrize(
    "key", ["er_nurse", "police_liaison", "outreach_worker", "epidemiologist", "administrator"]
)
def test_people_without_a_campaign_role_see_no_campaign(personas, campaign, key):
    assert not campaigns_for(personas[key]).exists()
    with pytest.raises(Http404):
        get_campaign_for(personas[key], campaign.pk)


def test_first_nations_partner_sees_and_approves_only_campaigns_addressed_to_first_nations(
    first_nations_partner, campaign, first_nations_campaign
):
    assert list(campaigns_for(first_nations_partner)) == [first_nations_campaign]
    assert may_approve_first_nations(first_nations_partner, first_nations_campaign)
    assert not may_approve_first_nations(first_nations_partner, campaign)
    with pytest.raises(PermissionDenied):
        get_campaign_for(first_nations_partner, first_nations_campaign.pk, manage=True)


def test_an_unknown_or_malformed_campaign_id_is_404(communications_officer):
    for bad in (999999, "abc", None):
        with pytest.raises(Http404):
            get_campaign_for(communications_officer, bad)
