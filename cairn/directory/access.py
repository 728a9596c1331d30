"""Who may do what with the directory: the one place that decides.

Reading the directory is public: anyone, signed in or not, may search it and open a
listing. Changing a listing (its details, its capacity, its confirmation) is for:
- the owning organization: members whose role grants MANAGE_LISTINGS in the
  organization that is the listing's `provider.partner`;
- curators: MANAGE_DIRECTORY (administrators), for every listing.
A listing without an owning organization can be kept only by curators.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cairn.access.permissions import User, has_permission, organizations_where
from cairn.access.roles import Permission
from cairn.directory.models import Service


def is_curator(user: User) -> bool:
    return has_permission(user, Permission.MANAGE_DIRECTORY)


def listing_organizations(user: User) -> list[int]:
    """The organizations whose listings the user keeps (MANAGE_LISTINGS)."""
    return organizations_where(user, Permission.MANAGE_LISTINGS)


def may_keep_listings(user: User) -> bool:
    """May the user keep any listing at all (pages of "Your listings")."""
    return is_curator(user) or bool(listing_organizations(user))


def may_manage_listing(user: User, service: Service) -> bool:
    if is_curator(user):
        return True
    partner_id = service.provider.partner_id
    return partner_id is not None and partner_id in listing_organizations(user)


def require_listing_keeper(user: User) -> None:
    if not may_keep_listings(user):
        raise PermissionDenied("Only an owning organization's listing keepers and curators.")


def get_service_for_keeper(user: User, service_id: int) -> Service:
    """The listing to change: 403 for people who keep no listings, 404 if there is no
    such listing, 403 if it belongs to another organization."""
    require_listing_keeper(user)
    service = Service.objects.select_related("provider__partner").filter(pk=service_id).first()
    if service is None:
        raise Http404("No such listing.")
    if not may_manage_listing(user, service):
        raise PermissionDenied("This listing belongs to another organization.")
    return service


def services_kept_by(user: User) -> QuerySet[Service]:
    """Every listing the user may keep: all of them for a curator."""
    services = Service.objects.select_related("provider__partner")
    if is_curator(user):
        return services
    return services.filter(provider__partner_id__in=listing_organizations(user))


def acting_organization_id(user: User, service: Service) -> int | None:
    """The owning organization the user acts for on this listing, or None for a curator."""
    partner_id = service.provider.partner_id
    if partner_id is not None and partner_id in listing_organizations(user):
        return partner_id
    return None
