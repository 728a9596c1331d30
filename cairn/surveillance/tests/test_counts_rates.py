"""Rates and intervals against published and R-produced reference values.

R values come from `cairn/surveillance/counts/rates_reference.R` (R's stats package:
poisson.test and binom.test), printed to 12 decimals.
"""

import pytest

from cairn.surveillance.counts.rates import (
    RateNotAvailable,
    age_standardized_rate,
    canada_2011_standard_population,
    poisson_interval,
    rate_per_100k,
    share_per_10k,
)

# Published: epitools' pois.exact documentation ("for x = 0 the upper limit is 3.689");
# GraphPad / Motulsky, Intuitive Biostatistics: 42 events, 95% CI 30.27 to 56.77;
# R's poisson.test for the rest.
POISSON_95 = {
    0: (0.0, 3.688879454114),
    1: (0.025317807984, 5.571643390939),
    2: (0.242209278544, 7.224687667724),
    5: (1.623486390118, 11.668332079323),
    10: (4.795388696132, 18.390356042018),
    42: (30.269905732478, 56.771798778491),
    137: (115.020534433799, 161.956404688073),
    1000: (938.973018407695, 1063.952136016302),
}


@pytest.mark.parametrize(("count", "expected"), POISSON_95.items())
def test_poisson_interval_matches_r_poisson_test(count, expected):
    low, high = poisson_interval(count)
    assert low == pytest.approx(expected[0], rel=1e-9, abs=1e-12)
    assert high == pytest.approx(expected[1], rel=1e-9)


def test_poisson_interval_matches_published_rounded_values():
    assert round(poisson_interval(0)[1], 3) == 3.689
    low, high = poisson_interval(42)
    assert (round(low, 2), round(high, 2)) == (30.27, 56.77)
    # 90% and 99% for the same 42 events (GraphPad): 31.94–54.32 and 27.18–61.76.
    assert tuple(round(v, 2) for v in poisson_interval(42, confidence=0.90)) == (31.94, 54.32)
    assert tuple(round(v, 2) for v in poisson_interval(42, confidence=0.99)) == (27.18, 61.76)


def test_rate_per_100k_scales_the_exact_interval():
    # R: poisson.test(137, 24.19893)$conf.int, its Welsh nickel workers example.
    rate = rate_per_100k(137, 2_419_893)
    assert rate.value == pytest.approx(137 / 24.19893)
    assert rate.low == pytest.approx(4.753124804849, rel=1e-9)
    assert rate.high == pytest.approx(6.692709334176, rel=1e-9)


def test_rate_per_100k_is_not_available_without_a_population():
    with pytest.raises(RateNotAvailable):
        rate_per_100k(3, 0)


@pytest.mark.parametrize(
    ("count", "visits", "low", "high"),
    [
        (0, 1000, 0.0, 0.003682083897),
        (5, 1000, 0.001625419518, 0.011629470560),
        (31, 25000, 0.000842670498, 0.001759623272),
        (1000, 1000, 0.996317916103, 1.0),
    ],
)
def test_share_per_10k_ed_visits_uses_the_exact_binomial_interval(count, visits, low, high):
    share = share_per_10k(count, visits)
    assert share.value == pytest.approx(count / visits * 10_000)
    assert share.low == pytest.approx(low * 10_000, rel=1e-9, abs=1e-9)
    assert share.high == pytest.approx(high * 10_000, rel=1e-9)


def test_share_refuses_impossible_input():
    with pytest.raises(RateNotAvailable):
        share_per_10k(0, 0)
    with pytest.raises(ValueError, match="larger than the ED visits"):
        share_per_10k(11, 10)
    with pytest.raises(ValueError, match="whole number"):
        share_per_10k(-1, 10)


# Fay & Feuer (1997), Table II: Down syndrome among births to mothers of 5+ children,
# Michigan 1950-64, standardized to all births. dsrTest's vignette prints the gamma
# method's result per 100,000: 75.52901 (67.70212, 188.30017).
FAY_FEUER_BANDS = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29"]  # six strata, as labels
FAY_FEUER_CASES = [0, 8, 63, 112, 262, 295]
FAY_FEUER_BIRTHS = [327, 30666, 123419, 149919, 104088, 34392]
FAY_FEUER_STANDARD = [319933, 931318, 786511, 488235, 237863, 61313]


def test_age_standardized_rate_matches_fay_and_feuer_worked_example():
    rate = age_standardized_rate(
        dict(zip(FAY_FEUER_BANDS, FAY_FEUER_CASES, strict=True)),
        dict(zip(FAY_FEUER_BANDS, FAY_FEUER_BIRTHS, strict=True)),
        standard=dict(zip(FAY_FEUER_BANDS, FAY_FEUER_STANDARD, strict=True)),
    )
    assert rate.value == pytest.approx(75.52901, abs=5e-6)
    assert rate.low == pytest.approx(67.70212, abs=5e-6)
    assert rate.high == pytest.approx(188.30017, abs=5e-6)
    assert rate.events == 740


def test_age_standardized_rate_is_exact_when_the_population_is_the_standard():
    # Fay & Feuer: the interval is exact when the study population is proportional to
    # the standard. Then it is the Garwood interval of the crude rate.
    standard = canada_2011_standard_population()
    populations = {band: population // 100 for band, population in standard.items()}
    counts = dict.fromkeys(standard, 0)
    counts["30-34"] = 7
    rate = age_standardized_rate(counts, populations, standard=populations)
    total = sum(populations.values())
    low, high = poisson_interval(7)
    assert rate.value == pytest.approx(7 / total * 100_000)
    assert rate.low == pytest.approx(low / total * 100_000, rel=1e-9)
    assert rate.high == pytest.approx(high / total * 100_000, rel=1e-9)


def test_the_2011_canadian_standard_population_matches_statistics_canada():
    standard = canada_2011_standard_population()
    assert len(standard) == 19
    assert sum(standard.values()) == 34_342_780
    # Weights as published with the table: population / total, six decimals.
    weights = {band: round(value / 34_342_780, 6) for band, value in standard.items()}
    assert weights["0-4"] == 0.055297
    assert weights["25-29"] == 0.069006
    assert weights["45-49"] == 0.079199


def test_age_standardized_rate_with_coarser_population_bands():
    standard = canada_2011_standard_population()
    populations = {"0-44": 600_000, "45-64": 300_000, "65+": 150_000}
    counts = {"20-24": 10, "25-29": 15, "50-54": 7, "70-74": 2, "unknown": 3}
    rate = age_standardized_rate(counts, populations)
    young = sum(v for b, v in standard.items() if int(b.split("-")[0].rstrip("+")) < 45)
    middle = sum(v for b, v in standard.items() if 45 <= int(b.split("-")[0].rstrip("+")) < 65)
    old = sum(standard.values()) - young - middle
    total = sum(standard.values())
    expected = (young / total * 25 / 600_000 + middle / total * 7 / 300_000) + (
        old / total * 2 / 150_000
    )
    assert rate.value == pytest.approx(expected * 100_000)
    assert rate.events == 34
    assert rate.unknown_age_events == 3


def test_age_standardized_rate_is_not_available_without_age_band_populations():
    with pytest.raises(RateNotAvailable, match="No population by age band"):
        age_standardized_rate({"20-24": 3}, {})
    with pytest.raises(RateNotAvailable, match="does not fall inside"):
        age_standardized_rate({"20-24": 3}, {"0-21": 10, "22-200": 10})
    with pytest.raises(RateNotAvailable, match="No population in age band"):
        age_standardized_rate({"20-24": 3}, {"0-44": 0, "45+": 10})
