"""The plan of a demo run: how many events of each kind, where, on which day.

Expected counts per community and day come from the calibration (yearly or monthly
totals spread over the days of each month by weekday, season and "cheque week"
weights); the plan draws Poisson counts from them, picks the injected spikes and
lays out every coroner death in advance, so that some of the people who died can
be given earlier non-fatal overdoses (the "death after an ED visit" pattern the
case-management work needs). Everything is drawn from generators seeded with the
run's seed: the same spec gives the same plan.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import numpy as np

from cairn.demo import chief_complaints as vocabulary
from cairn.demo.calibration import BC_ED_VISITS_PER_YEAR, Calibration

SCALES = {"tiny": 0.001, "small": 0.015, "medium": 0.10, "large": 1.0}
PUBLIC_SCALES = ("small", "medium", "large")
LARGE_MIN_ED_VISITS = 10_000_000

# Kinds of planned counts.
ED_GENERAL, ED_OPIOID, ED_STIMULANT, PARAMEDIC, CORONER = range(5)
KIND_LABELS = {
    ED_OPIOID: ("ed", "overdose ED visits"),
    PARAMEDIC: ("paramedic", "paramedic-attended overdoses"),
}

# Days since the income-assistance payment ("cheque day", the Wednesday between the
# 18th and the 24th) → overdose multiplier. Overdoses rise in the days after payment.
CHEQUE_EFFECT = [1.45, 1.35, 1.25, 1.15, 1.05]
OVERDOSE_WEEKDAY = [1.0, 0.97, 1.0, 1.0, 1.05, 1.08, 1.03]  # Monday first
ED_WEEKDAY = [1.12, 1.03, 1.0, 0.98, 0.97, 0.95, 0.97]
ED_MONTH = [1.07, 1.03, 1.0, 0.97, 0.98, 0.98, 1.0, 1.0, 0.98, 0.99, 1.0, 1.06]
OVERDOSE_HOURS = [
    3.5, 3.2, 2.8, 2.4, 2.0, 1.8, 1.6, 1.6, 1.8, 2.2, 2.8, 3.4,
    3.8, 4.2, 4.6, 5.0, 5.2, 5.4, 5.6, 5.6, 5.4, 5.0, 4.6, 4.0,
]  # fmt: skip
ED_HOURS = [
    2.0, 1.5, 1.2, 1.0, 1.0, 1.2, 2.0, 3.5, 5.0, 6.0, 6.5, 6.5,
    6.2, 6.0, 6.0, 5.8, 5.6, 5.5, 5.4, 5.0, 4.5, 3.8, 3.0, 2.5,
]  # fmt: skip

# People who use drugs: some have several overdoses. A share of each community's
# overdose events comes from a small pool of its residents, skewed so a few people
# appear many times; the rest are people seen once.
REPEAT_POOL_SHARE = 0.12
DECEDENT_PRIOR_CONTACT_SHARE = 0.3
SPIKE_MIN_POPULATION = 15_000
SPIKE_MIN_EXTRA_EVENTS = 12
SPIKE_FIRST_COMMUNITY = "bc-lha-prince-george"  # the demo personas' community


@dataclass(frozen=True)
class RunSpec:
    seed: int
    end: dt.date  # the last day with events
    scale: str = "small"
    years: int = 2
    days: int = 0  # when set, the span in days instead of years (tests)
    time_zone: str = "America/Vancouver"

    def __post_init__(self):
        if self.scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)}")
        if self.days <= 0 and self.years <= 0:
            raise ValueError("years (or days) must be positive")

    @property
    def start(self) -> dt.date:
        if self.days > 0:
            return self.end - dt.timedelta(days=self.days - 1)
        try:
            anniversary = self.end.replace(year=self.end.year - self.years)
        except ValueError:  # 29 February
            anniversary = self.end.replace(year=self.end.year - self.years, day=28)
        return anniversary + dt.timedelta(days=1)

    @property
    def span_label(self) -> str:
        return f"{self.days}d" if self.days > 0 else f"{self.years}y"

    @property
    def key_prefix(self) -> str:
        """Every dedup key of the run starts with this."""
        return f"demo:{self.seed}:{self.span_label}-{self.scale}-{self.end:%Y%m%d}:"


class Calendar:
    """The run's days (and the rest of their months), as day numbers since 1970-01-01."""

    def __init__(self, start: dt.date, end: dt.date, time_zone: str):
        first = start.replace(day=1)
        following = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        epoch = dt.date(1970, 1, 1)
        self.days = np.arange((first - epoch).days, (following - epoch).days)
        self.offset = (start - first).days
        self.count = (end - start).days + 1
        dates = self.days.astype("datetime64[D]")
        months = dates.astype("datetime64[M]")
        self.year = months.astype("datetime64[Y]").astype(int) + 1970
        self.month = months.astype(int) % 12 + 1
        self.month_index = months.astype(int) - months.astype(int)[0]
        self.day_of_month = (dates - months).astype(int) + 1
        self.weekday = (self.days + 3) % 7  # 1970-01-01 was a Thursday
        zone = zoneinfo.ZoneInfo(time_zone)
        self.utc_offset = np.array(
            [
                dt.datetime(int(y), int(m), int(d), 12, tzinfo=zone).utcoffset().total_seconds()
                for y, m, d in zip(self.year, self.month, self.day_of_month, strict=True)
            ],
            dtype=np.int64,
        )
        firsts = np.flatnonzero(self.day_of_month == 1)
        self.months = [(int(self.year[i]), int(self.month[i])) for i in firsts]
        self.end_instant = int(
            (self.days[self.offset + self.count - 1] + 1) * 86400
            - self.utc_offset[self.offset + self.count - 1]
        )

    def span(self, array: np.ndarray) -> np.ndarray:
        """The run's days out of an array over the whole months."""
        return array[..., self.offset : self.offset + self.count]

    def cheque_factor(self) -> np.ndarray:
        factor = np.ones(len(self.days))
        cheque = (self.weekday == 2) & (self.day_of_month >= 18) & (self.day_of_month <= 24)
        for index in np.flatnonzero(cheque):
            for lag, effect in enumerate(CHEQUE_EFFECT):
                if index + lag < len(factor):
                    factor[index + lag] = effect
        return factor

    def normalised_within_month(self, weights: np.ndarray) -> np.ndarray:
        totals = np.bincount(self.month_index, weights=weights)
        return weights / totals[self.month_index]

    def utc_seconds(self, day_index: np.ndarray, local_seconds: np.ndarray) -> np.ndarray:
        """UTC epoch seconds of local times on the calendar's days (indices into days)."""
        return self.days[day_index] * 86400 + local_seconds - self.utc_offset[day_index]


@dataclass
class Spike:
    community: int
    kind: int
    start_day: int  # index into the calendar's days
    starts_at: int  # UTC epoch seconds
    ends_at: int
    extra_events: int
    agent: int  # index into vocabulary.SPIKE_AGENTS
    description: str


@dataclass
class Scheduled:
    """Events placed in advance (spike events, earlier overdoses of people who died)."""

    kind: np.ndarray
    community: np.ndarray
    day: np.ndarray
    occurred: np.ndarray
    pid: np.ndarray  # -1: draw a person as for any event
    spike: np.ndarray  # -1: not part of a spike


class Plan:
    def __init__(self, spec: RunSpec, calibration: Calibration):
        self.spec = spec
        self.calibration = calibration
        self.calendar = Calendar(spec.start, spec.end, spec.time_zone)
        self.n_communities = len(calibration.communities)
        rng = np.random.default_rng([spec.seed, 1])
        expected = self._expected_counts()
        self.ed_scale_factor = self._ed_scale_factor(expected)
        expected[ED_GENERAL] *= self.ed_scale_factor
        self.expected = expected
        self.counts = {kind: rng.poisson(lam).astype(np.int32) for kind, lam in expected.items()}
        self._plan_people(expected)
        self.spikes = self._plan_spikes(np.random.default_rng([spec.seed, 2]))
        self._plan_deaths(np.random.default_rng([spec.seed, 3]))

    # Expected counts per community and day -------------------------------------

    def _expected_counts(self) -> dict[int, np.ndarray]:
        cal, calib = self.calendar, self.calibration
        overdose_days = cal.normalised_within_month(
            np.take(OVERDOSE_WEEKDAY, cal.weekday) * cal.cheque_factor()
        )
        ed_days = cal.normalised_within_month(np.take(ED_WEEKDAY, cal.weekday))
        month_days = [31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        season = np.array(ED_MONTH) / np.average(ED_MONTH, weights=month_days)
        authority = calib.authority_of
        monthly = {kind: np.zeros((self.n_communities, len(cal.months))) for kind in range(5)}
        for m, (year, month) in enumerate(cal.months):
            population = calib.population(year)
            deaths = calib.expected_deaths(year)
            authority_population = np.bincount(authority, weights=population)
            authority_deaths = np.bincount(authority, weights=deaths)
            within_authority = 0.5 * deaths / authority_deaths[authority] + 0.5 * (
                population / authority_population[authority]
            )
            death_share, population_share = deaths / deaths.sum(), population / population.sum()
            quarter = (month - 1) // 3 + 1
            days_in_month = int(np.sum(cal.month_index == m))
            monthly[CORONER][:, m] = deaths * calib.death_month_shares(year)[month - 1]
            monthly[PARAMEDIC][:, m] = (
                calib.paramedic_rate(year, month)[authority]
                / 100_000
                * authority_population[authority]
                * within_authority
            )
            opioid = calib.ed_overdose_visits_in_quarter("opioids", year, quarter) / 3
            stimulant = calib.ed_overdose_visits_in_quarter("stimulants", year, quarter) / 3
            monthly[ED_OPIOID][:, m] = opioid * (0.6 * death_share + 0.4 * population_share)
            monthly[ED_STIMULANT][:, m] = stimulant * (0.4 * death_share + 0.6 * population_share)
            monthly[ED_GENERAL][:, m] = (
                BC_ED_VISITS_PER_YEAR * days_in_month / 365.25 * season[month - 1]
            ) * population_share
        expected = {}
        for kind, table in monthly.items():
            days = ed_days if kind == ED_GENERAL else overdose_days
            expected[kind] = cal.span(table[:, cal.month_index] * days)
        return expected

    def _ed_scale_factor(self, expected) -> float:
        factor = SCALES[self.spec.scale]
        if self.spec.scale == "large":
            # `large` means at least ten million ED visits, whatever the span.
            overdose = expected[ED_OPIOID].sum() + expected[ED_STIMULANT].sum()
            needed = (LARGE_MIN_ED_VISITS * 1.01 - overdose) / expected[ED_GENERAL].sum()
            factor = max(factor, needed)
        return factor

    # People --------------------------------------------------------------------

    def _plan_people(self, expected) -> None:
        overdose_events = sum(expected[k].sum(axis=1) for k in (ED_OPIOID, ED_STIMULANT, PARAMEDIC))
        self.pool_size = np.maximum(3, np.round(REPEAT_POOL_SHARE * overdose_events)).astype(
            np.int64
        )
        self.pool_offset = np.concatenate([[0], np.cumsum(self.pool_size)[:-1]])
        self.singleton_base = int(self.pool_size.sum())
        # Room for every planned overdose event (and spikes) to be someone seen once.
        capacity = sum(int(self.counts[k].sum()) for k in (ED_OPIOID, ED_STIMULANT, PARAMEDIC))
        self.decedent_base = self.singleton_base + capacity + 10_000
        general_visits = expected[ED_GENERAL].sum(axis=1)
        general_people = np.clip(0.55 * general_visits.sum(), 10_000, 2_000_000)
        self.general_size = np.maximum(
            20, np.round(general_people * general_visits / general_visits.sum())
        ).astype(np.int64)
        self.reference_day = int(self.calendar.days[self.calendar.offset])

    def set_general_base(self, n_deaths: int) -> None:
        self.general_base = self.decedent_base + n_deaths
        self.general_offset = self.general_base + np.concatenate(
            [[0], np.cumsum(self.general_size)[:-1]]
        )

    # Injected spikes -------------------------------------------------------------

    def _plan_spikes(self, rng: np.random.Generator) -> list[Spike]:
        cal, communities = self.calendar, self.calibration.communities
        population = self.calibration.population(self.spec.end.year)
        candidates = np.flatnonzero(population >= SPIKE_MIN_POPULATION)
        weights = self.expected[PARAMEDIC][candidates].sum(axis=1)
        margin = 28 if cal.count >= 120 else 0
        spikes: list[Spike] = []
        taken: dict[int, list[tuple[int, int]]] = {}
        for number in range(int(rng.integers(3, 7))):
            if number == 0 and any(c.code == SPIKE_FIRST_COMMUNITY for c in communities):
                community = next(c.index for c in communities if c.code == SPIKE_FIRST_COMMUNITY)
            else:
                community = int(rng.choice(candidates, p=weights / weights.sum()))
            kind = PARAMEDIC if rng.random() < 0.6 else ED_OPIOID
            duration = min(int(rng.integers(1, 4)), cal.count)
            for _attempt in range(20):
                start = int(rng.integers(margin, max(margin + 1, cal.count - duration)))
                clash = any(
                    start < end + 7 and begin < start + duration + 7
                    for begin, end in taken.get(community, [])
                )
                if not clash:
                    break
            taken.setdefault(community, []).append((start, start + duration))
            baseline = float(self.expected[kind][community, start : start + duration].sum())
            # At least a dozen extra events: a spike a response team would act on, and
            # one the default detectors find even where 2-4 events a day are usual.
            extra = max(SPIKE_MIN_EXTRA_EVENTS, round(baseline * rng.uniform(2.0, 3.5)))
            day = cal.offset + start
            starts_at = (
                int(cal.utc_seconds(np.array([day]), np.array([0]))[0])
                + int(rng.integers(12, 20)) * 3600
            )
            ends_at = starts_at + duration * 86400
            agent = int(rng.integers(len(vocabulary.SPIKE_AGENTS)))
            source, label = KIND_LABELS[kind]
            local = dt.datetime.fromtimestamp(starts_at, zoneinfo.ZoneInfo(self.spec.time_zone))
            spikes.append(
                Spike(
                    community=community,
                    kind=kind,
                    start_day=day,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    extra_events=extra,
                    agent=agent,
                    description=(
                        f"{extra} extra {label} in {communities[community].name} over "
                        f"{duration * 24} hours from {local:%Y-%m-%d %H:%M}, "
                        f"about {baseline:.1f} expected: "
                        f"{vocabulary.SPIKE_AGENTS[agent][0]}."
                    ),
                )
            )
        return spikes

    # Coroner deaths and the earlier overdoses of some who died ------------------

    def _plan_deaths(self, rng: np.random.Generator) -> None:
        cal = self.calendar
        counts = self.counts[CORONER]
        cells = np.flatnonzero(counts)
        repeats = counts.ravel()[cells]
        community = np.repeat(cells // cal.count, repeats)
        day = np.repeat(cells % cal.count, repeats) + cal.offset
        occurred = cal.utc_seconds(day, local_times(rng, len(day), OVERDOSE_HOURS))
        order = np.argsort(occurred, kind="stable")
        self.deaths_community, self.deaths_day = community[order], day[order]
        self.deaths_occurred = occurred[order]
        self.deaths_pid = self.decedent_base + np.arange(len(order))
        self.set_general_base(len(order))

        # Some of the people who died had earlier non-fatal overdoses (a third of
        # them within a week), recorded by paramedics or an ED.
        had_contact = np.flatnonzero(rng.random(len(order)) < DECEDENT_PRIOR_CONTACT_SHARE)
        contacts = rng.choice([1, 2, 3], size=len(had_contact), p=[0.6, 0.3, 0.1])
        who = np.repeat(had_contact, contacts)
        lag = np.where(
            rng.random(len(who)) < 0.3,
            rng.integers(1, 8, len(who)),
            rng.integers(8, 181, len(who)),
        )
        prior_day = self.deaths_day[who] - lag
        keep = prior_day >= cal.offset
        who, prior_day = who[keep], prior_day[keep]
        prior_kind = np.where(rng.random(len(who)) < 0.6, PARAMEDIC, ED_OPIOID)
        prior_occurred = cal.utc_seconds(prior_day, local_times(rng, len(who), OVERDOSE_HOURS))

        spike_parts = [self._spike_events(rng, number) for number in range(len(self.spikes))]
        parts = [
            (prior_kind, self.deaths_community[who], prior_day, prior_occurred,
             self.deaths_pid[who], np.full(len(who), -1)),
            *spike_parts,
        ]  # fmt: skip
        self.scheduled = Scheduled(*(np.concatenate(column) for column in zip(*parts, strict=True)))

    def _spike_events(self, rng: np.random.Generator, number: int):
        spike = self.spikes[number]
        n = spike.extra_events
        occurred = np.sort(rng.integers(spike.starts_at, spike.ends_at, n))
        local_day = (occurred + self.calendar.utc_offset[spike.start_day]) // 86400
        day = np.clip(local_day - self.calendar.days[0], 0, len(self.calendar.days) - 1)
        return (
            np.full(n, spike.kind),
            np.full(n, spike.community),
            day,
            occurred,
            np.full(n, -1),
            np.full(n, number),
        )

    @property
    def planned_events(self) -> int:
        return sum(int(c.sum()) for c in self.counts.values()) + len(self.scheduled.kind)


def local_times(rng: np.random.Generator, n: int, hour_weights) -> np.ndarray:
    """Seconds after local midnight, hours drawn from the weights."""
    weights = np.asarray(hour_weights, dtype=float)
    hours = rng.choice(24, size=n, p=weights / weights.sum())
    return hours * 3600 + rng.integers(0, 3600, n)
