"""The one place that decides what a user may do and see.

Deny by default: an anonymous or inactive user has no permission; a member has
only what their roles list, and only inside the communities their organization
covers unless a role is `wide_area`.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet

from cairn.access.roles import ROLES, Administrator, DataTier, Permission, Role
from cairn.geography.models import Jurisdiction, Level

User = AbstractBaseUser | AnonymousUser


class Grant:
    """One role held in one organization, with the area it reaches."""

    def __init__(
        self,
        role: type[Role],
        coverage_paths: tuple[str, ...],
        wide: bool,
        organization_id: int | None = None,
    ):
        self.role = role
        self.coverage_paths = coverage_paths
        self.wide = wide
        self.organization_id = organization_id  # None for a superuser's implied grant

    def covers(self, jurisdiction: Jurisdiction | None) -> bool:
        if self.wide:
            return True
        if jurisdiction is None:
            return False
        return any(
            jurisdiction.path == path or jurisdiction.path.startswith(path + "/")
            for path in self.coverage_paths
        )


def grants_for(user: User) -> list[Grant]:
    """The user's roles with their areas, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_cairn_grants", None)
    if cached is not None:
        return cached
    grants = []
    memberships = user.memberships.select_related("organization").prefetch_related(
        Prefetch("organization__coverage", queryset=Jurisdiction.objects.only("id", "path"))
    )
    for membership in memberships:
        role = ROLES.get(membership.role)
        if role is None:
            continue
        paths = tuple(j.path for j in membership.organization.coverage.all())
        grants.append(
            Grant(role, paths, wide=role.wide_area, organization_id=membership.organization_id)
        )
    if user.is_superuser:
        grants.append(Grant(Administrator, (), wide=True))
    user._cairn_grants = grants
    return grants


def roles_of(user: User) -> list[type[Role]]:
    seen: list[type[Role]] = []
    for grant in grants_for(user):
        if grant.role not in seen:
            seen.append(grant.role)
    return seen


def jurisdiction_of(obj: object) -> Jurisdiction | None:
    """The jurisdiction an object belongs to; models opt in with `access_jurisdiction`."""
    if isinstance(obj, Jurisdiction):
        return obj
    if hasattr(obj, "access_jurisdiction"):
        return obj.access_jurisdiction
    raise TypeError(f"{type(obj).__name__} does not declare an access_jurisdiction")


def has_permission(user: User, permission: Permission, obj: object | None = None) -> bool:
    """True if any of the user's roles grants `permission`, and (given `obj`) reaches its place."""
    permission = Permission(permission)
    jurisdiction = None if obj is None else jurisdiction_of(obj)
    for grant in grants_for(user):
        if not grant.role.has(permission):
            continue
        if obj is None or grant.covers(jurisdiction):
            return True
    return False


def organizations_where(user: User, permission: Permission) -> list[int]:
    """The ids of the organizations in which one of the user's roles grants `permission`,
    sorted; empty for anonymous, inactive or unaffiliated users. A superuser's implied
    Administrator grant belongs to no organization and adds none."""
    permission = Permission(permission)
    return sorted(
        {
            grant.organization_id
            for grant in grants_for(user)
            if grant.organization_id is not None and grant.role.has(permission)
        }
    )


def emailable_users_by_organization(organization_ids, permission: Permission) -> dict:
    """{organization id: [user, ...]}: the active members of each organization whose role
    there grants `permission` and who have an email address, each user once, in id order
    (for notices by email: stale listings, referral arrivals)."""
    from django.contrib.auth import get_user_model

    from cairn.access.models import Membership

    roles = [key for key, role in ROLES.items() if role.has(Permission(permission))]
    memberships = sorted(
        set(  # a user in two such roles there is emailed once
            Membership.objects.filter(
                organization_id__in=list(organization_ids), role__in=roles, user__is_active=True
            )
            .exclude(user__email="")
            .values_list("organization_id", "user_id")
        )
    )
    users = get_user_model().objects.in_bulk({user_id for _, user_id in memberships})
    found: dict[int, list] = {}
    for organization_id, user_id in memberships:
        found.setdefault(organization_id, []).append(users[user_id])
    return found


def data_tier_for(user: User, jurisdiction: Jurisdiction | None = None) -> DataTier | None:
    """The most detailed tier the user may see for a place; AGGREGATE for the public.

    None means the user is signed in but may see nothing there.
    """
    grants = grants_for(user)
    if not grants:
        return None if getattr(user, "is_authenticated", False) else DataTier.AGGREGATE
    tiers = [g.role.data_tier for g in grants if jurisdiction is None or g.covers(jurisdiction)]
    return max(tiers) if tiers else None


def _coverage_filter(paths: Iterable[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path=path) | Q(path__startswith=path + "/")
    return condition


def jurisdictions_visible_to(user: User) -> QuerySet[Jurisdiction]:
    """Every jurisdiction the user may open (each covered one and everything inside it)."""
    grants = [g for g in grants_for(user) if g.role.has(Permission.VIEW_COMMUNITY)]
    if any(g.wide for g in grants):
        return Jurisdiction.objects.all()
    paths = {path for g in grants for path in g.coverage_paths}
    return Jurisdiction.objects.filter(_coverage_filter(paths))


def communities_visible_to(user: User) -> QuerySet[Jurisdiction]:
    return jurisdictions_visible_to(user).filter(level=Level.COMMUNITY)
