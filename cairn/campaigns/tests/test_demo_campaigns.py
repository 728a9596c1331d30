"""The demo's campaigns: planned through the same functions as the pages, and only once."""

import pytest
from django.db.models import Count

from cairn.campaigns.models import (
    Campaign,
    LanguageFinding,
    Material,
    MaterialStatus,
    ReachMetric,
    Response,
)
from cairn.demo.campaigns import load_demo_campaigns

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Campaign, Material, LanguageFinding, Response, ReachMetric)]


def test_the_demo_campaigns_load_once(personas):
    assert load_demo_campaigns() == 4
    first = _counts()

    assert load_demo_campaigns() == 0
    assert _counts() == first


def test_the_demo_poster_was_flagged_and_fixed_before_it_was_published(personas):
    load_demo_campaigns()

    poster = Material.objects.get(title="Addiction can affect people from all walks of life")
    assert poster.status == MaterialStatus.PUBLISHED
    assert "Addicts" not in poster.body
    assert poster.body.startswith("People with a substance use disorder")
    flagged = LanguageFinding.objects.get(review__material=poster, matched="Addicts")
    assert flagged.decision == "accepted"


def test_the_demo_surveys_have_answers_before_and_after_and_reach_per_channel(personas):
    load_demo_campaigns()

    stop = Campaign.objects.get(name="Stop overdose: people from all walks of life")
    survey = stop.surveys.get()
    waves = dict(
        Response.objects.filter(survey=survey)
        .values_list("wave__key")
        .annotate(n=Count("pk"))
        .order_by()
    )
    assert waves["pre"] > 400 and waves["post"] > 400
    assert set(stop.reach_metrics.values_list("channel", flat=True)) == set(stop.channel_keys)
