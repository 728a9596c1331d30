"""Writes and reads of outreach encounters; the pages, the API and the demo use these.

Who may do what (decided here, on top of `cairn.outreach.access`):
- record: `may_record_outreach(user, team)` — RECORD_OUTREACH and one of the user's
  organizations a current member of the team;
- see the team's encounters (the list): those who may record for the team, and the
  care team (VIEW_IDENTIFIABLE) of a current member organization;
- correct or void: the worker who recorded it, within `EDIT_WINDOW` of recording, while
  they may still record for the team;
- link to an identified person: the care team of an organization that holds the
  person's case (MANAGE_CASES there) and is a current member of the team, with the
  person's consent recorded; the person's record is opened through
  `cairn.cases.access.get_client_for_user` (audited). Only users who may open that
  record see the link (`client_link_visible_to`), and that read is audited too.

Creating takes an idempotency key: the same key from the same user returns the
encounter the first request made (`Saved.created` is False), never a second one.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from cairn.access.audit import actor_name as _username
from cairn.access.audit import record_audit_event
from cairn.access.permissions import has_permission, organizations_where
from cairn.access.roles import Permission
from cairn.cases.access import (
    Purpose,
    care_team_organization_ids,
    clients_visible_to,
    get_client_for_user,
    managing_organization_id,
    record_client_list_read,
)
from cairn.cases.models.clients import ConsentMethod
from cairn.outreach.access import current_members, may_record_outreach
from cairn.outreach.models import Encounter, EncounterClientLink, Team

#: How long the worker who recorded an encounter may correct or void it.
EDIT_WINDOW = dt.timedelta(hours=getattr(settings, "CAIRN_ENCOUNTER_EDIT_HOURS", 24))

DETAIL_FIELDS = [
    "occurred_on",
    "occurred_at_time",
    "community",
    "latitude",
    "longitude",
    "place_description",
    "group",
    "naloxone_kits",
    "naloxone_training",
    "drug_checking_referral",
    "information",
    "harm_reduction_supplies",
    "connected_to_treatment",
    "connected_to_housing",
    "connected_to_oerc",
    "connected_to_other",
    "connection_note",
    "follow_up_needed",
    "follow_up_note",
]


class EncounterError(Exception):
    """The data stops the action; `field` names the input at fault."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.field = field


@dataclass
class Saved:
    encounter: Encounter
    created: bool


def creation_key_for(actor, key: str) -> str | None:
    key = (key or "").strip()
    if not key:
        return None
    return f"{getattr(actor, 'pk', '') or _username(actor)}:{key}"[:120]


# Who -------------------------------------------------------------------------------


def member_organization_ids(team: Team) -> set[int]:
    """The partner organizations sitting on the team today."""
    return set(
        current_members(team)
        .filter(organization__isnull=False)
        .values_list("organization_id", flat=True)
    )


def recording_organization_id(user, team: Team) -> int:
    """The user's organization a record is made for: one that grants RECORD_OUTREACH
    and is a current member of the team (the first, if several)."""
    mine = set(organizations_where(user, Permission.RECORD_OUTREACH))
    found = sorted(mine & member_organization_ids(team))
    if not found or not may_record_outreach(user, team):
        raise PermissionDenied("Only members of this team's organizations may record its outreach.")
    return found[0]


def care_team_member_organization_ids(user, team: Team) -> list[int]:
    """The user's care-team organizations that are current members of the team."""
    return sorted(set(care_team_organization_ids(user)) & member_organization_ids(team))


def may_see_encounters(user, team: Team) -> bool:
    """Whether the user may see the team's encounters one by one (the list)."""
    if may_record_outreach(user, team):
        return True
    return has_permission(user, Permission.VIEW_IDENTIFIABLE) and bool(
        care_team_member_organization_ids(user, team)
    )


def may_see_encounters_anywhere(user) -> bool:
    """The first gate of the encounter pages, before a team is looked up."""
    return has_permission(user, Permission.RECORD_OUTREACH) or has_permission(
        user, Permission.VIEW_IDENTIFIABLE
    )


def may_change(
    user, encounter: Encounter, *, now: dt.datetime | None = None, may_record: bool | None = None
) -> bool:
    """The recorder may correct or void an encounter within the edit window (while they
    may still record for the team: `may_record`, when the caller knows it already)."""
    now = now or timezone.now()
    if not (
        encounter.voided_at is None
        and encounter.recorded_by_id is not None
        and encounter.recorded_by_id == getattr(user, "pk", None)
        and now - encounter.recorded_at <= EDIT_WINDOW
    ):
        return False
    if may_record is None:
        may_record = may_record_outreach(user, encounter.team)
    return may_record


def get_encounter_for(user, team: Team, encounter_id) -> Encounter:
    """One of the team's encounters for a user who may see them; Http404 otherwise."""
    if not may_see_encounters(user, team):
        raise PermissionDenied("Only the team's outreach workers and care team see its encounters.")
    try:
        encounter_id = int(encounter_id)
    except (TypeError, ValueError):
        raise Http404("No encounter with this number.") from None
    encounter = (
        Encounter.objects.filter(team=team, pk=encounter_id)
        .select_related("community", "team", "organization")
        .defer("community__boundary")
        .first()
    )
    if encounter is None:
        raise Http404("No encounter with this number in this team.")
    return encounter


# Reads ----------------------------------------------------------------------------


def team_encounters(
    team: Team,
    *,
    month: dt.date | None = None,
    group: str = "",
    include_voided: bool = False,
    follow_up_only: bool = False,
) -> QuerySet[Encounter]:
    rows = (
        Encounter.objects.filter(team=team).select_related("community").defer("community__boundary")
    )
    if not include_voided:
        rows = rows.filter(voided_at__isnull=True)
    if month is not None:
        rows = rows.filter(occurred_on__year=month.year, occurred_on__month=month.month)
    if group:
        rows = rows.filter(group=group)
    if follow_up_only:
        rows = rows.filter(follow_up_needed=True)
    return rows


def client_links_visible_to(user, encounters) -> dict[int, EncounterClientLink]:
    """The links in force on these encounters to people whose records the user may open;
    audited as a list read when there are any. Everyone else gets an empty dict and
    never learns that a link exists."""
    if not has_permission(user, Permission.VIEW_IDENTIFIABLE):
        return {}
    ids = [e.pk for e in encounters]
    if not ids:
        return {}
    links = {
        link.encounter_id: link
        for link in EncounterClientLink.objects.filter(
            encounter_id__in=ids,
            removed_at__isnull=True,
            client__in=clients_visible_to(user),
        ).select_related("client")
    }
    for link in links.values():
        # A record merged into another since the link was made: point at the survivor.
        link.current_client_id = link.client.merged_into_id or link.client_id
    if links:
        record_client_list_read(
            user,
            [link.client_id for link in links.values()],
            purpose=Purpose.CARE,
            what="encounter_links",
        )
    return links


# Writes ---------------------------------------------------------------------------


def _values(details: dict) -> dict:
    values = {name: details[name] for name in DETAIL_FIELDS if name in details}
    for name in ("place_description", "connection_note", "follow_up_note"):
        if name in values:
            values[name] = (values[name] or "").strip()
    if not values.get("follow_up_needed"):
        values["follow_up_note"] = values.get("follow_up_note", "")
    return values


def record_encounter(*, actor, team: Team, details: dict, idempotency_key: str = "") -> Saved:
    """Record an encounter for the team (details as `EncounterForm.cleaned_data` gives
    them). The same idempotency key from the same actor returns the first encounter."""
    key = creation_key_for(actor, idempotency_key)
    if key:
        existing = Encounter.objects.filter(creation_key=key).first()
        if existing is not None:
            return Saved(existing, created=False)
    organization_id = recording_organization_id(actor, team)
    values = _values(details)
    if values["community"] not in team.communities.all():
        raise EncounterError("Choose one of the team's communities.", "community")
    try:
        with transaction.atomic():
            encounter = Encounter.objects.create(
                team=team,
                organization_id=organization_id,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
                recorded_by_name=_username(actor),
                creation_key=key,
                **values,
            )
            record_audit_event(
                actor=actor,
                action="outreach.encounter.create",
                target=encounter,
                summary=f"Recorded outreach encounter {encounter.pk} for {team.name}",
                details={"team_id": team.pk, "organization_id": organization_id},
            )
    except IntegrityError:
        existing = Encounter.objects.filter(creation_key=key).first() if key else None
        if existing is None:
            raise
        return Saved(existing, created=False)
    return Saved(encounter, created=True)


def edit_encounter(*, actor, encounter: Encounter, details: dict) -> Encounter:
    if not may_change(actor, encounter):
        raise PermissionDenied(
            "Only the worker who recorded it may correct it, within "
            f"{int(EDIT_WINDOW.total_seconds() // 3600)} hours."
        )
    values = _values(details)
    if "community" in values and values["community"] not in encounter.team.communities.all():
        raise EncounterError("Choose one of the team's communities.", "community")
    changed = sorted(name for name, value in values.items() if getattr(encounter, name) != value)
    with transaction.atomic():
        for name, value in values.items():
            setattr(encounter, name, value)
        encounter.updated_at = timezone.now()
        encounter.updated_by = _username(actor)
        encounter.save()
        record_audit_event(
            actor=actor,
            action="outreach.encounter.edit",
            target=encounter,
            summary=f"Corrected outreach encounter {encounter.pk}",
            details={"changed": changed},
        )
    return encounter


def void_encounter(*, actor, encounter: Encounter, reason: str) -> Encounter:
    """Void an encounter recorded by mistake: kept, with who, when and why; left out of
    lists and indicators."""
    reason = (reason or "").strip()
    if not reason:
        raise EncounterError("Say why the encounter is voided.", "reason")
    if len(reason) > 300:
        raise EncounterError("Give the reason in at most 300 characters.", "reason")
    if not may_change(actor, encounter):
        raise PermissionDenied(
            "Only the worker who recorded it may void it, within "
            f"{int(EDIT_WINDOW.total_seconds() // 3600)} hours."
        )
    with transaction.atomic():
        encounter.voided_at = timezone.now()
        encounter.voided_by = _username(actor)
        encounter.void_reason = reason
        encounter.save(update_fields=["voided_at", "voided_by", "void_reason"])
        record_audit_event(
            actor=actor,
            action="outreach.encounter.void",
            target=encounter,
            summary=f"Voided outreach encounter {encounter.pk}",
            details={"reason": reason},
        )
    return encounter


def link_encounter_to_client(
    *, actor, encounter: Encounter, client_id, consent_method: str, consent_note: str = ""
) -> EncounterClientLink:
    """Tie an encounter to an identified person's case, with the person's consent.

    Only the care team of an organization that holds the case, changes it (MANAGE_CASES)
    and is a current member of the encounter's team. The person's record is opened
    through the audited choke point; a person the actor's organizations do not hold
    answers 404 as everywhere in case management.
    """
    team = encounter.team
    if not care_team_member_organization_ids(actor, team):
        raise PermissionDenied(
            "Only the care team of one of this team's member organizations may link an "
            "encounter to a person's case."
        )
    if encounter.voided_at is not None:
        raise EncounterError("A voided encounter cannot be linked.", "encounter")
    if consent_method not in ConsentMethod.values:
        raise EncounterError(
            "Record how the person consented: " + ", ".join(ConsentMethod.values) + ".",
            "consent_method",
        )
    consent_note = (consent_note or "").strip()
    if len(consent_note) > 300:
        raise EncounterError("Give the note in at most 300 characters.", "consent_note")
    client = get_client_for_user(actor, client_id, purpose=Purpose.CARE)
    organization_id = managing_organization_id(actor, client)
    if organization_id not in member_organization_ids(team):
        raise PermissionDenied(
            "The organization that holds this person's case is not a member of this team."
        )
    with transaction.atomic():
        if EncounterClientLink.objects.filter(
            encounter=encounter, removed_at__isnull=True
        ).exists():
            raise EncounterError(
                "This encounter is already linked to a person; remove that link first.",
                "encounter",
            )
        link = EncounterClientLink.objects.create(
            encounter=encounter,
            client=client,
            organization_id=organization_id,
            consent_method=consent_method,
            consent_note=consent_note,
            linked_by=_username(actor),
        )
        record_audit_event(
            actor=actor,
            action="outreach.encounter.link_client",
            target=encounter,
            summary=f"Linked outreach encounter {encounter.pk} to client record {client.pk}",
            details={
                "client_id": client.pk,
                "organization_id": organization_id,
                "consent_method": consent_method,
            },
        )
    return link


def remove_client_link(*, actor, link: EncounterClientLink, reason: str) -> EncounterClientLink:
    """End a link (the person withdrew consent, or it was a mistake); the row is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise EncounterError("Say why the link is removed.", "reason")
    client = get_client_for_user(actor, link.client_id, purpose=Purpose.CARE)
    managing_organization_id(actor, client)
    with transaction.atomic():
        link.removed_at = timezone.now()
        link.removed_by = _username(actor)
        link.removal_reason = reason[:300]
        link.save(update_fields=["removed_at", "removed_by", "removal_reason"])
        record_audit_event(
            actor=actor,
            action="outreach.encounter.unlink_client",
            target=link.encounter,
            summary=f"Removed the link of outreach encounter {link.encounter_id} to a client",
            details={"client_id": link.client_id, "reason": reason[:300]},
        )
    return link
