"""Fixtures every campaigns test may use: a planned campaign of the ministry's
communications officer, province-wide and in Prince George."""

import datetime

import pytest

from cairn.access.models import Organization
from cairn.campaigns.models import (
    Audience,
    Campaign,
    CampaignAudience,
    CampaignChannel,
    Channel,
    Frame,
)
from cairn.geography.models import Jurisdiction


def make_campaign(
    owner,
    *,
    name="Stop overdose: people from all walks of life",
    communities=("bc",),
    audiences=(Audience.GENERAL_PUBLIC,),
    channels=(Channel.SOCIAL_MEDIA, Channel.POSTERS),
    starts_on=datetime.date(2026, 1, 12),
    ends_on=datetime.date(2026, 3, 29),
    frame=Frame.HUMANIZING,
    organization=None,
) -> Campaign:
    organization = organization or Organization.objects.get(memberships__user=owner)
    campaign = Campaign.objects.create(
        name=name,
        objective="Fewer people see drug use as a moral failure; more see it as a health issue.",
        frame=frame,
        organization=organization,
        owner=owner,
        created_by=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        budget="250000.00",
        partners="Vancouver Canucks\nBC Lions",
    )
    campaign.communities.set(Jurisdiction.objects.filter(code__in=communities))
    for audience in audiences:
        CampaignAudience.objects.create(campaign=campaign, audience=audience)
    for channel in channels:
        CampaignChannel.objects.create(campaign=campaign, channel=channel)
    return campaign


@pytest.fixture
def campaign(communications_officer):
    return make_campaign(communications_officer)


@pytest.fixture
def first_nations_campaign(communications_officer):
    return make_campaign(
        communications_officer,
        name="Drug use is a health issue, not a moral issue",
        communities=("bc-ha-northern",),
        audiences=(Audience.FIRST_NATIONS_COMMUNITIES, Audience.FAMILIES),
    )


@pytest.fixture
def team_campaign(municipal_coordinator):
    return make_campaign(
        municipal_coordinator,
        name="Prince George: compassion matters",
        communities=("bc-lha-prince-george",),
        audiences=(Audience.GENERAL_PUBLIC, Audience.EMPLOYERS_TRADES),
    )
