"""Who may import HSDS into the directory: curators (MANAGE_DIRECTORY). Exports are public,
like the directory itself (no person's data is in it)."""

from django.core.exceptions import PermissionDenied

from cairn.access.permissions import has_permission
from cairn.access.roles import Permission


def may_import_hsds(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and has_permission(
        user, Permission.MANAGE_DIRECTORY
    )


def require_directory_curator(user) -> None:
    if not may_import_hsds(user):
        raise PermissionDenied(
            "Importing into the directory needs the manage_directory permission."
        )
