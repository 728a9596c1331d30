"""Reads for one person's treatment page: where they are today, episodes, records."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cairn.cases.models import Client
from cairn.cases.models.care_alerts import CareAlert, CareAlertKind
from cairn.cases.models.treatment import (
    OatDispensing,
    OatDrug,
    OatEpisode,
    OatMissedDose,
    OatOrigin,
    OudDiagnosis,
)
from cairn.cases.treatment import episodes, rules
from cairn.cases.treatment.records import dispensed_of


@dataclass
class Status:
    as_of: dt.date
    on_oat: bool
    since: dt.date | None = None
    days_on: int | None = None
    drug_label: str = ""
    days_without_dose: int = 0
    gap_days: int | None = None
    stopped_on: dt.date | None = None
    ever: bool = False

    @property
    def headline(self) -> str:
        if self.on_oat:
            text = f"On OAT ({self.drug_label}) since {self.since}, {_days(self.days_on)}"
            if self.days_without_dose:
                text += (
                    f"; {_days(self.days_without_dose)} without a dose "
                    f"(the episode ends after {self.gap_days})"
                )
            return text
        if self.stopped_on:
            return f"Not on OAT: last day on treatment {self.stopped_on}"
        return "No OAT on record"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def status_for(client: Client, as_of: dt.date | None = None) -> Status:
    as_of = as_of or timezone.localdate()
    runs = episodes.derive_runs(dispensed_of([client.pk]).get(client.pk, []), as_of)
    entered = list(OatEpisode.objects.filter(client=client, origin=OatOrigin.ENTERED))
    all_courses = episodes.courses(episodes.intervals_from(runs, entered, as_of))
    if not all_courses:
        return Status(as_of=as_of, on_oat=False)
    last = all_courses[-1]
    if not last.ongoing:
        return Status(as_of=as_of, on_oat=False, stopped_on=last.end, ever=True)
    without = 0
    if not last.last.entered and last.end < as_of:
        without = (as_of - last.end).days
    return Status(
        as_of=as_of,
        on_oat=True,
        since=last.start,
        days_on=(as_of - last.start).days + 1,
        drug_label=OatDrug(last.last.drug).label,
        days_without_dose=without,
        gap_days=rules.gap_days(last.last.drug),
        ever=True,
    )


def _overlap(a: OatEpisode, b: OatEpisode, today: dt.date) -> bool:
    return a.started_on <= (b.stopped_on or today) and b.started_on <= (a.stopped_on or today)


def episodes_for_page(client: Client, today: dt.date | None = None) -> list[OatEpisode]:
    """The person's episodes as the page lists them: a course the team entered and the
    episode derived from its dispensing are one line, not two.

    A derived episode of the same drug that overlaps an entered one is attached to it as
    `confirmed_by` (the dispensing that confirms it) and left out of the list.
    """
    today = today or timezone.localdate()
    listed = list(OatEpisode.objects.filter(client=client).select_related("switched_from"))
    entered = [e for e in listed if e.origin == OatOrigin.ENTERED]
    for episode in entered:
        episode.confirmed_by = None
    shown = []
    for episode in listed:
        if episode.origin == OatOrigin.DERIVED:
            twin = next(
                (
                    e
                    for e in entered
                    if e.drug == episode.drug
                    and e.confirmed_by is None
                    and _overlap(e, episode, today)
                ),
                None,
            )
            if twin is not None:
                twin.confirmed_by = episode
                continue
        shown.append(episode)
    return shown


def treatment_for(client: Client) -> dict:
    return {
        "status": status_for(client),
        "episodes": episodes_for_page(client),
        "dispensings": list(OatDispensing.objects.filter(client=client)[:60]),
        "missed_doses": list(OatMissedDose.objects.filter(client=client)[:30]),
        "diagnosis": OudDiagnosis.objects.filter(client=client).first(),
        "treatment_alerts": list(
            CareAlert.objects.filter(
                client=client,
                kind__in=[CareAlertKind.OAT_STOPPED, CareAlertKind.OAT_MISSED_DOSES],
            )[:10]
        ),
        "rules": rules.all_rules(),
    }
