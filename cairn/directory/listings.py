"""Keeping listings current: edit a listing, update its capacity, confirm it.

Each write is atomic and writes its audit event in the same transaction
(`cairn.access.audit`). Writes that create a row take an idempotency key: sending
the same form or API call twice leaves one row. Bad input raises `ListingError`
naming the field at fault.

The stale rule: a listing is stale when it was last verified (`Service.assured_date`)
more than CAIRN_DIRECTORY_STALE_DAYS days ago (default 90), or never.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cairn.access.audit import actor_name as _actor_name
from cairn.access.audit import record_audit_event
from cairn.directory.models import Service
from cairn.directory.models.capacity import YES_NO_KINDS, Capacity, CapacityChange, CapacityKind
from cairn.directory.models.verification import (
    ConfirmationKind,
    ListingConfirmation,
    StaleListingNotice,
)

DEFAULT_STALE_DAYS = 90


class ListingError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


# The stale rule ----------------------------------------------------------------------


def stale_days() -> int:
    return int(getattr(settings, "CAIRN_DIRECTORY_STALE_DAYS", DEFAULT_STALE_DAYS))


def stale_cutoff(today: dt.date | None = None) -> dt.date:
    """Listings last verified before this day are stale."""
    return (today or timezone.localdate()) - dt.timedelta(days=stale_days())


def is_stale(service: Service, today: dt.date | None = None) -> bool:
    return service.assured_date is None or service.assured_date < stale_cutoff(today)


def stale_condition(today: dt.date | None = None) -> Q:
    return Q(assured_date__isnull=True) | Q(assured_date__lt=stale_cutoff(today))


def stale_listings(services: QuerySet[Service], today: dt.date | None = None) -> QuerySet[Service]:
    return services.filter(stale_condition(today))


def _actor_user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# Confirm -----------------------------------------------------------------------------


def confirm_listing(
    *,
    actor,
    service: Service,
    organization_id: int | None,
    note: str = "",
    changes: dict | None = None,
    creation_key: str | None = None,
) -> ListingConfirmation:
    """Record that the listing is correct today (after `changes`, if it was just edited)."""
    creation_key = (creation_key or "").strip()[:120] or None
    if creation_key:
        earlier = ListingConfirmation.objects.filter(creation_key=creation_key).first()
        if earlier is not None:
            return earlier
    note = (note or "").strip()
    if len(note) > 300:
        raise ListingError("note", "Keep the note under 300 characters.")
    today = timezone.localdate()
    try:
        with transaction.atomic():
            confirmation = ListingConfirmation.objects.create(
                service=service,
                organization_id=organization_id,
                confirmed_by=_actor_user(actor),
                confirmed_by_name=_actor_name(actor),
                kind=ConfirmationKind.EDITED if changes else ConfirmationKind.UNCHANGED,
                changes=changes or {},
                previous_assured_date=service.assured_date,
                note=note,
                creation_key=creation_key,
            )
            service.assured_date = today
            email = getattr(actor, "email", "") or ""
            update = ["assured_date"]
            if email:
                service.assurer_email = email
                update.append("assurer_email")
            service.save(update_fields=update)
            StaleListingNotice.objects.filter(service=service, resolved_at__isnull=True).update(
                resolved_at=timezone.now()
            )
            record_audit_event(
                actor=actor,
                action="directory.listing_confirmed",
                target=service,
                summary=f"Confirmed listing {service.name!r}"
                + (" after editing it" if changes else " as still correct"),
                details={
                    "confirmation_id": confirmation.pk,
                    "organization_id": organization_id,
                    "previous_assured_date": str(confirmation.previous_assured_date or ""),
                    "fields_changed": sorted(changes or {}),
                },
            )
    except IntegrityError:
        if creation_key:
            earlier = ListingConfirmation.objects.filter(creation_key=creation_key).first()
            if earlier is not None:
                return earlier
        raise
    return confirmation


# Edit --------------------------------------------------------------------------------

TEXT_FIELDS = {
    # field: (label, max length, required)
    "name": ("Name", 300, True),
    "description": ("Description", 4000, False),
    "eligibility_description": ("Who it is for", 2000, False),
    "fees_description": ("Cost", 1000, False),
    "application_process": ("How to get in", 2000, False),
    "url": ("Web address", 500, False),
    "email": ("Email", 254, False),
}
AGE_FIELDS = ("minimum_age", "maximum_age")
EDITABLE_FIELDS = (*TEXT_FIELDS, *AGE_FIELDS, "status")


def _status_values() -> list[str]:
    field = Service._meta.get_field("status")
    return [value for value, _ in field.choices] if field.choices else []


def clean_listing_input(data: dict) -> dict:
    """The editable fields present in `data`, checked and normalised."""
    cleaned: dict = {}
    for field, (label, limit, required) in TEXT_FIELDS.items():
        if field not in data:
            continue
        value = (data.get(field) or "").strip()
        if required and not value:
            raise ListingError(field, f"{label} is required.")
        if len(value) > limit:
            raise ListingError(field, f"{label}: keep it under {limit} characters.")
        cleaned[field] = value
    if cleaned.get("url"):
        try:
            URLValidator(schemes=["http", "https"])(cleaned["url"])
        except ValidationError:
            raise ListingError("url", "Give a web address starting with https://.") from None
    if cleaned.get("email"):
        try:
            EmailValidator()(cleaned["email"])
        except ValidationError:
            raise ListingError("email", "Give an email address like intake@example.org.") from None
    for field in AGE_FIELDS:
        if field not in data:
            continue
        raw = data.get(field)
        if raw in (None, ""):
            cleaned[field] = None
            continue
        try:
            age = int(str(raw).strip())
        except ValueError:
            raise ListingError(field, "Give an age in whole years, or leave it empty.") from None
        if not 0 <= age <= 120:
            raise ListingError(field, "Give an age between 0 and 120.")
        cleaned[field] = age
    if "status" in data:
        status = (data.get("status") or "").strip()
        if status not in _status_values():
            raise ListingError("status", "Choose one of: " + ", ".join(_status_values()) + ".")
        cleaned["status"] = status
    return cleaned


def search_text_of(service: Service) -> str:
    """What search matches words against (as the HSDS import writes it)."""
    provider = service.provider.name if service.provider_id else ""
    parts = (service.name, service.alternate_name, service.description, provider)
    return " ".join(" ".join(p.split()) for p in parts if p).lower()


def _jsonable(value):
    return value if value is None or isinstance(value, (str, int, bool)) else str(value)


@dataclass
class ListingUpdate:
    service: Service
    changes: dict
    confirmation: ListingConfirmation | None


def update_listing(
    *,
    actor,
    service: Service,
    data: dict,
    organization_id: int | None,
    confirm: bool = False,
    note: str = "",
    creation_key: str | None = None,
) -> ListingUpdate:
    """Change the listing's editable fields; with `confirm`, also confirm it as of today."""
    cleaned = clean_listing_input(data)
    minimum = cleaned.get("minimum_age", service.minimum_age)
    maximum = cleaned.get("maximum_age", service.maximum_age)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ListingError("minimum_age", "The minimum age is above the maximum age.")
    if creation_key and confirm:
        earlier = ListingConfirmation.objects.filter(creation_key=creation_key[:120]).first()
        if earlier is not None:
            return ListingUpdate(service, earlier.changes, earlier)
    changes = {
        field: [_jsonable(getattr(service, field)), _jsonable(value)]
        for field, value in cleaned.items()
        if getattr(service, field) != value
    }
    with transaction.atomic():
        if changes:
            for field in changes:
                setattr(service, field, cleaned[field])
            update = list(changes)
            if {"name", "description"} & set(changes):
                service.search_text = search_text_of(service)
                update.append("search_text")
            if hasattr(service, "last_modified"):
                service.last_modified = timezone.now()
                update.append("last_modified")
            service.save(update_fields=update)
            record_audit_event(
                actor=actor,
                action="directory.listing_updated",
                target=service,
                summary=f"Changed {', '.join(sorted(changes))} of listing {service.name!r}",
                details={"changes": changes, "organization_id": organization_id},
            )
        confirmation = None
        if confirm:
            confirmation = confirm_listing(
                actor=actor,
                service=service,
                organization_id=organization_id,
                note=note,
                changes=changes,
                creation_key=creation_key,
            )
    return ListingUpdate(service, changes, confirmation)


# Capacity ----------------------------------------------------------------------------


def _parse_yes_no(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw or "").strip().lower()
    if text in ("yes", "true", "1", "on"):
        return True
    if text in ("no", "false", "0", "off"):
        return False
    raise ListingError("is_available", "Answer yes or no.")


def _parse_count(raw) -> int:
    if isinstance(raw, bool):
        raise ListingError("available", "Give a number (0 or more).")
    try:
        count = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ListingError("available", "Give a number (0 or more).") from None
    if not 0 <= count <= 100_000:
        raise ListingError("available", "Give a number between 0 and 100,000.")
    return count


def update_capacity(
    *,
    actor,
    service: Service,
    kind: str,
    label: str = "",
    available=None,
    is_available=None,
    note: str = "",
    creation_key: str | None = None,
) -> CapacityChange:
    """Set one capacity of the listing (a count, or yes/no for same-day OAT), keeping history."""
    creation_key = (creation_key or "").strip()[:120] or None
    if creation_key:
        earlier = CapacityChange.objects.filter(creation_key=creation_key).first()
        if earlier is not None:
            return earlier
    if kind not in CapacityKind.values:
        raise ListingError("kind", "Choose one of: " + ", ".join(CapacityKind.values) + ".")
    label = (label or "").strip()
    if kind == CapacityKind.OTHER and not label:
        raise ListingError("label", "Say what is counted (e.g. 'Meals', 'Detox beds').")
    if kind != CapacityKind.OTHER:
        label = ""
    if len(label) > 100:
        raise ListingError("label", "Keep the label under 100 characters.")
    note = (note or "").strip()
    if len(note) > 300:
        raise ListingError("note", "Keep the note under 300 characters.")
    count, yes_no = None, None
    if kind in YES_NO_KINDS:
        if is_available in (None, ""):
            raise ListingError("is_available", "Answer yes or no.")
        yes_no = _parse_yes_no(is_available)
    elif available in (None, "") and is_available not in (None, ""):
        yes_no = _parse_yes_no(is_available)
    else:
        if available in (None, ""):
            raise ListingError("available", "Give a number (0 or more).")
        count = _parse_count(available)
    now = timezone.now()
    try:
        with transaction.atomic():
            capacity, _ = Capacity.objects.select_for_update().get_or_create(
                service=service, kind=kind, label=label
            )
            capacity.available, capacity.is_available = count, yes_no
            capacity.note = note
            capacity.updated_at = now
            capacity.updated_by = _actor_user(actor)
            capacity.updated_by_name = _actor_name(actor)
            capacity.save()
            change = CapacityChange.objects.create(
                capacity=capacity,
                service=service,
                kind=kind,
                label=label,
                available=count,
                is_available=yes_no,
                note=note,
                changed_at=now,
                changed_by=_actor_user(actor),
                changed_by_name=_actor_name(actor),
                creation_key=creation_key,
            )
            record_audit_event(
                actor=actor,
                action="directory.capacity_updated",
                target=service,
                summary=f"{capacity.display_label} of {service.name!r}: {capacity.display_value}",
                details={
                    "kind": kind,
                    "label": label,
                    "available": count,
                    "is_available": yes_no,
                    "note": note,
                    "change_id": change.pk,
                },
            )
    except IntegrityError:
        if creation_key:
            earlier = CapacityChange.objects.filter(creation_key=creation_key).first()
            if earlier is not None:
                return earlier
        raise
    return change
