"""Navigation shown in the base layout, built from what the user may see."""

from cairn.access.permissions import roles_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"cairn_roles": []}
    return {"cairn_roles": roles_of(user)}
