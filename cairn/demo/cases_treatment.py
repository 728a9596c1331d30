"""The demo's opioid agonist treatment (OAT) and supporters, around the demo clients.

`load_demo_treatment()` runs at the end of `load_demo_cases()` (and on a demo database
whose clients were loaded before it existed). Every record is invented:

* **Opioid use disorder** recorded for most clients (not for most people who use
  occasionally), and **about 60 % ever on OAT**: buprenorphine/naloxone and methadone
  mostly, slow-release oral morphine, a few on injectable OAT or on monthly
  extended-release buprenorphine.
* **Dispensing** day by day over up to 27 months: daily witnessed doses at first (with a
  rising dose), then carries (twice weekly or weekly) for many once stable; single
  missed days, some reported by the pharmacy as missed doses. Some people are retained
  for months or years, some started lately, some stopped long ago or recently (the
  daily check raises "stopped" care alerts for those), some restarted, some have a
  run of missed doses in the last days (a "missed doses" alert), one or two switched
  drug (methadone to buprenorphine/naloxone), one takes injectable OAT with an oral
  dose alongside (concurrent), and two have a clinic start the team entered itself.
* **Supporters** for a handful of the ER nurse's clients: family members, a friend,
  peers with lived experience, with the person's consent per purpose (some revoked,
  with the reason). The `peer.worker` persona is linked to two people: one whose
  consents in force let the peer see appointments and treatment status, one whose
  only consent was revoked (so the peer's "People you support" page lists one person).

Dispensing and missed doses are written in bulk; the derived episodes are then made
by the product's own `records.rederive`, and the daily check (`alerts.check`, as
`cairn treatment check` runs it for yesterday) raises the OAT alerts into the care
teams' inboxes. Entered episodes and supporters go through the product's own
functions (as the nurse). One seeded generator: the same seed gives the same records,
relative to today; a second call finds the demo's dispensing and does nothing.
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from cairn.access.personas import PERSONAS
from cairn.cases import supporters as supporter_actions
from cairn.cases.models import Client, ClientHolding, ConsentMethod, ContactMethod, RecordStatus
from cairn.cases.models.care_alerts import CareAlert, CareAlertKind
from cairn.cases.models.groups import CareGroup, GroupPlacement
from cairn.cases.models.plans import GoalStatus, PlanGoal
from cairn.cases.models.supporters import ConsentPurpose, Supporter, SupporterRelationship
from cairn.cases.models.treatment import (
    OatDispensing,
    OatDrug,
    OatEndReason,
    OatEpisode,
    OatMissedDose,
    OatOrigin,
    OudDiagnosis,
    RecordSource,
)
from cairn.cases.treatment import alerts, episodes, records, rules
from cairn.demo.cases import ACTOR, FAMILY, GIVEN, KEY_PREFIX, SEED, _pick

DAY = dt.timedelta(days=1)

# Share of each group ever on OAT (about 60 % overall with the demo's group shares).
OAT_SHARE = {
    CareGroup.STREET_INVOLVED: 0.78,
    CareGroup.HIDDEN_REGULAR: 0.62,
    CareGroup.RECREATIONAL: 0.15,
    CareGroup.FIRST_NATIONS: 0.70,
    CareGroup.NOT_ASSESSED: 0.45,
}
# Of the others, how many have the disorder recorded all the same.
DIAGNOSED_WITHOUT_OAT = {CareGroup.RECREATIONAL: 0.1}
DIAGNOSED_WITHOUT_OAT_DEFAULT = 0.55
DIAGNOSIS_BASIS = (
    ("Assessed at the Rapid Access Addiction Clinic (DSM-5)", 4),
    ("Assessed by the ED physician after the overdose", 3),
    ("Known to the family doctor", 2),
    ("Assessed by the OAT prescriber at intake", 3),
)
# Where a person's treatment stands today.
TRAJECTORIES = (
    ("retained", 40),
    ("new", 6),
    ("stopped_recent", 6),
    ("stopped_long", 22),
    ("restarted", 10),
    ("missed_run", 6),
    ("missing_now", 3),
)
DRUGS = (
    (OatDrug.BUPRENORPHINE_NALOXONE, 40),
    (OatDrug.METHADONE, 35),
    (OatDrug.SROM, 13),
    (OatDrug.INJECTABLE, 5),
    (OatDrug.XR_BUPRENORPHINE, 7),
)
DAILY_DRUGS = (
    (OatDrug.BUPRENORPHINE_NALOXONE, 45),
    (OatDrug.METHADONE, 40),
    (OatDrug.SROM, 15),
)
# Once stable: how often the person picks up (the rest of the days are carries).
PATTERNS = {
    OatDrug.BUPRENORPHINE_NALOXONE: (("weekly", 5), ("twice_weekly", 3), ("daily", 2)),
    OatDrug.METHADONE: (("daily", 4), ("twice_weekly", 4), ("weekly", 2)),
    OatDrug.SROM: (("daily", 7), ("twice_weekly", 3)),
    OatDrug.INJECTABLE: (("daily", 1),),
    OatDrug.XR_BUPRENORPHINE: (("monthly", 1),),
}
# (first dose, step, days between steps, target range) in mg a day.
DOSES = {
    OatDrug.BUPRENORPHINE_NALOXONE: (8, 4, 1, (12, 24)),
    OatDrug.METHADONE: (30, 10, 5, (60, 120)),
    OatDrug.SROM: (200, 100, 3, (400, 900)),
    OatDrug.INJECTABLE: (150, 50, 2, (300, 600)),
    OatDrug.XR_BUPRENORPHINE: (300, 0, 1, (100, 300)),
}
PHARMACIES = {
    "vch": (
        "Hastings Street Community Pharmacy",
        "Main Street Pharmacy",
        "Commercial Drive Pharmacy",
        "Community health centre dispensary (iOAT)",
    ),
    "fraser": ("Whalley Community Pharmacy", "Guildford Pharmacy", "Abbotsford Central Pharmacy"),
}
PRESCRIBERS = (
    "Rapid Access Addiction Clinic",
    "Family physician",
    "Nurse practitioner, evening OAT clinic",
    "Addiction medicine consult service",
)
MISSED_NOTES = (
    "Did not come for the witnessed dose.",
    "Pharmacy closed early; the person came after closing.",
    "",
)


@dataclass
class TreatmentLoaded:
    diagnoses: int = 0
    ever_on_oat: int = 0
    dispensings: int = 0
    missed_doses: int = 0
    episodes: int = 0
    entered: int = 0
    supporters: int = 0
    consents: int = 0
    revoked: int = 0
    stopped_alerts: int = 0
    missed_alerts: int = 0

    def summary(self) -> str:
        return (
            f"Demo treatment: opioid use disorder recorded for {self.diagnoses} clients, "
            f"{self.ever_on_oat} ever on OAT ({self.dispensings} dispensings, "
            f"{self.missed_doses} missed doses, {self.episodes} episodes, {self.entered} "
            f"entered by the team); OAT care alerts: {self.stopped_alerts} stopped, "
            f"{self.missed_alerts} missed doses. {self.supporters} supporters with "
            f"{self.consents} consents ({self.revoked} revoked)."
        )


def demo_treatment_loaded() -> bool:
    return OatDispensing.objects.filter(
        client__creation_key__startswith=KEY_PREFIX, created_by=ACTOR
    ).exists()


def _days(rng, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=int(rng.integers(low, high + 1)))


class _Treatment:
    """Unsaved dispensing and missed doses, planned person by person."""

    def __init__(self, rng, today: dt.date):
        self.rng = rng
        self.today = today
        self.as_of = today - DAY  # what the daily check looks at
        self.dispensings: list[OatDispensing] = []
        self.missed: list[OatMissedDose] = []
        self.tz = timezone.get_current_timezone()

    def course(
        self,
        person: dict,
        drug: str,
        start: dt.date,
        last_covered: dt.date,
        *,
        stable_after: int | None = None,
        pattern: str | None = None,
        skip: Collection[dt.date] = (),
        daily_from: dt.date | None = None,
        sporadic: bool = True,
    ) -> dt.date:
        """Dispensing of one drug from `start`, the last one covering up to
        `last_covered` at most; returns the last day actually covered."""
        rng = self.rng
        first, step, every, (low, high) = DOSES[drug]
        target = int(
            rng.integers(low // step if step else low, (high // step if step else high) + 1)
        )
        target = target * step if step else target
        if drug == OatDrug.XR_BUPRENORPHINE:
            target = int(rng.choice([100, 300]))
        pattern = pattern or _pick(rng, PATTERNS[drug])
        if stable_after is None:
            stable_after = int(rng.integers(21, 90))
        witnessed_carries = drug != OatDrug.BUPRENORPHINE_NALOXONE or rng.random() < 0.5
        day, covered, skipped_before = start, None, False
        injections = 0
        while day <= last_covered:
            if day in skip:
                day, skipped_before = day + DAY, True
                continue
            if drug == OatDrug.XR_BUPRENORPHINE:
                dose = 300 if injections < 2 else target
                self._add(person, drug, day, dose, witnessed=True, carries=0)
                injections += 1
                covered = day + 27 * DAY
                day += 28 * DAY
                continue
            daily = (
                pattern == "daily"
                or (day - start).days < stable_after
                or (daily_from is not None and day >= daily_from)
            )
            if (
                daily
                and sporadic
                and day > start
                and day < last_covered - 2 * DAY
                and not skipped_before
                and rng.random() < 0.025
            ):
                skipped_before = True
                if rng.random() < 0.5:
                    self._missed(person, drug, day)
                day += DAY
                continue
            skipped_before = False
            if daily:
                carries = 0
            elif pattern == "weekly":
                carries = 6
            else:
                carries = 2 if day.weekday() < 3 else 3
            if daily_from is not None and day + carries * DAY >= daily_from:
                carries = max(0, (daily_from - day).days - 1)
            carries = min(carries, (last_covered - day).days)
            titrated = first + step * ((day - start).days // every) if step else target
            dose = min(titrated, target)
            self._add(
                person, drug, day, dose, witnessed=daily or witnessed_carries, carries=carries
            )
            covered = day + carries * DAY
            day = covered + DAY
        return covered or start

    def _add(self, person, drug, day, dose, *, witnessed: bool, carries: int) -> None:
        # Plain rows (the largest table: tens of thousands), inserted without models.
        self.dispensings.append(
            (
                person["id"],
                drug,
                day,
                Decimal(dose),
                witnessed,
                carries,
                person["pharmacy"],
                person["prescriber"],
                person["organization_id"],
                dt.datetime.combine(day, dt.time(18), tzinfo=self.tz),
            )
        )

    def _missed(self, person, drug, day, note: str | None = None) -> None:
        self.missed.append(
            OatMissedDose(
                client_id=person["id"],
                drug=drug,
                missed_on=day,
                pharmacy=person["pharmacy"],
                note=note if note is not None else str(self.rng.choice(MISSED_NOTES)),
                source=RecordSource.ENTERED,
                organization_id=person["organization_id"],
                created_at=timezone.make_aware(dt.datetime.combine(day + DAY, dt.time(9))),
                created_by=ACTOR,
            )
        )

    # Trajectories ------------------------------------------------------------------

    def plan(self, person: dict, kind: str) -> dt.date:
        """Dispensing for one person's trajectory; returns the first day on OAT."""
        rng, today, as_of = self.rng, self.today, self.as_of
        drug = self.drug(person, daily_only=kind in ("stopped_recent", "missed_run", "missing_now"))
        gap = rules.gap_days(drug)
        if kind == "retained":
            low, high = _pick(
                rng, (((35, 90), 3), ((90, 365), 4), ((365, 730), 2), ((730, 800), 1))
            )
            start = today - _days(rng, low, high)
            long = (today - start).days > 365
            pattern = _pick(rng, (("weekly", 1), ("twice_weekly", 1))) if long else None
            if drug in (OatDrug.INJECTABLE, OatDrug.XR_BUPRENORPHINE):
                pattern = None
            self.course(person, drug, start, today, pattern=pattern)
        elif kind == "new":
            start = today - _days(rng, 3, 34)
            self.course(person, drug, start, today)
        elif kind == "stopped_recent":
            last = as_of - (gap + 1) * DAY - _days(rng, 0, 21)
            start = last - _days(rng, 20, 200)
            self.course(person, drug, start, last)
        elif kind == "stopped_long":
            last = today - _days(rng, 45, 420)
            start = last - _days(rng, 7, 240)
            self.course(person, drug, start, last)
        elif kind == "restarted":
            last = today - _days(rng, 60, 300)
            start = last - _days(rng, 14, 200)
            self.course(person, drug, start, last)
            again = last + _days(rng, 15, 50)
            self.course(person, self.drug(person), again, today)
        elif kind == "missed_run":
            start = today - _days(rng, 60, 400)
            end = as_of - _days(rng, 1, 5)
            run = {end - 2 * DAY, end - DAY, end}
            self.course(person, drug, start, today, skip=run, daily_from=end - _days(rng, 14, 40))
            for day in sorted(run):
                self._missed(person, drug, day, "Did not come for the witnessed dose.")
        elif kind == "missing_now":
            start = today - _days(rng, 40, 300)
            self.course(person, drug, start, today - 4 * DAY, daily_from=today - _days(rng, 20, 40))
        else:  # pragma: no cover - a trajectory named above
            raise ValueError(kind)
        return start

    def switch(self, person: dict) -> dt.date:
        """Methadone, then buprenorphine/naloxone after a short cross-taper."""
        rng, today = self.rng, self.today
        start = today - _days(rng, 150, 400)
        last = today - _days(rng, 20, 100)
        self.course(person, OatDrug.METHADONE, start, last, sporadic=False)
        self.course(
            person,
            OatDrug.BUPRENORPHINE_NALOXONE,
            last - _days(rng, 0, 5),
            today,
            stable_after=14,
            sporadic=False,
        )
        return start

    def concurrent(self, person: dict) -> dt.date:
        """Injectable OAT daily at the clinic, with an oral evening dose alongside."""
        rng, today = self.rng, self.today
        start = today - _days(rng, 120, 300)
        self.course(person, OatDrug.INJECTABLE, start, today, sporadic=False)
        self.course(
            person, OatDrug.SROM, start + _days(rng, 0, 10), today, pattern="daily", sporadic=False
        )
        return start

    def drug(self, person: dict, *, daily_only: bool = False) -> str:
        rng = self.rng
        if daily_only:
            return _pick(rng, DAILY_DRUGS)
        drug = _pick(rng, DRUGS)
        if drug == OatDrug.INJECTABLE and (
            person["region"] != "vch"
            or person["group"] not in (CareGroup.STREET_INVOLVED, CareGroup.FIRST_NATIONS)
        ):
            drug = OatDrug.METHADONE
        return drug


def _people(skip_ids: Collection[int]) -> list[dict]:
    """The demo's active clients with their centre, group and first overdose, in load order."""
    nurse_centre = PERSONAS["er_nurse"].organization
    rows = Client.objects.filter(
        creation_key__startswith=KEY_PREFIX, status=RecordStatus.ACTIVE
    ).exclude(pk__in=list(skip_ids))
    clients = sorted(
        rows.values_list("pk", "creation_key", "identity_status"),
        key=lambda row: int(row[1][len(KEY_PREFIX) :]),
    )
    ids = [pk for pk, _key, _status in clients]
    holders = {}
    for client_id, organization_id, name in ClientHolding.objects.filter(
        client_id__in=ids
    ).values_list("client_id", "organization_id", "organization__name"):
        holders.setdefault(client_id, (organization_id, name))
    groups = {}
    for client_id, group in (
        GroupPlacement.objects.filter(client_id__in=ids)
        .order_by("client_id", "-placed_at", "-pk")
        .values_list("client_id", "group")
    ):
        groups.setdefault(client_id, group)
    first = dict(
        Client.objects.filter(pk__in=ids)
        .annotate(first=Min("episodes__occurred_at"))
        .values_list("pk", "first")
    )
    people = []
    for pk, _key, status in clients:
        if pk not in holders:
            continue
        organization_id, name = holders[pk]
        people.append(
            {
                "id": pk,
                "organization_id": organization_id,
                "nurse_centre": name == nurse_centre,
                "region": "vch" if name == nurse_centre else "fraser",
                "group": groups.get(pk, CareGroup.NOT_ASSESSED),
                "anonymous": status == "anonymous",
                "first_overdose": first.get(pk),
            }
        )
    return people


@transaction.atomic
def load_demo_treatment(
    *, seed: int = SEED, now: dt.datetime | None = None, skip_ids: Collection[int] = ()
) -> TreatmentLoaded | None:
    """OAT records, diagnoses and supporters for the demo clients, once.

    `skip_ids`: clients to leave without treatment (the likely duplicates, so that a
    merge the team makes in the demo is a plain one). Returns None when the demo's
    treatment is there already, or when there are no demo clients or no nurse.
    """
    if demo_treatment_loaded():
        return None
    nurse = get_user_model().objects.filter(username=PERSONAS["er_nurse"].username).first()
    people = _people(skip_ids)
    if nurse is None or not people:
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = np.random.default_rng([seed, 5])  # its own stream: the cases stay as they were
    plan = _Treatment(rng, today)
    loaded = TreatmentLoaded()
    diagnoses, on_oat = [], []
    for person in people:
        person["pharmacy"] = str(rng.choice(PHARMACIES[person["region"]][:3]))
        person["prescriber"] = str(rng.choice(PRESCRIBERS))
        oat = rng.random() < OAT_SHARE[person["group"]]
        person["trajectory"] = _pick(rng, TRAJECTORIES) if oat else ""
        if oat:
            on_oat.append(person)
    # Special cases, deterministic: two switches (one per centre), one concurrent iOAT,
    # two clinic starts entered by the nurse's team.
    retained = [p for p in on_oat if p["trajectory"] == "retained"]
    for region in ("vch", "fraser"):
        mine = [p for p in retained if p["region"] == region and not p.get("special")]
        if mine:
            mine[0]["special"] = "switch"
    street = [
        p
        for p in retained
        if p["region"] == "vch" and p["group"] == CareGroup.STREET_INVOLVED and not p.get("special")
    ]
    if street:
        street[0]["special"] = "concurrent"
        street[0]["pharmacy"] = PHARMACIES["vch"][3]
    entered = [p for p in people if p["nurse_centre"] and not p["trajectory"]][:2]
    for person in on_oat:
        special = person.get("special")
        if special == "switch":
            person["started"] = plan.switch(person)
        elif special == "concurrent":
            person["started"] = plan.concurrent(person)
        else:
            person["started"] = plan.plan(person, person["trajectory"])
    for person in people:
        started = person.get("started")
        if started is not None:
            diagnosed = rng.random() < 0.92
        else:
            share = DIAGNOSED_WITHOUT_OAT.get(person["group"], DIAGNOSED_WITHOUT_OAT_DEFAULT)
            diagnosed = person in entered or rng.random() < share
        if not diagnosed:
            continue
        overdose = person["first_overdose"]
        day = timezone.localdate(overdose) if overdose else today - _days(rng, 10, 200)
        if started is not None:
            day = min(day, started - _days(rng, 0, 30))
        if rng.random() < 0.15:
            day = None  # known, date not recorded
        diagnoses.append(
            OudDiagnosis(
                client_id=person["id"],
                diagnosed_on=day,
                basis=_pick(rng, DIAGNOSIS_BASIS),
                recorded_at=now,
                recorded_by=ACTOR,
            )
        )
    OudDiagnosis.objects.bulk_create(diagnoses)
    _insert_dispensings(plan.dispensings)
    OatMissedDose.objects.bulk_create(plan.missed, batch_size=2000)
    loaded.diagnoses, loaded.ever_on_oat = len(diagnoses), len(on_oat)
    loaded.dispensings, loaded.missed_doses = len(plan.dispensings), len(plan.missed)
    _derive([p["id"] for p in on_oat], today)
    loaded.entered = _entered_episodes(nurse, entered, rng, today)
    loaded.episodes = OatEpisode.objects.filter(client_id__in=[p["id"] for p in people]).count()
    _supporters(nurse, people, rng, now, loaded)
    # The daily check, for yesterday as `cairn treatment check` runs it.
    result = alerts.check(plan.as_of, client_ids=[p["id"] for p in people])
    kinds = [alert.kind for alert in result.raised]
    loaded.stopped_alerts = kinds.count(CareAlertKind.OAT_STOPPED)
    loaded.missed_alerts = kinds.count(CareAlertKind.OAT_MISSED_DOSES)
    return loaded


def _derive(client_ids: list[int], as_of: dt.date) -> None:
    """The derived episodes, in bulk, as `records.rederive` makes them one person at a
    time after a dispensing is recorded (the same runs from `episodes.derive_runs`;
    the demo's tests check that `rederive` then finds nothing to change)."""
    dispensed = records.dispensed_of(client_ids)
    made: list[tuple[OatEpisode, episodes.Run, list[OatEpisode]]] = []
    rows = []
    for client_id in client_ids:
        runs = episodes.derive_runs(dispensed.get(client_id, []), as_of)
        mine = [
            OatEpisode(
                client_id=client_id,
                origin=OatOrigin.DERIVED,
                drug=r.drug,
                started_on=r.start,
                last_covered_on=r.last_covered,
                stopped_on=r.stopped_on,
                end_reason=r.end_reason,
                concurrent=r.concurrent,
                dispensings=r.dispensings,
                created_by="derived from dispensing",
            )
            for r in runs
        ]
        rows += mine
        made += [(episode, run, mine) for episode, run in zip(mine, runs, strict=True)]
    OatEpisode.objects.bulk_create(rows)
    switched = []
    for episode, run, mine in made:
        if run.switched_from is not None:
            episode.switched_from = mine[run.switched_from]
            switched.append(episode)
    OatEpisode.objects.bulk_update(switched, ["switched_from"])


def _insert_dispensings(rows: list[tuple]) -> None:
    columns = (
        "client_id",
        "drug",
        "dispensed_on",
        "dose",
        "witnessed",
        "carry_days",
        "pharmacy",
        "prescriber",
        "organization_id",
        "created_at",
    )
    constant = {"dose_unit": "mg", "source": RecordSource.ENTERED, "created_by": ACTOR}
    ops = connection.ops
    quote = ops.quote_name
    names = ", ".join(map(quote, columns + tuple(constant)))
    marks = ", ".join(["%s"] * (len(columns) + len(constant)))
    extra = list(constant.values())
    values = [
        [
            client_id,
            drug,
            ops.adapt_datefield_value(day),
            ops.adapt_decimalfield_value(dose, 8, 2),
            witnessed,
            carries,
            pharmacy,
            prescriber,
            org,
            ops.adapt_datetimefield_value(at),
            *extra,
        ]
        for client_id, drug, day, dose, witnessed, carries, pharmacy, prescriber, org, at in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(OatDispensing._meta.db_table)} ({names}) VALUES ({marks})",
            values,
        )


def _entered_episodes(nurse, people: list[dict], rng, today: dt.date) -> int:
    """A clinic start the team entered (no dispensing imported yet), and one the team
    entered and later recorded as stopped (the person chose to; alerted)."""
    made = 0
    for k, person in enumerate(people):
        client = Client.objects.get(pk=person["id"])
        started_on = today - (_days(rng, 4, 20) if k == 0 else _days(rng, 50, 90))
        saved = records.start_episode(
            actor=nurse,
            client=client,
            drug=OatDrug.BUPRENORPHINE_NALOXONE if k == 0 else OatDrug.METHADONE,
            started_on=started_on,
            prescriber="Rapid Access Addiction Clinic",
            pharmacy=PHARMACIES["vch"][k],
            note="Started at the clinic; dispensing records not imported yet."
            if k == 0
            else "Started after the ED visit; the clinic follows up.",
            idempotency_key=f"demo-entered-{client.pk}",
        )
        made += int(saved.created)
        if k == 1:
            records.stop_episode(
                actor=nurse,
                client=client,
                episode_id=saved.row.pk,
                stopped_on=today - _days(rng, 6, 15),
                end_reason=OatEndReason.PERSON_CHOSE,
                note="The person stopped coming; wants to try on their own for now.",
            )
    return made


# Supporters ------------------------------------------------------------------------


def _name(rng, sex: str = "") -> str:
    sex = sex or str(rng.choice(["F", "M"]))
    return f"{rng.choice(GIVEN[sex])} {rng.choice(FAMILY)}"


def _phone(rng) -> str:
    return f"604-555-01{int(rng.integers(0, 100)):02d}"


def _supporters(nurse, people: list[dict], rng, now: dt.datetime, loaded: TreatmentLoaded) -> None:
    """Supporters for a handful of the nurse's clients, with consent per purpose.

    The peer worker persona is linked to A (consents in force: contact about follow-up,
    appointments and treatment; the care plan revoked) and to B (its only consent
    revoked: the peer does not see B at all)."""
    peer = get_user_model().objects.filter(username=PERSONAS["peer_worker"].username).first()
    ids = [p["id"] for p in people if p["nurse_centre"] and not p["anonymous"]]
    with_goals = set(
        PlanGoal.objects.filter(client_id__in=ids, status=GoalStatus.OPEN).values_list(
            "client_id", flat=True
        )
    )
    on_oat = [
        p
        for p in people
        if p["id"] in with_goals and p.get("trajectory") == "retained" and not p.get("special")
    ]
    first_two = {p["id"] for p in on_oat[:2]}
    others = [p for p in people if p["id"] in with_goals and p["id"] not in first_two]
    chosen = on_oat[:2] + others[:3]
    if len(chosen) < 5:
        return
    a, b, c, d, e = (Client.objects.get(pk=p["id"]) for p in chosen)
    days = dt.timedelta(days=1)
    P = ConsentPurpose
    plans = [
        # (client, name, relationship, account, contact, note, [(purpose, method, days ago,
        #  revoked days ago or None, reason)])
        (
            a,
            peer.get_full_name() if peer else "Peer support worker",
            SupporterRelationship.PEER,
            peer,
            None,
            "Met at the overdose prevention site; checks in every week.",
            [
                (P.CONTACT_ABOUT_FOLLOW_UP, ConsentMethod.VERBAL, 40, None, ""),
                (P.SEE_APPOINTMENTS, ConsentMethod.WRITTEN, 40, None, ""),
                (
                    P.SEE_CARE_PLAN,
                    ConsentMethod.VERBAL,
                    40,
                    9,
                    "The person wants to keep the care plan between them and the nurse for now.",
                ),
            ],
        ),
        (
            a,
            _name(rng, "F"),
            SupporterRelationship.FAMILY,
            None,
            (ContactMethod.PHONE, _phone(rng)),
            "Sister; the person's emergency contact.",
            [
                (P.CONTACT_ABOUT_FOLLOW_UP, ConsentMethod.WRITTEN, 60, None, ""),
                (P.RECEIVE_OVERDOSE_ALERTS, ConsentMethod.VERBAL, 200, None, ""),
            ],
        ),
        (
            b,
            peer.get_full_name() if peer else "Peer support worker",
            SupporterRelationship.PEER,
            peer,
            None,
            "Introduced by the outreach team.",
            [
                (
                    P.SEE_APPOINTMENTS,
                    ConsentMethod.VERBAL,
                    90,
                    20,
                    "The person joined another peer program and asked to stop sharing.",
                ),
            ],
        ),
        (
            c,
            _name(rng, "F"),
            SupporterRelationship.FAMILY,
            None,
            (ContactMethod.PHONE, _phone(rng)),
            "Mother; lives in the same building.",
            [
                (P.CONTACT_ABOUT_FOLLOW_UP, ConsentMethod.VERBAL, 30, None, ""),
                (P.SEE_APPOINTMENTS, ConsentMethod.VERBAL, 30, None, ""),
                (
                    P.SEE_CARE_PLAN,
                    ConsentMethod.WRITTEN,
                    30,
                    5,
                    "Asked that family not see the plan after a disagreement at home.",
                ),
            ],
        ),
        (
            d,
            _name(rng),
            SupporterRelationship.FRIEND,
            None,
            (ContactMethod.TEXT, _phone(rng)),
            "Friend who carries naloxone; they often use together.",
            [(P.RECEIVE_OVERDOSE_ALERTS, ConsentMethod.VERBAL, 15, None, "")],
        ),
        (
            e,
            "Peer navigator, overdose prevention site",
            SupporterRelationship.PEER,
            None,
            (ContactMethod.IN_PERSON, "Overdose prevention site, evenings"),
            "",
            [
                (P.SEE_CARE_PLAN, ConsentMethod.VERBAL, 25, None, ""),
                (P.CONTACT_ABOUT_FOLLOW_UP, ConsentMethod.VERBAL, 25, None, ""),
            ],
        ),
    ]
    for k, (client, name, relationship, account, contact, note, consents) in enumerate(plans):
        if k in (0, 2) and account is None:
            continue  # no peer worker persona to link
        supporter = supporter_actions.add_supporter(
            actor=nurse,
            client=client,
            name=name,
            relationship=relationship,
            contact_method=contact[0] if contact else "",
            contact_value=contact[1] if contact else "",
            username=account.get_username() if account else "",
            note=note,
            idempotency_key=f"demo-supporter-{k}",
        )
        first = max(ago for _p, _m, ago, _r, _why in consents)
        Supporter.objects.filter(pk=supporter.pk).update(added_at=now - (first + 1) * days)
        loaded.supporters += 1
        for purpose, method, ago, revoked_ago, reason in consents:
            consent = supporter_actions.record_consent(
                actor=nurse,
                client=client,
                supporter_id=supporter.pk,
                purpose=purpose,
                method=method,
                recorded_at=now - ago * days,
            )
            loaded.consents += 1
            if revoked_ago is not None:
                supporter_actions.revoke_consent(
                    actor=nurse,
                    client=client,
                    supporter_id=supporter.pk,
                    consent_id=consent.pk,
                    reason=reason,
                )
                type(consent).objects.filter(pk=consent.pk).update(
                    revoked_at=now - revoked_ago * days
                )
                loaded.revoked += 1


def delete_demo_treatment(client_ids: Collection[int]) -> None:
    """Delete the treatment records, supporters and care alerts of these demo clients."""
    ids = list(client_ids)
    CareAlert.objects.filter(client_id__in=ids).delete()
    Supporter.objects.filter(client_id__in=ids).delete()  # their consents with them
    OatEpisode.objects.filter(client_id__in=ids).update(switched_from=None)
    OatEpisode.objects.filter(client_id__in=ids).delete()
    OatDispensing.objects.filter(client_id__in=ids).delete()
    OatMissedDose.objects.filter(client_id__in=ids).delete()
    OudDiagnosis.objects.filter(client_id__in=ids).delete()
