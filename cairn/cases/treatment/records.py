"""Writes: episodes started and stopped by the team, dispensing, missed doses, the
diagnosis; each atomic, checked against the actor's holding organization, audited.

Every function takes a client opened through `cairn.cases.access.get_client_for_user`
(which audits the read). Dispensing and missed doses are once per person, drug and
day: recording the same again returns the first row (`created` False). After any
dispensing change the person's derived episodes are recomputed (`rederive`).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.access.audit import actor_name as _username
from cairn.access.audit import record_audit_event
from cairn.cases.models import Client
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
from cairn.cases.plans import holding_organization_id
from cairn.cases.treatment import episodes


class TreatmentError(ValueError):
    """The record cannot be made as asked; `field` names the form field at fault."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.field = field


class TreatmentItemMissing(TreatmentError):
    pass


@dataclass
class Saved:
    row: object
    created: bool


def _writable(actor, client: Client) -> int:
    if client.is_merged:
        raise TreatmentError(
            "This record was merged into another; record treatment on that record instead."
        )
    return holding_organization_id(actor, client)


def _audit(actor, client: Client, action: str, summary: str, **details) -> None:
    record_audit_event(
        actor=actor,
        action=f"cases.treatment.{action}",
        target_type="cases.client",
        target_id=str(client.pk),
        summary=summary,
        details=details,
    )


# Field checks, shared with the CSV import ----------------------------------------------


def check_drug(value, field: str = "drug") -> str:
    value = (value or "").strip().lower()
    by_label = {label.lower(): key for key, label in OatDrug.choices}
    value = by_label.get(value, value)
    if value not in OatDrug.values:
        raise TreatmentError(f"Drug: give one of {', '.join(OatDrug.values)}.", field)
    return value


def check_date(value, field: str, label: str, *, today: dt.date | None = None) -> dt.date:
    if isinstance(value, dt.date):
        day = value
    else:
        text = (value or "").strip()
        if not text:
            raise TreatmentError(f"{label}: this is required.", field)
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise TreatmentError(
                f"{label}: give a date like 2026-01-31 (got {text[:20]!r}).", field
            ) from None
    today = today or timezone.localdate()
    if day > today:
        raise TreatmentError(f"{label}: {day} is in the future.", field)
    if day < dt.date(1990, 1, 1):
        raise TreatmentError(f"{label}: {day} is before 1990.", field)
    return day


def check_dose(value, field: str = "dose") -> Decimal | None:
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        dose = Decimal(text)
    except InvalidOperation:
        raise TreatmentError(
            f"Dose: give a number of mg, like 60 (got {text[:20]!r}).", field
        ) from None
    if dose <= 0 or dose >= Decimal("100000"):
        raise TreatmentError("Dose: give a number above 0 and below 100000.", field)
    return dose.quantize(Decimal("0.01"))


def check_count(value, field: str, label: str, *, maximum: int, allow_empty=True) -> int | None:
    text = str(value if value is not None else "").strip()
    if not text:
        if allow_empty:
            return None
        raise TreatmentError(f"{label}: this is required.", field)
    try:
        number = int(text)
    except ValueError:
        raise TreatmentError(f"{label}: give a whole number (got {text[:20]!r}).", field) from None
    if number < 0 or number > maximum:
        raise TreatmentError(f"{label}: give a number from 0 to {maximum}.", field)
    return number


def check_bool(value, field: str, label: str, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if not text:
        return default
    if text in {"1", "yes", "y", "true", "on", "witnessed"}:
        return True
    if text in {"0", "no", "n", "false", "off", "carry"}:
        return False
    raise TreatmentError(f"{label}: give yes or no (got {text[:20]!r}).", field)


def _text(value, field: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise TreatmentError(f"{label}: at most {limit} characters.", field)
    return value


# Episodes entered by the team ------------------------------------------------------------


@transaction.atomic
def start_episode(
    *,
    actor,
    client: Client,
    drug,
    started_on,
    prescriber: str = "",
    pharmacy: str = "",
    note: str = "",
    idempotency_key: str = "",
) -> Saved:
    organization_id = _writable(actor, client)
    drug = check_drug(drug)
    started_on = check_date(started_on, "started_on", "Start date")
    key = idempotency_key.strip()
    key = f"{getattr(actor, 'pk', '')}:oat:{key}"[:120] if key else None
    if key:
        existing = OatEpisode.objects.filter(creation_key=key).first()
        if existing is not None:
            return Saved(existing, False)
    try:
        with transaction.atomic():
            episode = OatEpisode.objects.create(
                client=client,
                origin=OatOrigin.ENTERED,
                drug=drug,
                started_on=started_on,
                prescriber=_text(prescriber, "prescriber", "Prescriber", 150),
                pharmacy=_text(pharmacy, "pharmacy", "Pharmacy", 150),
                note=_text(note, "note", "Note", 300),
                organization_id=organization_id,
                created_by=_username(actor),
                creation_key=key,
            )
    except IntegrityError:
        return Saved(OatEpisode.objects.get(creation_key=key), False)
    _audit(
        actor, client, "episode.start", f"OAT episode {episode.pk} started", episode_id=episode.pk
    )
    return Saved(episode, True)


@transaction.atomic
def stop_episode(
    *, actor, client: Client, episode_id, stopped_on, end_reason, note: str = ""
) -> OatEpisode:
    _writable(actor, client)
    try:
        episode = OatEpisode.objects.select_for_update().get(
            pk=int(episode_id), client=client, origin=OatOrigin.ENTERED
        )
    except (OatEpisode.DoesNotExist, TypeError, ValueError):
        raise TreatmentItemMissing("No episode entered by the team with this number.") from None
    stopped_on = check_date(stopped_on, "stopped_on", "Stop date")
    if end_reason not in OatEndReason.values or end_reason == OatEndReason.GAP:
        choices = ", ".join(v for v in OatEndReason.values if v != OatEndReason.GAP)
        raise TreatmentError(f"Why it ended: give one of {choices}.", "end_reason")
    if stopped_on < episode.started_on:
        raise TreatmentError(
            f"Stop date: {stopped_on} is before the start ({episode.started_on}).", "stopped_on"
        )
    if episode.stopped_on == stopped_on and episode.end_reason == end_reason:
        return episode  # a double submit
    episode.stopped_on, episode.end_reason = stopped_on, end_reason
    if note:
        episode.note = _text(note, "note", "Note", 300)
    episode.stop_recorded_at, episode.stop_recorded_by = timezone.now(), _username(actor)
    episode.save()
    _audit(
        actor,
        client,
        "episode.stop",
        f"OAT episode {episode.pk} stopped ({end_reason})",
        episode_id=episode.pk,
        end_reason=end_reason,
    )
    return episode


# Dispensing and missed doses ----------------------------------------------------------


def dispensing_fields(data: dict, *, today=None) -> dict:
    """Checked fields of one dispensing (a form, an API body or a CSV row)."""
    drug = check_drug(data.get("drug"))
    fields = {
        "drug": drug,
        "dispensed_on": check_date(data.get("dispensed_on"), "dispensed_on", "Date", today=today),
        "dose": check_dose(data.get("dose")),
        "witnessed": check_bool(data.get("witnessed"), "witnessed", "Witnessed", True),
        "carry_days": check_count(data.get("carry_days"), "carry_days", "Carries", maximum=60) or 0,
        "days_supply": check_count(
            data.get("days_supply"), "days_supply", "Days supply", maximum=120
        )
        or None,
        "pharmacy": _text(data.get("pharmacy"), "pharmacy", "Pharmacy", 150),
        "prescriber": _text(data.get("prescriber"), "prescriber", "Prescriber", 150),
    }
    return fields


def _save_once_a_day(
    model, day_field: str, *, actor, client, organization_id, fields, source, imported_in
) -> Saved:
    """Store a row once per person, drug and day: the same row again (or a concurrent
    writer's) returns the one on record, not created."""
    key = {"client": client, "drug": fields["drug"], day_field: fields[day_field]}
    existing = model.objects.filter(**key).first()
    if existing is not None:
        return Saved(existing, False)
    try:
        with transaction.atomic():
            row = model.objects.create(
                client=client,
                organization_id=organization_id,
                source=source,
                imported_in=imported_in,
                created_by=_username(actor),
                **fields,
            )
    except IntegrityError:
        return Saved(model.objects.get(**key), False)
    return Saved(row, True)


def save_dispensing(*, actor, client, organization_id, fields, source, imported_in=None) -> Saved:
    return _save_once_a_day(
        OatDispensing,
        "dispensed_on",
        actor=actor,
        client=client,
        organization_id=organization_id,
        fields=fields,
        source=source,
        imported_in=imported_in,
    )


@transaction.atomic
def record_dispensing(*, actor, client: Client, data: dict) -> Saved:
    organization_id = _writable(actor, client)
    fields = dispensing_fields(data)
    saved = save_dispensing(
        actor=actor,
        client=client,
        organization_id=organization_id,
        fields=fields,
        source=RecordSource.ENTERED,
    )
    if saved.created:
        rederive(client)
        _audit(
            actor,
            client,
            "dispensing.add",
            f"OAT dispensing {saved.row.pk} recorded",
            dispensing_id=saved.row.pk,
        )
    return saved


def missed_dose_fields(data: dict, *, today=None) -> dict:
    return {
        "drug": check_drug(data.get("drug")),
        "missed_on": check_date(data.get("missed_on"), "missed_on", "Date missed", today=today),
        "pharmacy": _text(data.get("pharmacy"), "pharmacy", "Pharmacy", 150),
        "note": _text(data.get("note"), "note", "Note", 300),
    }


def save_missed_dose(*, actor, client, organization_id, fields, source, imported_in=None) -> Saved:
    return _save_once_a_day(
        OatMissedDose,
        "missed_on",
        actor=actor,
        client=client,
        organization_id=organization_id,
        fields=fields,
        source=source,
        imported_in=imported_in,
    )


@transaction.atomic
def record_missed_dose(*, actor, client: Client, data: dict) -> Saved:
    organization_id = _writable(actor, client)
    saved = save_missed_dose(
        actor=actor,
        client=client,
        organization_id=organization_id,
        fields=missed_dose_fields(data),
        source=RecordSource.ENTERED,
    )
    if saved.created:
        _audit(
            actor,
            client,
            "missed_dose.add",
            f"OAT missed dose {saved.row.pk} recorded",
            missed_dose_id=saved.row.pk,
        )
    return saved


@transaction.atomic
def record_diagnosis(*, actor, client: Client, diagnosed_on=None, basis: str = "") -> OudDiagnosis:
    _writable(actor, client)
    day = check_date(diagnosed_on, "diagnosed_on", "Diagnosed on") if diagnosed_on else None
    diagnosis, _ = OudDiagnosis.objects.update_or_create(
        client=client,
        defaults={
            "diagnosed_on": day,
            "basis": _text(basis, "basis", "Basis", 200),
            "recorded_at": timezone.now(),
            "recorded_by": _username(actor),
        },
    )
    _audit(actor, client, "diagnosis.record", "Opioid use disorder recorded")
    return diagnosis


# Derived episodes ---------------------------------------------------------------------


def dispensed_of(client_ids) -> dict[int, list[episodes.Dispensed]]:
    result: dict[int, list[episodes.Dispensed]] = {}
    rows = OatDispensing.objects.filter(client_id__in=client_ids).values_list(
        "client_id", "dispensed_on", "drug", "carry_days", "days_supply"
    )
    for client_id, day, drug, carries, supply in rows:
        result.setdefault(client_id, []).append(
            episodes.Dispensed(day, drug, episodes.days_covered(drug, carries, supply))
        )
    return result


@transaction.atomic
def rederive(client: Client, as_of: dt.date | None = None) -> list[OatEpisode]:
    """Replace the person's derived episodes with those their dispensing makes on `as_of`."""
    as_of = as_of or timezone.localdate()
    runs = episodes.derive_runs(dispensed_of([client.pk]).get(client.pk, []), as_of)
    current = list(
        OatEpisode.objects.filter(client=client, origin=OatOrigin.DERIVED).order_by("started_on")
    )
    wanted = [
        (r.drug, r.start, r.last_covered, r.stopped_on, r.end_reason, r.concurrent, r.dispensings)
        for r in runs
    ]
    have = [
        (
            e.drug,
            e.started_on,
            e.last_covered_on,
            e.stopped_on,
            e.end_reason,
            e.concurrent,
            e.dispensings,
        )
        for e in current
    ]
    if sorted(wanted) == sorted(have) and all(
        (e.switched_from_id is None) == (r.switched_from is None)
        for e, r in zip(sorted(current, key=_sort), sorted(runs, key=_sort_run), strict=True)
    ):
        return current
    OatEpisode.objects.filter(client=client, origin=OatOrigin.DERIVED).delete()
    created = [
        OatEpisode.objects.create(
            client=client,
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
    for episode, run in zip(created, runs, strict=True):
        if run.switched_from is not None:
            episode.switched_from = created[run.switched_from]
            episode.save(update_fields=["switched_from"])
    return created


def _sort(e: OatEpisode):
    return (e.started_on, e.drug)


def _sort_run(r: episodes.Run):
    return (r.start, r.drug)
