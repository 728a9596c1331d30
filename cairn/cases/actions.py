"""Writes to case data. Each runs in one transaction with its audit event.

The caller has already fetched every record through `cairn.cases.access` (which
checks that the user's organizations hold it); these functions check what is
about the data itself: duplicates, states, consent.

Creating a client or an episode takes an idempotency key: sending the same
request again (a double-tapped button, a retried API call) returns what the first
one made instead of making a second.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.access.audit import actor_name as _username
from cairn.access.audit import record_audit_event
from cairn.access.models import Organization
from cairn.cases import followups, matching, queries
from cairn.cases.access import holding_organization_for
from cairn.cases.models import (
    Client,
    ClientContact,
    ClientHolding,
    ClientIdentifier,
    ClientMatchKey,
    ClientMerge,
    ClientName,
    ConsentMethod,
    ContactMethod,
    EpisodeOrigin,
    EpisodeSource,
    IdentifierKind,
    IdentityLink,
    IdentityStatus,
    NameKind,
    OverdoseEpisode,
    RecordStatus,
    SetAside,
    Sex,
)
from cairn.cases.models.assessments import RiskAssessment
from cairn.cases.models.care_alerts import CareAlert
from cairn.cases.models.followups import FollowUp
from cairn.cases.models.groups import GroupPlacement
from cairn.cases.models.plans import PlanAction, PlanGoal, Referral
from cairn.cases.models.supporters import Supporter, SupporterConsent
from cairn.cases.models.treatment import (
    OatDispensing,
    OatEpisode,
    OatMissedDose,
    OatOrigin,
    OudDiagnosis,
)
from cairn.geography.models import Jurisdiction
from cairn.surveillance.models import Event, Source


class CaseActionError(Exception):
    """Something about the data stops the action; the message says what to do."""


class PossibleDuplicates(CaseActionError):
    """Records that may be the same person were found and not yet looked at."""

    def __init__(self, candidates: list[queries.Candidate], *, decisive: bool):
        self.candidates = candidates
        self.decisive = decisive
        if decisive:
            message = (
                "A record with this health number already exists; open it instead of "
                "creating another."
            )
        else:
            message = (
                f"{len(candidates)} existing record(s) may be this person. Check them; if "
                "none is, confirm that this is a different person."
            )
        super().__init__(message)


def _creation_key(actor, key: str) -> str | None:
    key = (key or "").strip()
    if not key:
        return None
    return f"{getattr(actor, 'pk', '') or _username(actor)}:{key}"[:120]


# Client details as entered ------------------------------------------------------------


@dataclass
class ContactInput:
    method: str
    value: str
    safe_to_leave_message: bool | None = None
    safe_to_say_who_is_calling: bool | None = None
    best_times: str = ""
    note: str = ""
    preferred: bool = False


@dataclass
class ClientInput:
    """A new person's details as the care team entered them (validated by the form)."""

    given_name: str = ""
    family_name: str = ""
    preferred_name: str = ""
    aliases: Sequence[str] = ()
    date_of_birth: dt.date | None = None
    approximate_age: int | None = None
    sex: str = Sex.NOT_RECORDED
    gender: str = ""
    health_number: str = ""
    health_number_kind: str = IdentifierKind.HEALTH_NUMBER
    contacts: Sequence[ContactInput] = ()
    housing_status: str = ""
    safe_contact_notes: str = ""
    home_community: Jurisdiction | None = None
    source: str = ""  # where the details came from, e.g. "ED visit 1234"

    @property
    def is_identified(self) -> bool:
        return bool(self.given_name or self.family_name or self.date_of_birth or self.health_number)

    def names(self) -> list[tuple[str, str, str]]:
        """(kind, given, family) rows to store."""
        rows = []
        if self.given_name or self.family_name:
            rows.append((NameKind.LEGAL, self.given_name.strip(), self.family_name.strip()))
        if self.preferred_name.strip():
            rows.append((NameKind.PREFERRED, self.preferred_name.strip(), ""))
        for alias in self.aliases:
            if alias.strip():
                rows.append((NameKind.ALIAS, alias.strip(), ""))
        return rows

    def person(self) -> matching.PersonDetails:
        today = timezone.localdate()
        return matching.PersonDetails(
            names=tuple(matching.Name(given, family, kind) for kind, given, family in self.names()),
            date_of_birth=self.date_of_birth,
            birth_year=(
                matching.birth_year_from_age(self.approximate_age, today)
                if self.date_of_birth is None and self.approximate_age is not None
                else None
            ),
            sex=self.sex,
            health_numbers=(
                (matching.normalize_health_number(self.health_number),)
                if self.health_number
                else ()
            ),
            phones=tuple(
                matching.normalize_phone(c.value)
                for c in self.contacts
                if c.method in (ContactMethod.PHONE, ContactMethod.TEXT)
            ),
        )


# Match keys --------------------------------------------------------------------------


def refresh_match_keys(client: Client) -> int:
    """Rebuild the client's blocking keys from what is on record now (none once merged)."""
    ClientMatchKey.objects.filter(client=client).delete()
    if client.status != RecordStatus.ACTIVE:
        return 0
    keys = {matching.key_hash(key) for key in matching.blocking_keys(queries.details_of(client))}
    ClientMatchKey.objects.bulk_create([ClientMatchKey(client=client, key=key) for key in keys])
    return len(keys)


def _hold(client: Client, organization: Organization, actor) -> None:
    ClientHolding.objects.get_or_create(
        client=client, organization=organization, defaults={"added_by": _username(actor)}
    )


# Creating a client -------------------------------------------------------------------


@dataclass
class Created:
    client: Client
    created: bool  # False when the idempotency key had already made it
    candidates_seen: list[int] = field(default_factory=list)


def create_client(
    *,
    actor,
    details: ClientInput,
    organization: Organization | None = None,
    idempotency_key: str = "",
    different_from: Iterable[int] = (),
) -> Created:
    """Create a client held by the actor's organization, after the duplicate check.

    Raises PossibleDuplicates when records of the actor's organizations may be this
    person and are not among `different_from` (the ids the person creating it has
    looked at and judged to be someone else). A record with the same health number
    always stops the creation.
    """
    key = _creation_key(actor, idempotency_key)
    if key:
        existing = Client.objects.filter(creation_key=key).first()
        if existing is not None:
            return Created(existing, created=False)
    if not details.names():
        raise CaseActionError(
            "Give a name or an alias: a record needs something to call the person."
        )
    person = details.person()
    found = queries.find_candidates(actor, person).candidates
    decisive = [c for c in found if c.score.decisive]
    if decisive:
        raise PossibleDuplicates(decisive, decisive=True)
    unseen = [c for c in found if c.client.pk not in set(different_from)]
    if unseen:
        raise PossibleDuplicates(unseen, decisive=False)
    organization = organization or holding_organization_for(actor, details.home_community)
    try:
        with transaction.atomic():
            client = _insert_client(actor, details, organization, key)
            record_audit_event(
                actor=actor,
                action="cases.client.create",
                target=client,
                summary=f"Created client record {client.pk}",
                details={
                    "organization_id": organization.pk,
                    "identity_status": client.identity_status,
                    "candidates_judged_different": sorted(set(different_from)),
                    "source": details.source,
                },
            )
    except IntegrityError:
        existing = Client.objects.filter(creation_key=key).first() if key else None
        if existing is None:
            raise
        return Created(existing, created=False)
    return Created(client, created=True, candidates_seen=sorted(set(different_from)))


def _insert_client(actor, details: ClientInput, organization, key) -> Client:
    username = _username(actor)
    today = timezone.localdate()
    client = Client.objects.create(
        display_name="",
        date_of_birth=details.date_of_birth,
        approximate_age=None if details.date_of_birth else details.approximate_age,
        age_recorded_on=today if details.approximate_age is not None else None,
        sex=details.sex or Sex.NOT_RECORDED,
        gender=details.gender,
        housing_status=details.housing_status,
        housing_updated_on=today if details.housing_status else None,
        safe_contact_notes=details.safe_contact_notes,
        home_community=details.home_community,
        identity_status=(
            IdentityStatus.IDENTIFIED if details.is_identified else IdentityStatus.ANONYMOUS
        ),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        creation_key=key,
    )
    names = ClientName.objects.bulk_create(
        [
            ClientName(
                client=client,
                kind=kind,
                given_name=given,
                family_name=family,
                source=details.source,
                added_by=username,
            )
            for kind, given, family in details.names()
        ]
    )
    if details.health_number:
        ClientIdentifier.objects.create(
            client=client,
            kind=details.health_number_kind,
            value=matching.normalize_health_number(details.health_number),
            added_by=username,
        )
    for contact in details.contacts:
        _insert_contact(client, contact, username)
    client.display_name = queries.display_name_for(names)
    client.save(update_fields=["display_name"])
    _hold(client, organization, actor)
    refresh_match_keys(client)
    return client


def _insert_contact(client: Client, contact: ContactInput, username: str) -> ClientContact:
    value = contact.value.strip()
    return ClientContact.objects.create(
        client=client,
        method=contact.method,
        value=value,
        preferred=contact.preferred,
        safe_to_leave_message=contact.safe_to_leave_message,
        safe_to_say_who_is_calling=contact.safe_to_say_who_is_calling,
        best_times=contact.best_times.strip(),
        note=contact.note.strip(),
        added_by=username,
    )


# Changing a client -------------------------------------------------------------------


def _require_active(client: Client) -> None:
    if client.status != RecordStatus.ACTIVE:
        raise CaseActionError(
            f"Record {client.pk} was merged into record {client.merged_into_id}; "
            "make changes there."
        )


@transaction.atomic
def add_name(
    *, actor, client: Client, kind: str, given_name: str, family_name: str = "", source: str = ""
) -> ClientName:
    _require_active(client)
    if not matching.name_tokens(f"{given_name} {family_name}"):
        raise CaseActionError("The name is empty.")
    name = ClientName.objects.create(
        client=client,
        kind=kind,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        source=source,
        added_by=_username(actor),
    )
    client.display_name = queries.display_name_for(list(client.names.all()))
    client.save(update_fields=["display_name"])
    refresh_match_keys(client)
    record_audit_event(
        actor=actor,
        action="cases.client.add_name",
        target=client,
        summary=f"Added a {name.get_kind_display().lower()} to client record {client.pk}",
        details={"name_id": name.pk, "kind": kind},
    )
    return name


@transaction.atomic
def add_contact(*, actor, client: Client, contact: ContactInput) -> ClientContact:
    _require_active(client)
    if contact.preferred:
        client.contacts.update(preferred=False)
    row = _insert_contact(client, contact, _username(actor))
    if contact.method in (ContactMethod.PHONE, ContactMethod.TEXT):
        refresh_match_keys(client)
    record_audit_event(
        actor=actor,
        action="cases.client.add_contact",
        target=client,
        summary=f"Added a contact option to client record {client.pk}",
        details={"contact_id": row.pk, "method": contact.method},
    )
    return row


UPDATABLE = ("sex", "gender", "housing_status", "safe_contact_notes", "home_community")


@transaction.atomic
def update_client(*, actor, client: Client, **changes) -> Client:
    """Change the person's sex, gender, housing status, safe-contact notes or community."""
    _require_active(client)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise CaseActionError(
            f"These details cannot be changed here: {', '.join(sorted(unknown))}."
        )
    before = {}
    for name, value in changes.items():
        current = getattr(client, name)
        if current != value:
            before[name] = current.pk if isinstance(current, Jurisdiction) else current
            setattr(client, name, value)
    if "housing_status" in before:
        client.housing_updated_on = timezone.localdate()
    if before:
        client.save()
        refresh_match_keys(client)
        record_audit_event(
            actor=actor,
            action="cases.client.update",
            target=client,
            summary=f"Changed {', '.join(sorted(before))} of client record {client.pk}",
            details={"changed": sorted(before)},
        )
    return client


@transaction.atomic
def link_identity(
    *,
    actor,
    client: Client,
    consent_method: str,
    consent_note: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth: dt.date | None = None,
    health_number: str = "",
    health_number_kind: str = IdentifierKind.HEALTH_NUMBER,
) -> IdentityLink:
    """Link a fuller identity to a record (often one that began with an alias), with the
    person's consent recorded."""
    _require_active(client)
    if consent_method not in ConsentMethod.values:
        raise CaseActionError("Record how the person gave consent before linking their identity.")
    username = _username(actor)
    added = []
    if given_name.strip() or family_name.strip():
        ClientName.objects.create(
            client=client,
            kind=NameKind.LEGAL,
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            source="identity linked with consent",
            added_by=username,
        )
        added.append("legal name")
    if date_of_birth:
        if client.date_of_birth and client.date_of_birth != date_of_birth:
            raise CaseActionError(
                f"The record already has another date of birth ({client.date_of_birth}); "
                "check which is right before linking."
            )
        client.date_of_birth, client.approximate_age, client.age_recorded_on = (
            date_of_birth,
            None,
            None,
        )
        added.append("date of birth")
    if health_number.strip():
        value = matching.normalize_health_number(health_number)
        if not client.identifiers.filter(kind=health_number_kind, value=value).exists():
            ClientIdentifier.objects.create(
                client=client, kind=health_number_kind, value=value, added_by=username
            )
        added.append("health number")
    if not added:
        raise CaseActionError("Give at least a legal name, a date of birth or a health number.")
    client.identity_status = IdentityStatus.IDENTIFIED
    client.display_name = queries.display_name_for(list(client.names.all()))
    client.save()
    refresh_match_keys(client)
    link = IdentityLink.objects.create(
        client=client,
        linked_by=username,
        consent_method=consent_method,
        consent_note=consent_note.strip()[:300],
        added=added,
    )
    record_audit_event(
        actor=actor,
        action="cases.client.link_identity",
        target=client,
        summary=f"Linked an identity to client record {client.pk} with consent",
        details={"added": added, "consent_method": consent_method, "link_id": link.pk},
    )
    return link


# Episodes ----------------------------------------------------------------------------

ORIGIN_FOR_SOURCE = {
    Source.EMERGENCY_DEPARTMENT: EpisodeOrigin.ED_VISIT,
    Source.PARAMEDIC: EpisodeOrigin.PARAMEDIC_REPORT,
}


@dataclass
class Opened:
    episode: OverdoseEpisode
    created: bool


def open_episode_from_record(*, actor, event: Event, client: Client) -> Opened:
    """Open an overdose episode for the client from an ED visit or paramedic report.

    Opening the same record again for the same client returns the episode already
    open; for another client it is refused (the record belongs to that episode).
    """
    _require_active(client)
    if event.source not in ORIGIN_FOR_SOURCE:
        raise CaseActionError("Only ED visits and paramedic reports can open an episode.")
    existing = EpisodeSource.objects.filter(event=event).select_related("episode").first()
    if existing is not None:
        return _already_opened(existing, client)
    organization = holding_organization_for(actor, event.community)
    try:
        with transaction.atomic():
            episode = OverdoseEpisode.objects.create(
                client=client,
                organization=organization,
                community=event.community,
                occurred_at=event.occurred_at,
                origin=ORIGIN_FOR_SOURCE[event.source],
                opened_by=actor if getattr(actor, "is_authenticated", False) else None,
                opened_by_username=_username(actor),
            )
            EpisodeSource.objects.create(episode=episode, event=event, linked_by=_username(actor))
            SetAside.objects.filter(event=event).delete()
            _hold(client, organization, actor)
            record_audit_event(
                actor=actor,
                action="cases.episode.open",
                target=client,
                summary=f"Opened an overdose episode for client record {client.pk} from "
                f"{event.get_source_display().lower()} {event.pk}",
                details={
                    "episode_id": episode.pk,
                    "event_id": event.pk,
                    "organization_id": organization.pk,
                },
            )
            # The follow-up clock starts with the episode, at the ED visit's time.
            followups.start_follow_up(actor=actor, episode=episode)
    except IntegrityError:
        existing = EpisodeSource.objects.filter(event=event).select_related("episode").first()
        if existing is None:
            raise
        return _already_opened(existing, client)
    return Opened(episode, created=True)


def _already_opened(source: EpisodeSource, client: Client) -> Opened:
    if source.episode.client_id == client.pk:
        return Opened(source.episode, created=False)
    raise CaseActionError(
        f"This record is already part of episode {source.episode_id} of another client record."
    )


def open_episode(
    *,
    actor,
    client: Client,
    occurred_at: dt.datetime,
    community: Jurisdiction | None = None,
    summary: str = "",
    idempotency_key: str = "",
) -> Opened:
    """An episode entered by hand (an overdose the team learned of another way)."""
    _require_active(client)
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise CaseActionError("The overdose cannot be in the future.")
    key = _creation_key(actor, idempotency_key)
    if key:
        existing = OverdoseEpisode.objects.filter(creation_key=key).first()
        if existing is not None:
            return Opened(existing, created=False)
    organization = holding_organization_for(actor, community)
    try:
        with transaction.atomic():
            episode = OverdoseEpisode.objects.create(
                client=client,
                organization=organization,
                community=community,
                occurred_at=occurred_at,
                origin=EpisodeOrigin.ENTERED,
                summary=summary.strip(),
                opened_by=actor if getattr(actor, "is_authenticated", False) else None,
                opened_by_username=_username(actor),
                creation_key=key,
            )
            _hold(client, organization, actor)
            record_audit_event(
                actor=actor,
                action="cases.episode.open",
                target=client,
                summary=f"Entered an overdose episode for client record {client.pk}",
                details={"episode_id": episode.pk, "organization_id": organization.pk},
            )
            # The follow-up clock starts with the episode, at the time given for it.
            followups.start_follow_up(actor=actor, episode=episode, discharged_at=occurred_at)
    except IntegrityError:
        existing = OverdoseEpisode.objects.filter(creation_key=key).first() if key else None
        if existing is None:
            raise
        return Opened(existing, created=False)
    return Opened(episode, created=True)


@transaction.atomic
def link_source_record(*, actor, episode: OverdoseEpisode, event: Event) -> EpisodeSource:
    """Add another record of the same overdose (the paramedic report of an ED visit)."""
    if event.source not in ORIGIN_FOR_SOURCE:
        raise CaseActionError("Only ED visits and paramedic reports can be linked.")
    existing = EpisodeSource.objects.filter(event=event).first()
    if existing is not None:
        if existing.episode_id == episode.pk:
            return existing
        raise CaseActionError(f"This record is already part of episode {existing.episode_id}.")
    source = EpisodeSource.objects.create(episode=episode, event=event, linked_by=_username(actor))
    SetAside.objects.filter(event=event).delete()
    record_audit_event(
        actor=actor,
        action="cases.episode.link_source",
        target=episode.client,
        summary=f"Linked {event.get_source_display().lower()} {event.pk} to episode {episode.pk}",
        details={"episode_id": episode.pk, "event_id": event.pk},
    )
    return source


@transaction.atomic
def set_aside_record(*, actor, event: Event, reason: str) -> SetAside:
    """Take a record off the worklist without opening a case, saying why."""
    reason = reason.strip()
    if not reason:
        raise CaseActionError("Say why the record is set aside (e.g. the person declined).")
    if EpisodeSource.objects.filter(event=event).exists():
        raise CaseActionError("This record is already part of an episode.")
    organization = holding_organization_for(actor, event.community)
    row, _ = SetAside.objects.update_or_create(
        event=event,
        defaults={
            "organization": organization,
            "reason": reason[:300],
            "decided_by": _username(actor),
            "decided_at": timezone.now(),
        },
    )
    record_audit_event(
        actor=actor,
        action="cases.source_record.set_aside",
        target=event,
        summary=f"Set aside {event.get_source_display().lower()} {event.pk}",
        details={"reason": reason[:300]},
    )
    return row


# Merging -----------------------------------------------------------------------------

# Survivor fields a merge fills when the survivor has none, restored by an undo.
_FILLED = (
    "date_of_birth",
    "approximate_age",
    "age_recorded_on",
    "sex",
    "gender",
    "housing_status",
    "housing_updated_on",
    "safe_contact_notes",
    "home_community_id",
)
_BLANK = (None, "", Sex.NOT_RECORDED)
_MOVED = {
    "names": ClientName,
    "identifiers": ClientIdentifier,
    "contacts": ClientContact,
    "episodes": OverdoseEpisode,
    "identity_links": IdentityLink,
    "risk_assessments": RiskAssessment,
    "group_placements": GroupPlacement,
    "follow_ups": FollowUp,
    "plan_goals": PlanGoal,
    "plan_actions": PlanAction,
    "referrals": Referral,
    "care_alerts": CareAlert,
}


def move_on_merge(label: str, model) -> None:
    """Make a higher app's rows that point at a client (a `client` foreign key) follow
    merges, and go back when a merge is undone, like the case's own rows. Called from
    that app's `AppConfig.ready()`: cases never imports the apps built on it."""
    if _MOVED.get(label, model) is not model:
        raise ValueError(f"{label!r} already names another model moved on merge")
    _MOVED[label] = model


# Rows that may clash with one of the survivor's: once per person, drug and day (OAT
# dispensing, missed doses), one diagnosis per person, one link per supporter account.
# A clashing row stays on the merged record; the survivor's row keeps its values and
# gets its blank ones (and, for coverage, the larger carries / the earlier diagnosis
# date) from it; the merge lists both ids and the values it changed, so an undo puts
# them back (`moved["kept_apart"]`). Derived OAT episodes are not moved: they are
# derived again from the dispensing each record holds after the merge (or its undo).
_MOVED_UNLESS_CLASH = {
    "oat_dispensing": (OatDispensing, ("drug", "dispensed_on")),
    "oat_missed_doses": (OatMissedDose, ("drug", "missed_on")),
    "oud_diagnosis": (OudDiagnosis, ()),
    "supporters": (Supporter, ("user_id",)),
}
_FILL_FROM_CLASH = {
    "oat_dispensing": ("dose", "days_supply", "pharmacy", "prescriber", "carry_days"),
    "oat_missed_doses": ("pharmacy", "note"),
    "oud_diagnosis": ("diagnosed_on", "basis"),
    "supporters": ("contact_method", "contact_value", "note"),
}


def _filled_value(label: str, name: str, kept, other):
    """The value the survivor's row takes from a clashing row of the merged record, or
    the row's own value when it keeps it."""
    mine, theirs = getattr(kept, name), getattr(other, name)
    if name == "carry_days":  # the larger coverage: neither source's carries are lost
        return max(mine or 0, theirs or 0)
    if name == "diagnosed_on" and mine and theirs:
        return min(mine, theirs)  # known since the earlier date
    return theirs if mine in (None, "") else mine


def _may_clash(label: str, row) -> bool:
    """Supporter links clash only for the same account, both links not ended."""
    if label != "supporters":
        return True
    return row.user_id is not None and getattr(row, "ended_at", None) is None


def _move_unless_clash(survivor: Client, merged: Client, moved: dict) -> list[dict]:
    """Move `_MOVED_UNLESS_CLASH` rows; fold clashing ones into the survivor's rows."""
    kept_apart = []
    for label, (model, keys) in _MOVED_UNLESS_CLASH.items():
        theirs = list(model.objects.filter(client=merged).order_by("pk"))
        mine = {
            tuple(getattr(row, k) for k in keys): row
            for row in model.objects.filter(client=survivor)
            if _may_clash(label, row)
        }
        moving = []
        for row in theirs:
            key = tuple(getattr(row, k) for k in keys)
            kept = mine.get(key) if _may_clash(label, row) else None
            if kept is None:
                moving.append(row.pk)
                continue
            before = {}
            for name in _FILL_FROM_CLASH[label]:
                value = _filled_value(label, name, kept, row)
                if value != getattr(kept, name):
                    before[name] = _json(getattr(kept, name))
                    setattr(kept, name, value)
            if before:
                kept.save(update_fields=list(before))
            entry = {"label": label, "kept": kept.pk, "other": row.pk, "before": before}
            if label == "supporters":
                entry["consents"] = _move_consents(row, kept)
            kept_apart.append(entry)
        model.objects.filter(pk__in=moving).update(client=survivor)
        moved[label] = moving
    return kept_apart


def _move_consents(other: Supporter, kept: Supporter) -> list[int]:
    """Consents given for the merged record's link of the same supporter account go to
    the survivor's link, unless that link already has one in force for the purpose
    (then the other stays with the merged record's link, listed in the merge)."""
    in_force = set(kept.consents.filter(revoked_at=None).values_list("purpose", flat=True))
    ids = [
        c.pk for c in other.consents.all() if c.revoked_at is not None or c.purpose not in in_force
    ]
    SupporterConsent.objects.filter(pk__in=ids).update(supporter=kept)
    return ids


def _undo_unless_clash(merge: ClientMerge, survivor: Client, merged: Client) -> None:
    for label, (model, _) in _MOVED_UNLESS_CLASH.items():
        model.objects.filter(pk__in=merge.moved.get(label, []), client=survivor).update(
            client=merged
        )
    for entry in merge.moved.get("kept_apart", []):
        model = _MOVED_UNLESS_CLASH[entry["label"]][0]
        kept = model.objects.filter(pk=entry["kept"], client=survivor).first()
        if kept is None:
            continue
        for name, value in entry["before"].items():
            if name == "diagnosed_on" and value is not None:
                value = dt.date.fromisoformat(value)
            setattr(kept, name, value)
        if entry["before"]:
            kept.save(update_fields=list(entry["before"]))
        if entry.get("consents"):
            SupporterConsent.objects.filter(
                pk__in=entry["consents"], supporter_id=entry["kept"]
            ).update(supporter_id=entry["other"])


def _rederive_treatment(*clients: Client) -> None:
    from cairn.cases.treatment.records import rederive

    for client in clients:
        rederive(client)


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if isinstance(value, dt.date) else value


def _unjson(name: str, value):
    if value is not None and name in ("date_of_birth", "age_recorded_on", "housing_updated_on"):
        return dt.date.fromisoformat(value)
    return value


def merge_clients(
    *,
    actor,
    survivor: Client,
    merged: Client,
    reason: str,
    consent_method: str = "",
    consent_note: str = "",
) -> ClientMerge:
    """Merge `merged` into `survivor`, keeping full history.

    Every name, identifier, contact, episode, identity link, risk assessment, group
    placement, follow-up, care-plan goal, action and referral, care alert, supporter
    (with their consents) and opioid agonist treatment record (entered episodes,
    dispensing, missed doses, the diagnosis) of `merged` moves to the survivor, except
    rows that clash with the survivor's (`_MOVED_UNLESS_CLASH`); the organizations
    holding `merged` now hold the survivor; blank survivor details are filled from
    `merged`. The merged record stays, marked
    merged into the survivor. Joining an anonymous record with an identified one
    links an identity, so it needs the person's consent. Repeating a merge already
    made returns it.
    """
    reason = reason.strip()
    if survivor.pk == merged.pk:
        raise CaseActionError("A record cannot be merged into itself.")
    if merged.status == RecordStatus.MERGED and merged.merged_into_id == survivor.pk:
        done = ClientMerge.objects.filter(survivor=survivor, merged=merged, undone_at=None).first()
        if done is not None:
            return done
    _require_active(survivor)
    _require_active(merged)
    if not reason:
        raise CaseActionError("Say why these records are the same person.")
    links_identity = survivor.identity_status != merged.identity_status
    if links_identity and consent_method not in ConsentMethod.values:
        raise CaseActionError(
            "One record is anonymous and the other identified: merging them links the "
            "person's identity, so record how they gave consent."
        )
    with transaction.atomic():
        # Lock both rows in a fixed order, so two merges of the same pair cannot interleave.
        list(
            Client.objects.select_for_update()
            .filter(pk__in=[survivor.pk, merged.pk])
            .order_by("pk")
        )
        moved = {}
        for label, model in _MOVED.items():
            ids = list(model.objects.filter(client=merged).values_list("pk", flat=True))
            model.objects.filter(pk__in=ids).update(client=survivor)
            moved[label] = ids
        # Entered OAT episodes move; derived ones are derived again below.
        entered = OatEpisode.objects.filter(client=merged, origin=OatOrigin.ENTERED)
        moved["oat_episodes"] = list(entered.values_list("pk", flat=True))
        OatEpisode.objects.filter(pk__in=moved["oat_episodes"]).update(client=survivor)
        moved["kept_apart"] = _move_unless_clash(survivor, merged, moved)
        _rederive_treatment(survivor, merged)
        held_by_survivor = set(survivor.holdings.values_list("organization_id", flat=True))
        holdings = merged.holdings.exclude(organization_id__in=held_by_survivor)
        moved["holdings"] = list(holdings.values_list("pk", flat=True))
        ClientHolding.objects.filter(pk__in=moved["holdings"]).update(client=survivor)

        survivor_before = {
            "display_name": survivor.display_name,
            "identity_status": survivor.identity_status,
        }
        for name in _FILLED:
            if getattr(survivor, name) in _BLANK and getattr(merged, name) not in _BLANK:
                survivor_before[name] = _json(getattr(survivor, name))
                setattr(survivor, name, getattr(merged, name))
        if survivor.date_of_birth and survivor.approximate_age is not None:
            survivor_before.setdefault("approximate_age", survivor.approximate_age)
            survivor_before.setdefault("age_recorded_on", _json(survivor.age_recorded_on))
            survivor.approximate_age = survivor.age_recorded_on = None
        if IdentityStatus.IDENTIFIED in (survivor.identity_status, merged.identity_status):
            survivor.identity_status = IdentityStatus.IDENTIFIED
        survivor.display_name = queries.display_name_for(list(survivor.names.all()))
        survivor.save()

        merged_before = {"status": merged.status, "display_name": merged.display_name}
        merged.status, merged.merged_into, merged.merged_at = (
            RecordStatus.MERGED,
            survivor,
            timezone.now(),
        )
        merged.save(update_fields=["status", "merged_into", "merged_at"])
        merge = ClientMerge.objects.create(
            survivor=survivor,
            merged=merged,
            reason=reason[:300],
            merged_by=_username(actor),
            moved=moved,
            survivor_before=survivor_before,
            merged_before=merged_before,
        )
        if links_identity:
            IdentityLink.objects.create(
                client=survivor,
                linked_by=_username(actor),
                consent_method=consent_method,
                consent_note=consent_note.strip()[:300],
                added=["merged record"],
                merge=merge,
            )
        refresh_match_keys(survivor)
        refresh_match_keys(merged)
        counts = {label: len(ids) for label, ids in moved.items()}
        for target, summary in (
            (survivor, f"Merged client record {merged.pk} into this record"),
            (merged, f"Merged this record into client record {survivor.pk}"),
        ):
            record_audit_event(
                actor=actor,
                action="cases.client.merge",
                target=target,
                summary=summary,
                details={
                    "merge_id": merge.pk,
                    "survivor_id": survivor.pk,
                    "merged_id": merged.pk,
                    "moved": counts,
                },
            )
    return merge


def undo_merge(*, actor, merge: ClientMerge, reason: str) -> ClientMerge:
    """Separate two merged records again: what moved goes back, filled fields are restored.

    Rows added to the survivor after the merge stay with it. A survivor merged again
    since must have that later merge undone first.
    """
    reason = reason.strip()
    if merge.undone_at is not None:
        return merge
    if not reason:
        raise CaseActionError("Say why the merge is being undone.")
    with transaction.atomic():
        survivor, merged = (
            Client.objects.select_for_update().get(pk=merge.survivor_id),
            Client.objects.select_for_update().get(pk=merge.merged_id),
        )
        if survivor.status != RecordStatus.ACTIVE:
            raise CaseActionError(
                f"Record {survivor.pk} was itself merged into record {survivor.merged_into_id} "
                "later; undo that merge first."
            )
        if merged.merged_into_id != survivor.pk:
            raise CaseActionError("The records are no longer merged as this merge left them.")
        for label, model in _MOVED.items():
            model.objects.filter(pk__in=merge.moved.get(label, []), client=survivor).update(
                client=merged
            )
        OatEpisode.objects.filter(
            pk__in=merge.moved.get("oat_episodes", []), client=survivor
        ).update(client=merged)
        _undo_unless_clash(merge, survivor, merged)
        _rederive_treatment(survivor, merged)
        ClientHolding.objects.filter(
            pk__in=merge.moved.get("holdings", []), client=survivor
        ).update(client=merged)
        for name, value in merge.survivor_before.items():
            if name not in ("display_name", "identity_status"):
                setattr(survivor, name, _unjson(name, value))
        survivor.identity_status = merge.survivor_before.get(
            "identity_status", survivor.identity_status
        )
        survivor.display_name = queries.display_name_for(list(survivor.names.all()))
        survivor.save()
        merged.status, merged.merged_into, merged.merged_at = RecordStatus.ACTIVE, None, None
        merged.display_name = queries.display_name_for(list(merged.names.all()))
        merged.save()
        merge.undone_at, merge.undone_by, merge.undo_reason = (
            timezone.now(),
            _username(actor),
            reason[:300],
        )
        merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
        refresh_match_keys(survivor)
        refresh_match_keys(merged)
        for target in (survivor, merged):
            record_audit_event(
                actor=actor,
                action="cases.client.unmerge",
                target=target,
                summary=f"Undid the merge of client record {merged.pk} into {survivor.pk}",
                details={"merge_id": merge.pk, "reason": reason[:300]},
            )
    return merge
