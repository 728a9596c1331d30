"""`/api/v1/me`: who the signed-in user is, where they work, and what their roles allow."""

from ninja import Router, Schema

from cairn.access.permissions import has_permission, roles_of
from cairn.access.roles import Permission, Role
from cairn.api.errors import ErrorOut
from cairn.api.geography import PlaceOut

router = Router(tags=["access"])


class OrganizationOut(Schema):
    name: str
    slug: str
    sector: str
    roles: list[str]
    coverage: list[PlaceOut]


class RoleOut(Schema):
    key: str
    name: str
    description: str
    data_tier: str
    wide_area: bool
    permissions: list[str]


class MeOut(Schema):
    username: str
    organizations: list[OrganizationOut]
    roles: list[RoleOut]
    permissions: list[str]


def _role_out(role: type[Role]) -> dict:
    return {
        "key": role.key,
        "name": role.name,
        "description": role.description,
        "data_tier": role.data_tier.name.lower(),
        "wide_area": role.wide_area,
        "permissions": [p.value for p in Permission if role.has(p)],
    }


def _organizations_out(user) -> list[dict]:
    organizations: dict[int, dict] = {}
    memberships = user.memberships.select_related("organization").prefetch_related(
        "organization__coverage"
    )
    for membership in memberships:
        organization = membership.organization
        entry = organizations.setdefault(
            organization.pk,
            {
                "name": organization.name,
                "slug": organization.slug,
                "sector": organization.sector,
                "roles": [],
                "coverage": [{"code": j.code, "name": j.name} for j in organization.coverage.all()],
            },
        )
        entry["roles"].append(membership.role)
    return list(organizations.values())


@router.get(
    "/me",
    response={200: MeOut, 401: ErrorOut},
    url_name="me",
    summary="The signed-in user, their organizations, roles and permissions",
)
def me(request):
    # Any signed-in user may read their own roles; authentication is the only check.
    user = request.auth
    return {
        "username": user.get_username(),
        "organizations": _organizations_out(user),
        "roles": [_role_out(role) for role in roles_of(user)],
        "permissions": [p.value for p in Permission if has_permission(user, p)],
    }
