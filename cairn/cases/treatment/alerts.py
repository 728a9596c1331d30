"""Stop and missed-dose detection, and the care alerts it raises.

`detect(as_of)` returns what would be alerted — one `PendingAlert` per person, event and
holding organization — and `check(as_of)` raises them through
`cairn.cases.care_alerts.raise_care_alert`. Each alert has a source key made of the
organization, the person and the dates of what happened, so running the check again
(the same day, or the next day while nothing changed) never raises it twice.

* **Stopped**: the person's course of continuous OAT ended — the latest derived
  episode is more than its drug's gap past its last covered day, or the team recorded
  a stop — and nothing restarted since. Alerted while the stop is under
  `rules.stop_alert_window_days()` (28) days old; not alerted when the team's recorded
  reason is a death, a transfer of care or a switch.
* **Missed doses**: `rules.missed_doses_alert()` (3) or more days in a row without a
  dose while the course goes on: recorded missed doses, and the days after the last
  covered day of a derived episode that has not ended. Alerted while the run's last
  day is under `rules.missed_alert_window_days()` (7) days old; one alert per run.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cairn.cases.care_alerts import raise_care_alert
from cairn.cases.models import Client, ClientHolding, RecordStatus
from cairn.cases.models.care_alerts import CareAlertKind
from cairn.cases.models.treatment import (
    OatDrug,
    OatEndReason,
    OatEpisode,
    OatMissedDose,
    OatOrigin,
)
from cairn.cases.treatment import episodes, rules
from cairn.cases.treatment.records import dispensed_of

ACTOR = "system:cases.treatment"
NOT_ALERTED = {OatEndReason.DIED, OatEndReason.TRANSFERRED, OatEndReason.SWITCHED}


@dataclass(frozen=True)
class PendingAlert:
    client_id: int
    organization_id: int
    kind: str
    text: str
    link: str
    source_key: str


@dataclass
class CheckResult:
    as_of: dt.date
    people: int = 0
    raised: list = field(default_factory=list)
    already: int = 0


def _label(drug: str) -> str:
    return OatDrug(drug).label


def detect_events(
    *,
    client_id: int,
    dispensed: list[episodes.Dispensed],
    entered: list,
    missed_days: list[dt.date],
    as_of: dt.date,
) -> list[tuple[str, str, str]]:
    """(kind, key part, text) for one person on `as_of`: pure, no database."""
    runs = episodes.derive_runs(dispensed, as_of)
    all_courses = episodes.courses(episodes.intervals_from(runs, entered, as_of))
    found: list[tuple[str, str, str]] = []
    last = all_courses[-1] if all_courses else None
    if last is not None and not last.ongoing:
        known = last.stop_known_on()
        age = (as_of - known).days
        if 0 <= age < rules.stop_alert_window_days() and last.last.end_reason not in NOT_ALERTED:
            found.append(
                (
                    CareAlertKind.OAT_STOPPED,
                    f"{last.end.isoformat()}",
                    f"Opioid agonist treatment ({_label(last.last.drug)}) stopped: last day on "
                    f"treatment {last.end.isoformat()}. The weeks after stopping carry the "
                    "highest risk of overdose; reach out.",
                )
            )
        return found
    days = {d for d in missed_days if d <= as_of}
    if last is not None and last.ongoing and not last.last.entered and last.end < as_of:
        day = last.end + episodes.DAY
        while day <= as_of:
            days.add(day)
            day += episodes.DAY
    for start, end in _runs_of_days(sorted(days)):
        length = (end - start).days + 1
        if length >= rules.missed_doses_alert() and (
            (as_of - end).days < rules.missed_alert_window_days()
        ):
            found.append(
                (
                    CareAlertKind.OAT_MISSED_DOSES,
                    start.isoformat(),
                    f"{length} days in a row without a dose of opioid agonist treatment "
                    f"(from {start.isoformat()} to {end.isoformat()}). Reach out before "
                    "the episode ends.",
                )
            )
    return found


def _runs_of_days(days: list[dt.date]):
    start = previous = None
    for day in days:
        if previous is not None and (day - previous).days == 1:
            previous = day
            continue
        if start is not None:
            yield start, previous
        start = previous = day
    if start is not None:
        yield start, previous


def people_with_treatment(client_ids=None):
    query = Client.objects.filter(status=RecordStatus.ACTIVE).filter(
        Q(oat_dispensings__isnull=False)
        | Q(oat_episodes__isnull=False)
        | Q(oat_missed_doses__isnull=False)
    )
    if client_ids is not None:
        query = query.filter(pk__in=list(client_ids))
    return sorted(set(query.values_list("pk", flat=True)))


def detect(as_of: dt.date | None = None, *, client_ids=None) -> list[PendingAlert]:
    """Everything that would be alerted on `as_of` (default: today), for every holding team."""
    as_of = as_of or timezone.localdate()
    ids = people_with_treatment(client_ids)
    dispensed = dispensed_of(ids)
    entered: dict[int, list] = defaultdict(list)
    for episode in OatEpisode.objects.filter(client_id__in=ids, origin=OatOrigin.ENTERED):
        entered[episode.client_id].append(episode)
    missed: dict[int, list] = defaultdict(list)
    since = as_of - dt.timedelta(days=60)
    for client_id, day in OatMissedDose.objects.filter(
        client_id__in=ids, missed_on__gte=since, missed_on__lte=as_of
    ).values_list("client_id", "missed_on"):
        missed[client_id].append(day)
    holders: dict[int, list[int]] = defaultdict(list)
    for client_id, organization_id in ClientHolding.objects.filter(client_id__in=ids).values_list(
        "client_id", "organization_id"
    ):
        holders[client_id].append(organization_id)
    pending: list[PendingAlert] = []
    for client_id in ids:
        events = detect_events(
            client_id=client_id,
            dispensed=dispensed.get(client_id, []),
            entered=entered.get(client_id, []),
            missed_days=missed.get(client_id, []),
            as_of=as_of,
        )
        link = reverse("cases:treatment", args=[client_id])
        for kind, part, text in events:
            for organization_id in sorted(holders.get(client_id, [])):
                pending.append(
                    PendingAlert(
                        client_id=client_id,
                        organization_id=organization_id,
                        kind=kind,
                        text=text,
                        link=link,
                        source_key=f"{kind}:{organization_id}:{client_id}:{part}",
                    )
                )
    return pending


def check(as_of: dt.date | None = None, *, client_ids=None) -> CheckResult:
    """Detect and raise; idempotent (each source key is raised once)."""
    as_of = as_of or timezone.localdate()
    result = CheckResult(as_of=as_of, people=len(people_with_treatment(client_ids)))
    for item in detect(as_of, client_ids=client_ids):
        alert = raise_care_alert(
            client=item.client_id,
            organization=item.organization_id,
            kind=item.kind,
            text=item.text,
            link=item.link,
            source_key=item.source_key,
            actor=ACTOR,
        )
        if alert.created:
            result.raised.append(alert)
        else:
            result.already += 1
    return result
