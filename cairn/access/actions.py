"""Writes to organizations and memberships, each with its audit event in the same transaction."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from cairn.access.audit import record_audit_event
from cairn.access.models import Membership, Organization
from cairn.access.roles import ROLES
from cairn.geography.models import Jurisdiction


@transaction.atomic
def create_organization(
    *, actor, name: str, sector: str, coverage: Iterable[Jurisdiction] = ()
) -> Organization:
    organization = Organization.objects.create(name=name, slug=slugify(name)[:120], sector=sector)
    coverage = list(coverage)
    organization.coverage.set(coverage)
    record_audit_event(
        actor=actor,
        action="organization.create",
        target=organization,
        summary=f"Created organization {name}",
        details={"sector": sector, "coverage": [j.code for j in coverage]},
    )
    return organization


@transaction.atomic
def set_organization_coverage(
    *, actor, organization: Organization, coverage: Iterable[Jurisdiction]
) -> None:
    coverage = list(coverage)
    before = sorted(organization.coverage.values_list("code", flat=True))
    organization.coverage.set(coverage)
    record_audit_event(
        actor=actor,
        action="organization.set_coverage",
        target=organization,
        summary=f"Changed the area {organization.name} covers",
        details={"before": before, "after": sorted(j.code for j in coverage)},
    )


@transaction.atomic
def add_membership(*, actor, user, organization: Organization, role: str) -> Membership:
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}")
    membership, _ = Membership.objects.get_or_create(
        user=user, organization=organization, role=role
    )
    record_audit_event(
        actor=actor,
        action="membership.add",
        target=membership,
        summary=f"{user.get_username()} is {ROLES[role].name} at {organization.name}",
        details={"user_id": user.pk, "organization_id": organization.pk, "role": role},
    )
    return membership


@transaction.atomic
def remove_membership(*, actor, membership: Membership) -> None:
    details = {
        "user_id": membership.user_id,
        "organization_id": membership.organization_id,
        "role": membership.role,
    }
    target_id = membership.pk
    membership.delete()
    record_audit_event(
        actor=actor,
        action="membership.remove",
        target_type="access.membership",
        target_id=str(target_id),
        summary="Removed a membership",
        details=details,
    )


@transaction.atomic
def create_user(*, actor, username: str, password: str, first_name: str = "", last_name: str = ""):
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=first_name, last_name=last_name
    )
    record_audit_event(
        actor=actor, action="user.create", target=user, summary=f"Created user {username}"
    )
    return user
