"""Fixtures of the report tests: outcome data in Prince George around a campaign.

The campaign (`pg_campaign`, of the municipal coordinator) runs in Prince George from
12 January 2026 to 29 March 2026; "today" is 26 November 2026, so the monthly window is
January 2024 to October 2026 (34 months, 24 before the start).
"""

import datetime as dt

import numpy as np
import pytest

from cairn.access.models import Organization
from cairn.campaigns.tests.conftest import make_campaign
from cairn.cases.models import Client, OatEpisode
from cairn.outreach.models import Encounter, Team
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models import CaseDefinition
from cairn.surveillance.models.counts import DailyCount

TODAY = dt.date(2026, 11, 26)
MONTHS = [dt.date(2024 + (m // 12), m % 12 + 1, 1) for m in range(34)]  # Jan 2024 .. Oct 2026
START_INDEX = 24  # January 2026


def monthly_ed_counts(seed: int = 3) -> np.ndarray:
    """About 60 visits a month, rising slowly, 25% lower from the campaign's month."""
    rng = np.random.default_rng(seed)
    t = np.arange(len(MONTHS))
    expected = 60 * np.exp(0.004 * t) * np.where(t >= START_INDEX, 0.75, 1.0)
    return rng.poisson(expected)


@pytest.fixture
def pg_campaign(municipal_coordinator):
    return make_campaign(
        municipal_coordinator,
        name="Prince George: compassion matters",
        communities=("bc-lha-prince-george",),
    )


@pytest.fixture
def all_drug(db):
    load_default_definitions()
    return CaseDefinition.objects.get(slug="all_drug")


@pytest.fixture
def pg_ed_visits(all_drug, prince_george):
    """Monthly ED visits in Prince George, each month's on its 10th; returns the counts."""
    counts = monthly_ed_counts()
    DailyCount.objects.bulk_create(
        DailyCount(
            community=prince_george,
            day=month.replace(day=10),
            source="ed",
            definition=all_drug,
            count=int(count),
        )
        for month, count in zip(MONTHS, counts, strict=True)
    )
    return counts


def oat_episode(community, started_on, *, stopped_on=None, switched_from=None, drug="methadone"):
    client = Client.objects.create(display_name="Alias", home_community=community)
    return OatEpisode.objects.create(
        client=client,
        origin="entered",
        drug=drug,
        started_on=started_on,
        stopped_on=stopped_on,
        switched_from=switched_from,
    )


def encounter(team, community, day, kits, *, voided=False):
    organization = Organization.objects.first()
    return Encounter.objects.create(
        team=team,
        organization=organization,
        recorded_by_name="outreach.worker",
        occurred_on=day,
        community=community,
        naloxone_kits=kits,
        voided_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC) if voided else None,
    )


@pytest.fixture
def pg_outreach_team(prince_george):
    team = Team.objects.create(name="Prince George Community Action Team", slug="prince-george")
    team.communities.set([prince_george])
    return team


def months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def recent_pg_campaign(municipal_coordinator, all_drug, prince_george):
    """A Prince George campaign that started ten months before today's month, with ED
    visits (about 60 a month, 25% fewer from the start) in every month of its window."""
    from cairn.campaigns.outcomes import outcome_window

    today = dt.date.today()
    starts_on = months_before(today, 10)
    campaign = make_campaign(
        municipal_coordinator,
        name="Prince George: people, not stereotypes",
        communities=("bc-lha-prince-george",),
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=75),
    )
    periods, _ = outcome_window(campaign, "month", today)
    rng = np.random.default_rng(11)
    start = periods.index(starts_on)
    t = np.arange(len(periods))
    counts = rng.poisson(60 * np.where(t >= start, 0.75, 1.0))
    DailyCount.objects.bulk_create(
        DailyCount(
            community=prince_george,
            day=month.replace(day=10),
            source="ed",
            definition=all_drug,
            count=int(count),
        )
        for month, count in zip(periods, counts, strict=True)
    )
    return campaign
