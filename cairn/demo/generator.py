"""Synthetic surveillance records of a demo run, month by month, as numpy arrays.

`DemoGenerator(spec).batches()` yields one Batch per source and month: ED visits
(overdoses and the non-overdose bulk), paramedic reports, first-responder reports
(fire or police at some of the same overdoses) and coroner deaths. A batch holds
columns, not objects, so ten million visits are generated in seconds; the loader
turns them into rows. Each month draws from its own generator seeded with the
run's seed, the source and the month, so the records do not depend on how they
are consumed.

`Batch.category` says what a record truly is (an opioid overdose, a visit that
only mentions drugs to negate them, ...). It is not loaded; tests of classifiers
can generate a month and compare.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from cairn.demo import chief_complaints as vocabulary
from cairn.demo import people
from cairn.demo.calibration import AUTHORITY_ABBREVIATIONS, Calibration, bc_calibration
from cairn.demo.plan import (
    ED_GENERAL,
    ED_HOURS,
    ED_OPIOID,
    ED_STIMULANT,
    OVERDOSE_HOURS,
    PARAMEDIC,
    Plan,
    RunSpec,
    local_times,
)
from cairn.demo.texts import number_texts
from cairn.surveillance.models import AGE_BANDS, UNKNOWN_AGE_BAND, Disposition, Source

AGE_TABLE = [*AGE_BANDS, UNKNOWN_AGE_BAND]
UNKNOWN_AGE = len(AGE_BANDS)
DISPOSITIONS = [d.value for d in Disposition]
D = {d.value: i for i, d in enumerate(Disposition)}
CATEGORIES = [
    "opioid_overdose",
    "stimulant_overdose",
    "other_visit",
    "negated_drug_mention",
    "alcohol",
    "drug_related_visit",
    "paramedic_overdose",
    "first_responder_overdose",
    "overdose_death",
]
C = {name: i for i, name in enumerate(CATEGORIES)}
OVERDOSE_CATEGORIES = {
    "opioid_overdose",
    "stimulant_overdose",
    "paramedic_overdose",
    "first_responder_overdose",
    "overdose_death",
}
# Non-overdose ED visits: mostly anything else, a few mention drugs only to negate
# them, some are about alcohol, some are people who use drugs seen for other harms.
ED_GENERAL_MIX = {
    "other_visit": 0.945,
    "negated_drug_mention": 0.025,
    "alcohol": 0.02,
    "drug_related_visit": 0.01,
}
ED_VOCABULARIES = {
    "opioid_overdose": vocabulary.OPIOID_OVERDOSE_ED,
    "stimulant_overdose": vocabulary.STIMULANT_OVERDOSE_ED,
    "other_visit": vocabulary.NON_OVERDOSE_ED,
    "negated_drug_mention": vocabulary.NEGATED_DRUG_MENTION_ED,
    "alcohol": vocabulary.ALCOHOL_ED,
    "drug_related_visit": vocabulary.DRUG_RELATED_ED,
}
ED_OVERDOSE_DISPOSITIONS = {
    "discharged": 0.55,
    "left_ama": 0.14,
    "lwbs": 0.05,
    "admitted": 0.17,
    "transferred": 0.03,
    "died": 0.01,
    "unknown": 0.05,
}
ED_OTHER_DISPOSITIONS = {
    "discharged": 0.80,
    "admitted": 0.11,
    "lwbs": 0.05,
    "left_ama": 0.015,
    "transferred": 0.02,
    "died": 0.002,
    "unknown": 0.003,
}
PARAMEDIC_DISPOSITIONS = {
    "transported": 0.53,
    "treated_on_scene": 0.41,
    "unknown": 0.045,
    "died": 0.015,
}
UNKNOWN_PLACE_SHARE = 0.01
REPEAT_SHARE = {"ed": 0.4, "paramedic": 0.45}
GENERAL_MALE_SHARE = 0.49
# Share of paramedic-attended overdoses with a fire or police report too.
FIRST_RESPONDER_SHARE_CITY, FIRST_RESPONDER_SHARE_TOWN = 0.35, 0.15


@dataclass
class Batch:
    source: str
    seq: np.ndarray  # number of the record within its source in the run, from 1
    occurred: np.ndarray  # UTC epoch seconds
    received: np.ndarray
    community: np.ndarray  # index into calibration.communities; -1 = unknown place
    age_band: np.ndarray  # index into AGE_TABLE
    sex: np.ndarray  # "M", "F", "X" or "U"
    complaint: np.ndarray
    complaint_table: list[str]
    codes: np.ndarray
    codes_table: list[str]  # JSON lists
    disposition: np.ndarray  # index into DISPOSITIONS
    facility: np.ndarray  # index into DemoGenerator.facilities
    fatal: np.ndarray  # -1 unknown, 0, 1
    naloxone: np.ndarray  # -1 not recorded
    substances: np.ndarray
    substances_table: list[str]  # JSON lists
    record_id: list[str]
    category: np.ndarray  # index into CATEGORIES; not loaded
    pid: np.ndarray  # the synthetic person; not loaded
    spike: np.ndarray  # index into plan.spikes, -1 if none; not loaded
    home: np.ndarray  # community before the place was lost; not loaded
    identity: people.IdentityColumns | None = None

    def __len__(self) -> int:
        return len(self.seq)


class DemoGenerator:
    def __init__(self, spec: RunSpec, calibration: Calibration | None = None):
        self.spec = spec
        self.calibration = calibration or bc_calibration()
        self.plan = Plan(spec, self.calibration)
        self.places = people.Places(self.calibration.communities)
        self._facilities()
        self._vocabularies()
        self._next_seq = {str(source): 1 for source in Source.values}
        self._next_singleton = self.plan.singleton_base
        population = self.calibration.population(spec.end.year)
        self.first_responder_share = np.where(
            population >= 100_000, FIRST_RESPONDER_SHARE_CITY, FIRST_RESPONDER_SHARE_TOWN
        )

    # Tables ------------------------------------------------------------------------

    def _facilities(self) -> None:
        """ED-<HA>-<nn> per community, numbered by population within the health authority;
        the first of each authority is its referral hospital. Fire halls likewise."""
        communities = self.calibration.communities
        population = self.calibration.population(self.spec.end.year)
        self.facilities = ["", "BCCS"]
        self.home_ed = np.zeros(len(communities), dtype=np.int32)
        self.referral_ed = np.zeros(len(communities), dtype=np.int32)
        self.fire_hall = np.zeros(len(communities), dtype=np.int32)
        for authority, abbreviation in enumerate(AUTHORITY_ABBREVIATIONS):
            members = [c.index for c in communities if c.authority_index == authority]
            members.sort(key=lambda i: -population[i])
            for rank, index in enumerate(members):
                self.home_ed[index] = len(self.facilities)
                self.facilities.append(f"ED-{abbreviation}-{rank + 1:02d}")
                self.fire_hall[index] = len(self.facilities)
                self.facilities.append(f"FIRE-{abbreviation}-{rank + 1:02d}")
            self.referral_ed[members] = self.home_ed[members[0]]

    def _vocabularies(self) -> None:
        self.ed_vocabulary = {}
        self.ed_complaints: list[str] = []
        self.ed_codes: list[str] = []
        self._ed_offsets = {}
        for category, presentations in ED_VOCABULARIES.items():
            vocab = vocabulary.Vocabulary(presentations, upper_share=0.3)
            self.ed_vocabulary[category] = vocab
            self._ed_offsets[category] = (len(self.ed_complaints), len(self.ed_codes))
            self.ed_complaints += vocab.text_table
            self.ed_codes += vocab.code_json
        self.paramedic_complaints, self.paramedic_complaint_p = vocabulary.weighted_table(
            vocabulary.PARAMEDIC_IMPRESSIONS
        )
        self.paramedic_substances, self.paramedic_substance_p = vocabulary.weighted_table(
            vocabulary.PARAMEDIC_SUBSTANCES
        )
        self.paramedic_substances += [
            vocabulary.json.dumps(agent) for _, agent in vocabulary.SPIKE_AGENTS
        ]
        self.first_responder_notes, self.first_responder_note_p = vocabulary.weighted_table(
            vocabulary.FIRST_RESPONDER_NOTES
        )
        self.first_responder_substances, self.first_responder_substance_p = (
            vocabulary.weighted_table(vocabulary.FIRST_RESPONDER_SUBSTANCES)
        )
        # Coroner toxicology: one entry per combination of detected drugs (bit mask).
        self.death_substances, self.death_codes = [], []
        for mask in range(2 ** len(vocabulary.DEATH_DRUGS)):
            found = [d for bit, d in enumerate(vocabulary.DEATH_DRUGS) if mask >> bit & 1]
            self.death_substances.append(vocabulary.json.dumps([name for _, name, _ in found]))
            self.death_codes.append(vocabulary.json.dumps(["X42", *[code for *_, code in found]]))

    # Iteration ---------------------------------------------------------------------

    def batches(self) -> Iterator[Batch]:
        cal = self.plan.calendar
        first, last = cal.offset, cal.offset + cal.count
        for m in range(len(cal.months)):
            days = np.flatnonzero(cal.month_index == m)
            lo, hi = max(int(days[0]), first), min(int(days[-1]) + 1, last)
            if lo >= hi:
                continue
            yield self._ed(m, lo, hi)
            paramedic = self._paramedic(m, lo, hi)
            yield paramedic
            yield self._first_responders(m, paramedic)
            yield self._coroner(m, lo, hi)

    def _cells(self, kind: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Community and calendar-day index of every planned event of a kind in [lo, hi)."""
        offset = self.plan.calendar.offset
        counts = self.plan.counts[kind][:, lo - offset : hi - offset]
        flat = np.flatnonzero(counts)
        repeats = counts.ravel()[flat]
        width = hi - lo
        return np.repeat(flat // width, repeats), np.repeat(flat % width, repeats) + lo

    def _scheduled(self, kind: int, lo: int, hi: int):
        s = self.plan.scheduled
        mask = (s.kind == kind) & (s.day >= lo) & (s.day < hi)
        return s.community[mask], s.day[mask], s.occurred[mask], s.pid[mask], s.spike[mask]

    # Sources -------------------------------------------------------------------------

    def _ed(self, m: int, lo: int, hi: int) -> Batch:
        rng = np.random.default_rng([self.spec.seed, 10, m])
        cal = self.plan.calendar
        general_c, general_d = self._cells(ED_GENERAL, lo, hi)
        mix = list(ED_GENERAL_MIX)
        general_cat = np.take(
            [C[name] for name in mix],
            rng.choice(len(mix), size=len(general_c), p=list(ED_GENERAL_MIX.values())),
        )
        opioid_c, opioid_d = self._cells(ED_OPIOID, lo, hi)
        stimulant_c, stimulant_d = self._cells(ED_STIMULANT, lo, hi)
        sched_c, sched_d, sched_t, sched_pid, sched_spike = self._scheduled(ED_OPIOID, lo, hi)
        home = np.concatenate([general_c, opioid_c, stimulant_c, sched_c])
        day = np.concatenate([general_d, opioid_d, stimulant_d, sched_d])
        category = np.concatenate(
            [
                general_cat,
                np.full(len(opioid_c), C["opioid_overdose"]),
                np.full(len(stimulant_c), C["stimulant_overdose"]),
                np.full(len(sched_c), C["opioid_overdose"]),
            ]
        )
        n_normal = len(home) - len(sched_c)
        occurred = np.concatenate(
            [
                cal.utc_seconds(general_d, local_times(rng, len(general_d), ED_HOURS)),
                cal.utc_seconds(
                    np.concatenate([opioid_d, stimulant_d]),
                    local_times(rng, len(opioid_d) + len(stimulant_d), OVERDOSE_HOURS),
                ),
                sched_t,
            ]
        )
        pid = np.concatenate([np.full(n_normal, -1), sched_pid])
        spike = np.concatenate([np.full(n_normal, -1), sched_spike])
        cohort = category != C["other_visit"]
        cohort &= category != C["negated_drug_mention"]
        cohort &= category != C["alcohol"]
        pool_share = np.where(category == C["drug_related_visit"], 1.0, REPEAT_SHARE["ed"])
        pid = self._assign_people(rng, pid, home, cohort, pool_share)

        n = len(home)
        complaint = np.zeros(n, dtype=np.int32)
        codes = np.zeros(n, dtype=np.int32)
        for name, vocab in self.ed_vocabulary.items():
            rows = np.flatnonzero(category == C[name])
            text, code = vocab.sample(rng, len(rows))
            complaint[rows] = text + self._ed_offsets[name][0]
            codes[rows] = code + self._ed_offsets[name][1]
        overdose = (category == C["opioid_overdose"]) | (category == C["stimulant_overdose"])
        disposition = np.where(
            overdose,
            _draw(rng, ED_OVERDOSE_DISPOSITIONS, n),
            _draw(rng, ED_OTHER_DISPOSITIONS, n),
        )
        facility = np.where(
            rng.random(n) < 0.85, self.home_ed[home], self.referral_ed[home]
        ).astype(np.int32)
        received = occurred + np.clip(rng.lognormal(np.log(1800), 1.0, n), 60, 2 * 86400)
        return self._finish(
            rng,
            source=Source.EMERGENCY_DEPARTMENT,
            occurred=occurred,
            received=received,
            home=home,
            day=day,
            pid=pid,
            spike=spike,
            category=category,
            complaint=complaint,
            complaint_table=self.ed_complaints,
            codes=codes,
            codes_table=self.ed_codes,
            disposition=disposition,
            facility=facility,
            fatal=(disposition == D["died"]).astype(np.int8),
            naloxone=np.full(n, -1, dtype=np.int16),
            substances=np.zeros(n, dtype=np.int32),
            substances_table=["[]"],
            record_prefix="V",
            unknown_age_share=0.002,
            unknown_sex_share=0.003,
            identity_rows=np.ones(n, dtype=bool),  # every visit: ten million cost ~15%
            identity_profile=people.ED_IDENTITY,
        )

    def _paramedic(self, m: int, lo: int, hi: int) -> Batch:
        rng = np.random.default_rng([self.spec.seed, 20, m])
        cal = self.plan.calendar
        normal_c, normal_d = self._cells(PARAMEDIC, lo, hi)
        sched_c, sched_d, sched_t, sched_pid, sched_spike = self._scheduled(PARAMEDIC, lo, hi)
        home = np.concatenate([normal_c, sched_c])
        day = np.concatenate([normal_d, sched_d])
        occurred = np.concatenate(
            [cal.utc_seconds(normal_d, local_times(rng, len(normal_d), OVERDOSE_HOURS)), sched_t]
        )
        pid = np.concatenate([np.full(len(normal_c), -1), sched_pid])
        spike = np.concatenate([np.full(len(normal_c), -1), sched_spike])
        n = len(home)
        pid = self._assign_people(
            rng, pid, home, np.ones(n, dtype=bool), np.full(n, REPEAT_SHARE["paramedic"])
        )
        in_spike = spike >= 0
        substances = rng.choice(len(self.paramedic_substance_p), n, p=self.paramedic_substance_p)
        agents = np.array([s.agent for s in self.plan.spikes] or [0])
        substances[in_spike] = len(self.paramedic_substance_p) + agents[spike[in_spike]]
        naloxone = rng.choice(5, size=n, p=[0.28, 0.34, 0.24, 0.10, 0.04]).astype(np.int16)
        naloxone[in_spike] = np.minimum(naloxone[in_spike] + 1, 5)
        disposition = _draw(rng, PARAMEDIC_DISPOSITIONS, n)
        facility = np.where(disposition == D["transported"], self.home_ed[home], 0)
        received = occurred + np.clip(rng.lognormal(np.log(86400), 0.7, n), 1800, 10 * 86400)
        return self._finish(
            rng,
            source=Source.PARAMEDIC,
            occurred=occurred,
            received=received,
            home=home,
            day=day,
            pid=pid,
            spike=spike,
            category=np.full(n, C["paramedic_overdose"]),
            complaint=rng.choice(len(self.paramedic_complaints), n, p=self.paramedic_complaint_p),
            complaint_table=self.paramedic_complaints,
            codes=np.zeros(n, dtype=np.int32),
            codes_table=["[]"],
            disposition=disposition,
            facility=facility.astype(np.int32),
            fatal=(disposition == D["died"]).astype(np.int8),
            naloxone=naloxone,
            substances=substances,
            substances_table=self.paramedic_substances,
            record_prefix="EHS-",
            unknown_age_share=0.03,
            unknown_sex_share=0.01,
            identity_rows=np.ones(n, dtype=bool),
            identity_profile=people.PARAMEDIC_IDENTITY,
        )

    def _first_responders(self, m: int, paramedic: Batch) -> Batch:
        """Fire or police at some of the same overdoses, a few minutes earlier."""
        rng = np.random.default_rng([self.spec.seed, 30, m])
        rows = np.flatnonzero(
            rng.random(len(paramedic)) < self.first_responder_share[paramedic.home]
        )
        n = len(rows)
        occurred = paramedic.occurred[rows] - rng.integers(60, 480, n)
        order = np.argsort(occurred, kind="stable")
        rows, occurred = rows[order], occurred[order]
        age_band = np.where(rng.random(n) < 0.6, paramedic.age_band[rows], UNKNOWN_AGE)
        sex = np.where(rng.random(n) < 0.7, paramedic.sex[rows], "U")
        mirrored = paramedic.disposition[rows]
        disposition = np.where(rng.random(n) < 0.5, D["unknown"], mirrored)
        community = paramedic.community[rows]
        facility = np.where(community >= 0, self.fire_hall[paramedic.home[rows]], 0)
        seq = self._take_seq(Source.FIRST_RESPONDER.value, n)
        return Batch(
            source=Source.FIRST_RESPONDER.value,
            seq=seq,
            occurred=occurred,
            received=np.minimum(
                occurred + np.clip(rng.lognormal(np.log(3 * 86400), 0.6, n), 3600, 20 * 86400),
                self.plan.calendar.end_instant,
            ).astype(np.int64),
            community=community,
            age_band=age_band,
            sex=sex,
            complaint=rng.choice(len(self.first_responder_notes), n, p=self.first_responder_note_p),
            complaint_table=self.first_responder_notes,
            codes=np.zeros(n, dtype=np.int32),
            codes_table=["[]"],
            disposition=disposition,
            facility=facility.astype(np.int32),
            fatal=paramedic.fatal[rows],
            naloxone=rng.choice(3, size=n, p=[0.45, 0.4, 0.15]).astype(np.int16),
            substances=rng.choice(
                len(self.first_responder_substances), n, p=self.first_responder_substance_p
            ),
            substances_table=self.first_responder_substances,
            record_id=number_texts(seq, prefix="FR-", width=8),
            category=np.full(n, C["first_responder_overdose"]),
            pid=paramedic.pid[rows],
            spike=paramedic.spike[rows],
            home=paramedic.home[rows],
        )

    def _coroner(self, m: int, lo: int, hi: int) -> Batch:
        rng = np.random.default_rng([self.spec.seed, 40, m])
        plan = self.plan
        mask = (plan.deaths_day >= lo) & (plan.deaths_day < hi)
        home, day = plan.deaths_community[mask], plan.deaths_day[mask]
        occurred, pid = plan.deaths_occurred[mask], plan.deaths_pid[mask]
        n = len(home)
        year, _ = plan.calendar.months[m]
        detected = self.calibration.drugs_detected(year)
        drugs = np.zeros(n, dtype=np.int32)
        for bit, (column, _, _) in enumerate(vocabulary.DEATH_DRUGS):
            drugs |= (rng.random(n) < detected.get(column, 0.0)).astype(np.int32) << bit
        received = occurred + rng.integers(30 * 86400, 240 * 86400, n)
        return self._finish(
            rng,
            source=Source.CORONER,
            occurred=occurred,
            received=received,
            home=home,
            day=day,
            pid=pid,
            spike=np.full(n, -1),
            category=np.full(n, C["overdose_death"]),
            complaint=np.zeros(n, dtype=np.int32),
            complaint_table=[""],
            codes=drugs,
            codes_table=self.death_codes,
            disposition=np.full(n, D["died"]),
            facility=np.full(n, 1, dtype=np.int32),
            fatal=np.ones(n, dtype=np.int8),
            naloxone=np.full(n, -1, dtype=np.int16),
            substances=drugs,
            substances_table=self.death_substances,
            record_prefix="BCCS-",
            unknown_age_share=0.0,
            unknown_sex_share=0.0,
            identity_rows=np.ones(n, dtype=bool),
            identity_profile=people.CORONER_IDENTITY,
        )

    # Shared steps ----------------------------------------------------------------------

    def _assign_people(self, rng, pid, home, cohort, pool_share) -> np.ndarray:
        """Fill pid where it is -1: residents of the community for ordinary visits; for
        people who use drugs, someone from the community's repeat pool or someone new."""
        plan = self.plan
        pid = pid.copy()
        u = rng.random(len(pid))
        general = (pid < 0) & ~cohort
        pid[general] = plan.general_offset[home[general]] + (
            u[general] * plan.general_size[home[general]]
        ).astype(np.int64)
        from_pool = (pid < 0) & cohort & (rng.random(len(pid)) < pool_share)
        # Skewed towards the first members: a few people have many overdoses.
        pid[from_pool] = plan.pool_offset[home[from_pool]] + (
            u[from_pool] ** 1.8 * plan.pool_size[home[from_pool]]
        ).astype(np.int64)
        new = np.flatnonzero(pid < 0)
        pid[new] = self._next_singleton + np.arange(len(new))
        self._next_singleton += len(new)
        return pid

    def _person_traits(self, pid, home) -> tuple[np.ndarray, np.ndarray]:
        """Sex and birth day of each person: overdose, death or general ED profiles."""
        plan, calib, seed = self.plan, self.calibration, self.spec.seed
        sex = np.empty(len(pid), dtype="<U1")
        birth = np.empty(len(pid), dtype=np.int64)
        groups = [
            (pid < plan.decedent_base, calib.overdose_age_weights, calib.ed_overdose_male_share),
            (
                (pid >= plan.decedent_base) & (pid < plan.general_base),
                calib.death_age_weights,
                calib.death_male_share()[calib.authority_of[home]],
            ),
            (pid >= plan.general_base, calib.ed_age_weights, GENERAL_MALE_SHARE),
        ]
        for mask, ages, male_share in groups:
            if not mask.any():
                continue
            share = male_share[mask] if isinstance(male_share, np.ndarray) else male_share
            sex[mask] = people.sexes(seed, pid[mask], share)
            birth[mask] = people.birth_days(seed, pid[mask], ages, plan.reference_day)
        return sex, birth

    def _take_seq(self, source: str, n: int) -> np.ndarray:
        first = self._next_seq[source]
        self._next_seq[source] = first + n
        return np.arange(first, first + n, dtype=np.int64)

    def _finish(
        self,
        rng,
        *,
        source,
        occurred,
        received,
        home,
        day,
        pid,
        spike,
        category,
        record_prefix,
        unknown_age_share,
        unknown_sex_share,
        identity_rows,
        identity_profile,
        **columns,
    ) -> Batch:
        """Sort by time, lose the place of a few events, derive age and sex, number them."""
        order = np.argsort(occurred, kind="stable")
        n = len(order)
        home, day, pid, spike, category = (a[order] for a in (home, day, pid, spike, category))
        occurred = occurred[order].astype(np.int64)
        received = np.minimum(received[order], self.plan.calendar.end_instant).astype(np.int64)
        columns = {k: (v[order] if isinstance(v, np.ndarray) else v) for k, v in columns.items()}
        identity_rows = np.flatnonzero(identity_rows[order])
        unknown_place = (rng.random(n) < UNKNOWN_PLACE_SHARE) & (spike < 0)
        community = np.where(unknown_place, -1, home).astype(np.int32)
        sex, birth = self._person_traits(pid, home)
        age = (self.plan.calendar.days[day] - birth) * 400 // 146097  # years of 365.2425 days
        age_band = np.minimum(np.maximum(age, 0) // 5, UNKNOWN_AGE - 1)
        age_band[rng.random(n) < unknown_age_share] = UNKNOWN_AGE
        event_sex = sex.copy()
        event_sex[rng.random(n) < unknown_sex_share] = "U"
        source = str(source.value)
        seq = self._take_seq(source, n)
        return Batch(
            source=source,
            seq=seq,
            occurred=occurred,
            received=received,
            community=community,
            age_band=age_band.astype(np.int8),
            sex=event_sex,
            record_id=number_texts(seq, prefix=record_prefix, width=8),
            category=category,
            pid=pid,
            spike=spike,
            home=home,
            identity=people.identity_columns(
                rng,
                seed=self.spec.seed,
                rows=identity_rows,
                pid=pid,
                birth=birth,
                home=home,
                unknown_place=unknown_place,
                profile=identity_profile,
                places=self.places,
            ),
            **columns,
        )


def _draw(rng: np.random.Generator, probabilities: dict[str, float], n: int) -> np.ndarray:
    keys = list(probabilities)
    p = np.array([probabilities[k] for k in keys])
    return np.take([D[k] for k in keys], rng.choice(len(keys), size=n, p=p / p.sum()))
