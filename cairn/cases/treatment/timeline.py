"""Case timeline entries (`queries.TimelineEntry`) for treatment, supporters and alerts.

* OAT episodes: the start and the stop of each episode, entered by the team or derived
  from dispensing (a derived stop says why: the gap, or a switch);
* recorded missed doses, as runs of consecutive days per drug;
* supporter links and each consent given or revoked;
* care alerts raised, and acknowledged.

Days (a start, a missed dose) are placed at the start of the day, and a stop (the last
day on treatment) at its end, in the server's time zone. The caller opened the record
through the access choke point.
"""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from cairn.cases.models import Client
from cairn.cases.models.treatment import OatDrug, OatEndReason, OatOrigin
from cairn.cases.treatment import rules
from cairn.cases.treatment.alerts import _runs_of_days


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


def _drug(value: str) -> str:
    return OatDrug(value).label if value in OatDrug.values else value


def timeline_entries(client: Client) -> list:
    """Treatment, supporter and care-alert entries of one record, unordered."""
    from cairn.cases.queries import TimelineEntry

    link = reverse("cases:treatment", args=[client.pk])
    entries = []
    for episode in client.oat_episodes.all():
        drug = _drug(episode.drug)
        if episode.origin == OatOrigin.ENTERED:
            where = "; ".join(
                part
                for part in (
                    f"prescriber {episode.prescriber}" if episode.prescriber else "",
                    f"pharmacy {episode.pharmacy}" if episode.pharmacy else "",
                    f"recorded by {episode.created_by}" if episode.created_by else "",
                )
                if part
            )
            entries.append(
                TimelineEntry(
                    _start_of(episode.started_on), "treatment", f"OAT started: {drug}", where, link
                )
            )
            if episode.stopped_on:
                reason = episode.get_end_reason_display() if episode.end_reason else "no reason"
                by = f"; recorded by {episode.stop_recorded_by}" if episode.stop_recorded_by else ""
                entries.append(
                    TimelineEntry(
                        _end_of(episode.stopped_on),
                        "treatment",
                        f"OAT stopped: {drug}",
                        f"Last day on treatment; {reason.lower()}{by}",
                        link,
                    )
                )
            continue
        detail = f"Derived from dispensing: {episode.dispensings} dispensing(s)"
        if episode.concurrent:
            detail += "; taken together with another OAT drug"
        entries.append(
            TimelineEntry(
                _start_of(episode.started_on),
                "treatment",
                f"OAT dispensing began: {drug}",
                detail,
                link,
            )
        )
        if episode.stopped_on:
            if episode.end_reason == OatEndReason.SWITCHED:
                why = "switched to another OAT drug"
            else:
                why = (
                    f"no dispensing for more than {rules.gap_days(episode.drug)} days after "
                    "the last covered day"
                )
            entries.append(
                TimelineEntry(
                    _end_of(episode.stopped_on),
                    "treatment",
                    f"OAT ended (derived): {drug}",
                    f"Last covered day {episode.stopped_on.isoformat()}; {why}",
                    link,
                )
            )
    missed: dict[str, list[dt.date]] = {}
    for drug, day in client.oat_missed_doses.values_list("drug", "missed_on"):
        missed.setdefault(drug, []).append(day)
    for drug, days in missed.items():
        for first, last in _runs_of_days(sorted(days)):
            length = (last - first).days + 1
            title = f"Missed dose: {_drug(drug)}"
            detail = f"{first.isoformat()}"
            if length > 1:
                title = f"Missed doses: {_drug(drug)}, {length} days in a row"
                detail = f"From {first.isoformat()} to {last.isoformat()}"
            entries.append(TimelineEntry(_start_of(first), "treatment", title, detail, link))
    entries.extend(_supporter_entries(client, TimelineEntry))
    entries.extend(_alert_entries(client, TimelineEntry))
    return entries


def _supporter_entries(client: Client, TimelineEntry) -> list:
    entries = []
    for supporter in client.supporters.prefetch_related("consents"):
        who = f"{supporter.name} ({supporter.get_relationship_display().lower()})"
        entries.append(
            TimelineEntry(
                supporter.added_at,
                "supporter",
                "Supporter linked",
                f"{who}; by {supporter.added_by}",
            )
        )
        ended_at = getattr(supporter, "ended_at", None)
        if ended_at:
            entries.append(
                TimelineEntry(
                    ended_at,
                    "supporter",
                    "Supporter link ended",
                    f"{who}; by {getattr(supporter, 'ended_by', '')}",
                )
            )
        for consent in supporter.consents.all():
            purpose = consent.get_purpose_display().lower()
            entries.append(
                TimelineEntry(
                    consent.recorded_at,
                    "supporter",
                    f"Consent given: {purpose}",
                    f"For {who}; {consent.get_method_display().lower()}; by {consent.recorded_by}",
                )
            )
            if consent.revoked_at:
                reason = f"; {consent.revocation_reason}" if consent.revocation_reason else ""
                entries.append(
                    TimelineEntry(
                        consent.revoked_at,
                        "supporter",
                        f"Consent revoked: {purpose}",
                        f"For {who}{reason}; by {consent.revoked_by}",
                    )
                )
    return entries


def _alert_entries(client: Client, TimelineEntry) -> list:
    entries = []
    for alert in client.care_alerts.select_related("organization"):
        entries.append(
            TimelineEntry(
                alert.raised_at,
                "alert",
                f"Care alert: {alert.get_kind_display()}",
                f"{alert.text} (to {alert.organization.name})",
                alert.link,
            )
        )
        if alert.acknowledged_at:
            entries.append(
                TimelineEntry(
                    alert.acknowledged_at,
                    "alert",
                    f"Care alert acknowledged: {alert.get_kind_display()}",
                    f"by {alert.acknowledged_by}",
                    alert.link,
                )
            )
    return entries
