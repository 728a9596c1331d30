"""The demo province follows the published BC figures it is calibrated on.

Expected figures are read here straight from the CSV files in cairn/demo/data/,
not through the generator's calibration code.
"""

import csv
import datetime as dt
import zoneinfo
from collections import Counter

import numpy as np
import pytest
from django.db.models import Count
from django.db.models.functions import ExtractYear

from cairn.demo.calibration import DATA_DIR, bc_calibration
from cairn.demo.plan import (
    ED_GENERAL,
    ED_OPIOID,
    ED_STIMULANT,
    LARGE_MIN_ED_VISITS,
    PARAMEDIC,
    Plan,
    RunSpec,
)
from cairn.geography.models import Jurisdiction, Population
from cairn.surveillance.models import Event

VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")


def read(name):
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def published_deaths(year):
    rows = read("bc_unregulated_drug_deaths_by_lha_2015_2022.csv")
    return sum(int(r["deaths"] or 0) for r in rows if r["year"] == str(year))


def plan(**spec):
    return Plan(RunSpec(**spec), bc_calibration())


@pytest.mark.django_db
def test_coroner_deaths_follow_the_published_year_and_places(demo_data):
    demo_data("--seed", "11", "--days", "365", "--scale", "tiny", "--end", "2022-12-31")

    deaths = Event.objects.filter(source="coroner")
    by_year = dict(
        deaths.annotate(year=ExtractYear("occurred_at", tzinfo=VANCOUVER))
        .values_list("year")
        .annotate(n=Count("id"))
    )
    # Suppressed counts (1-4 deaths) are not in the published total; the demo adds ~2 each.
    assert published_deaths(2022) * 0.97 < by_year[2022] < published_deaths(2022) * 1.06

    per_community = Counter(deaths.values_list("community__code", flat=True))
    population = dict(
        Population.objects.filter(year=2022, jurisdiction__level="community").values_list(
            "jurisdiction__code", "population"
        )
    )
    rates = {
        code: per_community[code] / population[code]
        for code in population
        if population[code] >= 20_000
    }
    ranked = sorted(rates, key=rates.get, reverse=True)
    assert ranked[0] == "bc-lha-vancouver-centre-north"
    assert "bc-lha-vancouver-westside" in ranked[len(ranked) // 2 :]


@pytest.mark.django_db
def test_paramedic_events_follow_the_health_authority_rates():
    rows = read("bc_paramedic_attended_overdose_rate_by_ha_monthly.csv")
    authority_population = dict(
        Population.objects.filter(year=2022, jurisdiction__level="health_authority").values_list(
            "jurisdiction__name", "population"
        )
    )
    expected = sum(
        float(r["rate_per_100k"]) / 100_000 * authority_population[r["region"]]
        for r in rows
        if r["month"].startswith("2022-")
    )

    counts = plan(seed=1, end=dt.date(2022, 12, 31), years=1).counts[PARAMEDIC]

    assert expected * 0.97 < counts.sum() < expected * 1.03


def test_overdose_ed_visits_follow_phac():
    rows = read("bc_substance_harms_ed_visits.csv")
    phac = {
        r["substance"]: float(r["value"])
        for r in rows
        if r["measure"] == "count" and r["period"] == "2022"
    }

    counts = plan(seed=1, end=dt.date(2022, 12, 31), years=1).counts

    assert phac["opioids"] * 0.97 < counts[ED_OPIOID].sum() < phac["opioids"] * 1.03


def test_non_overdose_ed_volume_follows_the_scale():
    small = plan(seed=1, end=dt.date(2022, 12, 31), years=2).counts[ED_GENERAL].sum()
    medium = plan(seed=1, end=dt.date(2022, 12, 31), years=2, scale="medium").counts
    assert 2 * 2_100_000 * 0.012 < small < 2 * 2_100_000 * 0.02
    assert 2 * 2_100_000 * 0.09 < medium[ED_GENERAL].sum() < 2 * 2_100_000 * 0.11


def test_large_has_at_least_ten_million_ed_visits_even_over_one_year():
    counts = plan(seed=1, end=dt.date(2022, 12, 31), years=1, scale="large").counts
    ed_visits = sum(int(counts[k].sum()) for k in (ED_GENERAL, ED_OPIOID, ED_STIMULANT))
    assert ed_visits >= LARGE_MIN_ED_VISITS


def test_overdoses_rise_in_cheque_week_and_ed_visits_on_mondays():
    p = plan(seed=1, end=dt.date(2023, 12, 31), years=3)
    cal = p.calendar
    days = slice(cal.offset, cal.offset + cal.count)
    paramedic = p.counts[PARAMEDIC].sum(axis=0)
    cheque_week = cal.cheque_factor()[days] > 1
    assert paramedic[cheque_week].mean() > 1.2 * paramedic[~cheque_week].mean()

    ed = p.counts[ED_GENERAL].sum(axis=0)
    weekday = cal.weekday[days]
    by_weekday = np.array([ed[weekday == d].mean() for d in range(7)])
    assert by_weekday.argmax() == 0  # Monday


def test_communities_are_the_geography_apps():
    codes = {c.code for c in bc_calibration().communities}
    assert len(codes) == 89
    assert "bc-lha-vancouver-centre-north" in codes


@pytest.mark.django_db
def test_calibration_communities_exist_in_the_loaded_geography(bc_geography):
    codes = {c.code for c in bc_calibration().communities}
    assert Jurisdiction.objects.filter(code__in=codes).count() == 89
