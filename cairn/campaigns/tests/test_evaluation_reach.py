"""Reach metrics: CSV import with row errors and idempotent upsert, and the totals."""

import datetime as dt
from decimal import Decimal

import pytest

from cairn.access.models import AuditEvent
from cairn.campaigns.evaluation.reach import (
    ReachImportError,
    import_reach_csv,
    reach_template_csv,
    reach_totals,
)
from cairn.campaigns.models.reach import ReachMetric

pytestmark = pytest.mark.django_db

GOOD = """channel,period_start,period_end,metric,label,value
social_media,2026-01-12,2026-01-31,impressions,,1250000
Social media,2026-01-12,2026-01-31,clicks,,"18,400"
posters,2026-01-12,2026-03-29,impressions,,750000
posters,2026-01-12,2026-03-29,other,QR code scans,830
"""


def test_a_good_file_is_saved_row_by_row(campaign, communications_officer):
    result = import_reach_csv(campaign=campaign, user=communications_officer, content=GOOD)
    assert (result.rows_read, result.added, result.updated, result.errors) == (4, 4, 0, [])
    clicks = ReachMetric.objects.get(campaign=campaign, metric="clicks")
    assert (clicks.channel, clicks.value, clicks.source) == ("social_media", 18400, "csv")
    assert clicks.period_start == dt.date(2026, 1, 12)
    assert clicks.updated_by == communications_officer
    event = AuditEvent.objects.get(action="campaigns.reach_import")
    assert "4 added" in event.summary


def test_importing_the_same_file_again_changes_nothing(campaign, communications_officer):
    import_reach_csv(campaign=campaign, user=communications_officer, content=GOOD)
    again = import_reach_csv(campaign=campaign, user=communications_officer, content=GOOD)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    assert ReachMetric.objects.filter(campaign=campaign).count() == 4


def test_a_corrected_file_updates_values_in_place(campaign, communications_officer):
    import_reach_csv(campaign=campaign, user=communications_officer, content=GOOD)
    corrected = GOOD.replace("1250000", "1300000")
    result = import_reach_csv(campaign=campaign, user=communications_officer, content=corrected)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 3)
    assert (
        ReachMetric.objects.get(
            campaign=campaign, metric="impressions", channel="social_media"
        ).value
        == 1300000
    )


def test_bad_rows_are_reported_by_line_and_column_and_good_rows_kept(
    campaign, communications_officer
):
    content = (
        "channel,period_start,period_end,metric,label,value\n"
        "social_media,2026-01-12,2026-01-31,impressions,,1000\n"
        "carrier pigeon,2026-01-12,2026-01-31,impressions,,10\n"
        "tv,2026-01-12,2026-01-31,impressions,,10\n"
        "posters,2026-02-30,2026-01-31,clicks,,10\n"
        "posters,2026-02-01,2026-01-31,clicks,,10\n"
        "posters,2026-02-01,2026-02-28,likes,,10\n"
        "posters,2026-02-01,2026-02-28,other,,10\n"
        "posters,2026-02-01,2026-02-28,clicks,extra,10\n"
        "posters,2026-02-01,2026-02-28,clicks,,-5\n"
        "posters,2026-02-01,2026-02-28,clicks,,12.5\n"
        "social_media,2026-01-12,2026-01-31,impressions,,2000\n"
    )
    result = import_reach_csv(campaign=campaign, user=communications_officer, content=content)
    found = {(e.line, e.column) for e in result.errors}
    assert found == {
        (3, "channel"),  # not a channel
        (4, "channel"),  # a channel the campaign does not use
        (5, "period_start"),  # 30 February
        (6, "period_end"),  # ends before it starts
        (7, "metric"),
        (8, "label"),  # other without a label
        (9, "label"),  # a label on a named metric
        (10, "value"),
        (11, "value"),
        (12, "value"),  # the same key as line 2 with another value
    }
    messages = {(e.line, e.column): e.message for e in result.errors}
    assert "“carrier pigeon” is not a channel" in messages[(3, "channel")]
    assert "does not use the channel “tv”" in messages[(4, "channel")]
    assert "Line 2 has the same channel, period and metric" in messages[(12, "value")]
    assert result.added == 1 and result.refused == 10
    assert ReachMetric.objects.get(campaign=campaign).value == 1000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("channel,metric,value\ntv,clicks,1\n", "lacks the column(s) period_start, period_end"),
        (b"\xff\xfe\x00c", "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(
    campaign, communications_officer, content, message
):
    with pytest.raises(ReachImportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_reach_csv(campaign=campaign, user=communications_officer, content=content)


def test_the_template_file_imports_cleanly(campaign, communications_officer):
    result = import_reach_csv(
        campaign=campaign, user=communications_officer, content=reach_template_csv().encode()
    )
    assert result.errors == [] and result.added == 3


def test_totals_per_channel_and_metric_with_cost_per_thousand_impressions(
    campaign, communications_officer
):
    import_reach_csv(campaign=campaign, user=communications_officer, content=GOOD)
    totals = reach_totals(campaign)
    assert totals.columns == [
        ("impressions", "Impressions"),
        ("clicks", "Clicks"),
        ("other:QR code scans", "QR code scans"),
    ]
    assert totals.rows == [
        ("Social media", [1250000, 18400, None]),
        ("Posters", [750000, None, 830]),
    ]
    assert totals.totals == [2000000, 18400, 830]
    # Budget $250,000 over 2,000,000 impressions: $125.00 per 1,000.
    assert totals.cost_per_thousand_impressions == Decimal("125.00")
    assert (totals.first_day, totals.last_day) == (dt.date(2026, 1, 12), dt.date(2026, 3, 29))


def test_no_cost_per_thousand_without_a_budget_or_impressions(campaign, communications_officer):
    campaign.budget = None
    campaign.save()
    import_reach_csv(campaign=campaign, user=communications_officer, content=GOOD)
    assert reach_totals(campaign).cost_per_thousand_impressions is None
