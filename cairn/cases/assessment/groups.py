"""The four groups: placing a person, and the editable catalogue of approaches and
supports the care plan proposes for each group."""

import json

from django.db import transaction

from cairn.access.audit import actor_name as _username
from cairn.access.audit import record_audit_event
from cairn.cases.instruments import DIRECTORY
from cairn.cases.models import Client
from cairn.cases.models.groups import CareGroup, GroupPlacement, GroupSupport, SupportKind

CATALOGUE_FILE = DIRECTORY / "group_catalogue.json"


class GroupError(ValueError):
    """The placement or catalogue change cannot be made as given."""


@transaction.atomic
def seed_group_catalogue(*, actor="system:cases.seed") -> int:
    """Fill the catalogue from the shipped file when it is empty; returns rows added."""
    if GroupSupport.objects.exists():
        return 0
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    rows = []
    for group, entries in data["groups"].items():
        if group not in CareGroup.values:
            raise GroupError(f"{CATALOGUE_FILE.name}: unknown group {group!r}.")
        for position, (kind, title, description, basis) in enumerate(entries):
            rows.append(
                GroupSupport(
                    group=group,
                    kind=kind,
                    title=title,
                    description=description,
                    basis=basis,
                    position=position,
                    updated_by=_username(actor),
                )
            )
    GroupSupport.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def place_client(*, actor, client: Client, group: str, note: str = "") -> GroupPlacement:
    if client.is_merged:
        raise GroupError(f"This record was merged into record {client.merged_into_id}.")
    if group not in CareGroup.values:
        raise GroupError(f"Unknown group {group!r}; give one of {', '.join(CareGroup.values)}.")
    placement = GroupPlacement.objects.create(
        client=client, group=group, note=note.strip()[:300], placed_by=_username(actor)
    )
    record_audit_event(
        actor=actor,
        action="cases.group.place",
        target=client,
        summary=f"Placed client record {client.pk} in group: {placement.get_group_display()}",
        details={"placement_id": placement.pk, "group": group},
    )
    return placement


def current_group(client: Client) -> str:
    latest = client.group_placements.order_by("-placed_at", "-pk").first()
    return latest.group if latest else CareGroup.NOT_ASSESSED


def proposals_for(group: str) -> list[GroupSupport]:
    """The active approaches and supports of a group (none for "not assessed")."""
    seed_group_catalogue()
    if group == CareGroup.NOT_ASSESSED:
        return []
    return list(GroupSupport.objects.filter(group=group, active=True))


@transaction.atomic
def save_support(
    *,
    actor,
    group: str,
    kind: str,
    title: str,
    description: str = "",
    basis: str = "",
    active: bool = True,
    support: GroupSupport | None = None,
) -> GroupSupport:
    """Add a catalogue entry, or change one (`support`); audited."""
    if group not in CareGroup.values or group == CareGroup.NOT_ASSESSED:
        raise GroupError(f"Choose one of the four groups, not {group!r}.")
    if kind not in SupportKind.values:
        raise GroupError(f"Unknown kind {kind!r}; give one of {', '.join(SupportKind.values)}.")
    if not title.strip():
        raise GroupError("Give the approach or support a title.")
    creating = support is None
    support = support or GroupSupport(position=GroupSupport.objects.filter(group=group).count())
    support.group, support.kind, support.title = group, kind, title.strip()[:200]
    support.description, support.basis = description.strip(), basis.strip()[:300]
    support.active = active
    support.updated_by = _username(actor)
    support.save()
    record_audit_event(
        actor=actor,
        action="cases.group_support.add" if creating else "cases.group_support.change",
        target=support,
        summary=f"{'Added' if creating else 'Changed'} “{support.title}” for "
        f"{support.get_group_display()}",
        details={"active": active},
    )
    return support
