"""The choke points through which pages and the API open places for a user."""

from django.core.exceptions import PermissionDenied

from cairn.access.permissions import communities_visible_to, has_permission
from cairn.access.roles import Permission
from cairn.geography.models import Jurisdiction
from cairn.geography.queries import AuthorityGroup, communities_grouped, get_community


def get_community_for_user(user, code: str) -> Jurisdiction:
    """The community with this code, if the user may open it.

    Raises Http404 when no community has the code and PermissionDenied when the
    user's organizations do not cover it (a 403 says "exists, not yours", which is
    acceptable for place names: they are public).
    """
    community = get_community(code)
    if not has_permission(user, Permission.VIEW_COMMUNITY, community):
        raise PermissionDenied(f"Your organizations do not cover {community.name}.")
    return community


def communities_grouped_for(user, *, search: str = "") -> list[AuthorityGroup]:
    """The communities the user may open, by health authority and HSDA."""
    return communities_grouped(communities_visible_to(user), search=search)
