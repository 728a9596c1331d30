"""The one authorization check at the top of a view."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from cairn.access.permissions import has_permission
from cairn.access.roles import Permission


def require_permission(permission: Permission) -> Callable:
    """Send anonymous visitors to sign in; refuse (403) members whose roles lack `permission`.

    Checks the permission anywhere; a view that opens one place or record checks
    that place again through its choke point (e.g. `get_community_for_user`).
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not has_permission(request.user, permission):
                raise PermissionDenied("None of your roles gives access to this page.")
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorator
