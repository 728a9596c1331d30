"""Published BC figures the demo generator is calibrated on, as arrays.

Everything here is read from the CSV files in `cairn/demo/data/` (and the
populations shipped with the geography app) and returned as numpy arrays indexed
by community (the 89 Local Health Areas in hierarchy order), health authority or
month. Years outside a series take its nearest year: the demo may run past the
latest published figures.
"""

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.utils.text import slugify

from cairn.geography.loading import BC_FILES

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = {
    "deaths_by_lha": DATA_DIR / "bc_unregulated_drug_deaths_by_lha_2015_2022.csv",
    "deaths_monthly": DATA_DIR / "bc_unregulated_drug_deaths_monthly.csv",
    "paramedic_rate": DATA_DIR / "bc_paramedic_attended_overdose_rate_by_ha_monthly.csv",
    "deaths_by_age": DATA_DIR / "bc_deaths_by_age_2016_2023apr.csv",
    "death_rate_by_sex": DATA_DIR / "bc_death_rate_by_sex_ha_monthly.csv",
    "drugs_detected": DATA_DIR / "bc_deaths_drug_detected_pct_by_year.csv",
    "ed_visits": DATA_DIR / "bc_substance_harms_ed_visits.csv",
}

AUTHORITIES = ["Fraser", "Interior", "Northern", "Vancouver Coastal", "Vancouver Island"]
AUTHORITY_ABBREVIATIONS = ["FH", "IH", "NH", "VCH", "VIHA"]

# Rough guesses for the Local Health Areas whose population cannot be derived from
# the death table (every year suppressed); only used to size their demo volumes.
FALLBACK_POPULATIONS = {
    "Nisga'a": 2_000,
    "Stikine": 700,
    "Snow Country": 200,
    "Telegraph Creek": 400,
    "Upper Skeena": 3_200,
    "Bella Coola Valley": 2_000,
    "Central Coast": 1_000,
    "Vancouver Island West": 1_500,
}
# Expected deaths a year in a community whose count the Coroners Service suppressed.
SUPPRESSED_DEATHS_PER_YEAR = 2.0
# The death table combines these two communities of the boundary file.
COMBINED_COMMUNITIES = {"Stikine and Snow Country": ("Stikine", "Snow Country")}

# About 2.1 million ED visits a year in BC (rounded; sizes the non-overdose bulk).
BC_ED_VISITS_PER_YEAR = 2_100_000


@dataclass(frozen=True)
class Community:
    index: int
    code: str
    name: str
    hsda: str
    authority: str
    authority_index: int


def community_code(name: str) -> str:
    """The geography app's code for a BC Local Health Area (see geography.loading)."""
    return "bc-lha-" + slugify(name.replace("/", " "))


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _clamp(year: int, years) -> int:
    years = sorted(years)
    return min(max(year, years[0]), years[-1])


class Calibration:
    """Calibration figures for British Columbia. Build once with `bc_calibration()`."""

    def __init__(self) -> None:
        hierarchy = _read(BC_FILES["hierarchy"])
        self.communities = [
            Community(
                index=i,
                code=community_code(row["lha_name"]),
                name=row["lha_name"],
                hsda=row["hsda_name"],
                authority=row["health_authority"],
                authority_index=AUTHORITIES.index(row["health_authority"]),
            )
            for i, row in enumerate(hierarchy)
        ]
        self.index_by_name = {c.name: c.index for c in self.communities}
        self.authority_of = np.array([c.authority_index for c in self.communities])
        self._load_populations()
        self._load_deaths()
        self._load_monthly_deaths()
        self._load_paramedic_rates()
        self._load_ed_visits()
        self._load_people()

    # Populations -----------------------------------------------------------------

    def _load_populations(self) -> None:
        rows = _read(BC_FILES["populations"])
        self.population_years = list(range(2015, 2023))
        table = np.zeros((len(self.population_years), len(self.communities)))
        for row in rows:
            names = COMBINED_COMMUNITIES.get(row["lha_name"], (row["lha_name"],))
            for name in names:
                index = self.index_by_name[name]
                median = row.get("pop_median_estimate") or ""
                fallback = float(median) if median else FALLBACK_POPULATIONS.get(name, 1_000)
                for y, year in enumerate(self.population_years):
                    value = row.get(f"pop_{year}") or ""
                    table[y, index] = float(value) if value else fallback
        self._populations = table

    def population(self, year: int) -> np.ndarray:
        return self._populations[_clamp(year, self.population_years) - 2015]

    # Coroner deaths per community and year ----------------------------------------

    def _load_deaths(self) -> None:
        rows = _read(FILES["deaths_by_lha"])
        self.death_years = sorted({int(r["year"]) for r in rows})
        table = np.zeros((len(self.death_years), len(self.communities)))
        for row in rows:
            y = self.death_years.index(int(row["year"]))
            suppressed = row["suppressed"] == "true" or not row["deaths"]
            deaths = SUPPRESSED_DEATHS_PER_YEAR if suppressed else float(row["deaths"])
            names = COMBINED_COMMUNITIES.get(row["lha_name"], (row["lha_name"],))
            for name in names:
                table[y, self.index_by_name[name]] = deaths / len(names)
        self._deaths = table
        self.published_death_totals = {
            year: sum(int(r["deaths"] or 0) for r in rows if int(r["year"]) == year)
            for year in self.death_years
        }

    def expected_deaths(self, year: int) -> np.ndarray:
        """Deaths a year per community; years after 2022 repeat 2022, before 2015 repeat 2015."""
        return self._deaths[self.death_years.index(_clamp(year, self.death_years))]

    # Seasonality -----------------------------------------------------------------

    def _load_monthly_deaths(self) -> None:
        by_year: dict[int, np.ndarray] = {}
        for row in _read(FILES["deaths_monthly"]):
            year, month = (int(part) for part in row["month"].split("-"))
            by_year.setdefault(year, np.zeros(12))[month - 1] = float(row["deaths"])
        self._month_shares = {
            year: counts / counts.sum() for year, counts in by_year.items() if counts.all()
        }
        recent = [self._month_shares[y] for y in range(2016, 2023)]
        self._average_month_shares = np.mean(recent, axis=0)

    def death_month_shares(self, year: int) -> np.ndarray:
        """Share of the year's deaths falling in each month (sums to 1)."""
        return self._month_shares.get(year, self._average_month_shares)

    # Paramedic-attended overdoses ------------------------------------------------

    def _load_paramedic_rates(self) -> None:
        rates: dict[tuple[int, int], np.ndarray] = {}
        for row in _read(FILES["paramedic_rate"]):
            year, month = (int(part) for part in row["month"].split("-"))
            rates.setdefault((year, month), np.zeros(len(AUTHORITIES)))[
                AUTHORITIES.index(row["region"])
            ] = float(row["rate_per_100k"])
        self._paramedic_rates = rates

    def paramedic_rate(self, year: int, month: int) -> np.ndarray:
        """Monthly paramedic-attended overdose events per 100,000, per health authority."""
        years = sorted({y for (y, m) in self._paramedic_rates if m == month})
        return self._paramedic_rates[(_clamp(year, years), month)]

    # PHAC ED visits --------------------------------------------------------------

    def _load_ed_visits(self) -> None:
        quarterly: dict[tuple[str, int, int], float] = {}
        self._ed_sex: dict[str, float] = {}
        self._ed_age: dict[str, dict[str, float]] = {}
        rows = _read(FILES["ed_visits"])
        for row in rows:
            substance, measure = row["substance"], row["measure"]
            if measure == "count" and row["period_type"] == "quarter":
                year, quarter = row["period"].split(" Q")
                quarterly[(substance, int(year), int(quarter))] = float(row["value"])
        latest_full_year = {
            s: max(y for (sub, y, q) in quarterly if sub == s and q == 4) for s in ("opioids",)
        }["opioids"]
        for row in rows:
            if row["period"] != str(latest_full_year):
                continue
            if row["measure"] == "sex_percent" and row["group"] == "Male":
                self._ed_sex[row["substance"]] = float(row["value"]) / 100
            if row["measure"] == "age_group_percent":
                self._ed_age.setdefault(row["substance"], {})[row["group"]] = float(row["value"])
        self._ed_quarterly = quarterly

    def ed_overdose_visits_in_quarter(self, substance: str, year: int, quarter: int) -> float:
        """Opioid- or stimulant-related poisoning ED visits in BC in a quarter (PHAC)."""
        years = sorted({y for (s, y, q) in self._ed_quarterly if s == substance and q == quarter})
        return self._ed_quarterly[(substance, _clamp(year, years), quarter)]

    # People: age, sex, substances ------------------------------------------------

    def _load_people(self) -> None:
        self.ed_overdose_male_share = self._ed_sex.get("opioids", 0.74)
        # Single-year age weights, ages 0-99.
        self.overdose_age_weights = _age_weights_from_groups(
            {
                (14, 19): self._ed_age["opioids"]["0 to 19 years"],
                (20, 29): self._ed_age["opioids"]["20 to 29 years"],
                (30, 39): self._ed_age["opioids"]["30 to 39 years"],
                (40, 49): self._ed_age["opioids"]["40 to 49 years"],
                (50, 59): self._ed_age["opioids"]["50 to 59 years"],
                (60, 79): self._ed_age["opioids"]["60 years or more"],
            }
        )
        groups = {}
        for row in _read(FILES["deaths_by_age"]):
            label = row["age_group"]
            span = (14, 18) if label.startswith("Under") else tuple(map(int, label.split("-")))
            groups[span] = float(row["deaths"])
        self.death_age_weights = _age_weights_from_groups(groups)
        # ED visits of the whole population: children and older adults too.
        self.ed_age_weights = _age_weights_from_groups(
            {
                (0, 4): 7,
                (5, 14): 8,
                (15, 24): 12,
                (25, 34): 14,
                (35, 44): 12,
                (45, 54): 11,
                (55, 64): 12,
                (65, 74): 11,
                (75, 84): 8,
                (85, 99): 5,
            }
        )
        self._death_male_share = np.full(len(AUTHORITIES), 0.78)
        sums: dict[tuple[str, str], float] = {}
        for row in _read(FILES["death_rate_by_sex"]):
            if row["month"] >= "2021-05":  # the latest twelve months of the series
                key = (row["region"], row["sex"])
                sums[key] = sums.get(key, 0.0) + float(row["rate_per_100k"])
        for index, authority in enumerate(AUTHORITIES):
            men, women = sums.get((authority, "Men")), sums.get((authority, "Women"))
            if men and women:
                self._death_male_share[index] = men / (men + women)
        self._drugs_detected: dict[int, dict[str, float]] = {}
        for row in _read(FILES["drugs_detected"]):
            self._drugs_detected.setdefault(int(row["year"]), {})[row["drug"]] = (
                float(row["percent_of_deaths_detected"]) / 100
            )

    def death_male_share(self) -> np.ndarray:
        """Share of men among people who died, per health authority (rates of equal weight)."""
        return self._death_male_share

    def drugs_detected(self, year: int) -> dict[str, float]:
        """Share of deaths with each drug detected (BCCS toxicology)."""
        return self._drugs_detected[_clamp(year, self._drugs_detected)]


def _age_weights_from_groups(groups: dict[tuple[int, int], float]) -> np.ndarray:
    weights = np.zeros(100)
    for (low, high), value in groups.items():
        weights[low : high + 1] += value / (high - low + 1)
    return weights / weights.sum()


@functools.cache
def bc_calibration() -> Calibration:
    return Calibration()
