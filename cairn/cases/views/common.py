"""What every case page shares: the care-team check, no caching, and error pages."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache

from cairn.cases.access import InvalidPurpose, Purpose, check_purpose, require_care_team


def care_team_view(view: Callable) -> Callable:
    """Anonymous visitors sign in; anyone not on a care team is refused (403).

    Identifiable pages are never cached, by the browser or anything between. An
    unknown purpose in the address answers 400 with what is accepted.
    """

    @wraps(view)
    def guarded(request, *args, **kwargs):
        require_care_team(request.user)
        try:
            response = view(request, *args, **kwargs)
        except InvalidPurpose as error:
            response = problem(request, str(error))
        patch_vary_headers(response, ["HX-Request"])
        return response

    return login_required(never_cache(guarded))


def problem(request, message: str, *, status: int = 400):
    """A page that says what was wrong with the request; nothing was changed."""
    return render(request, "cases/problem.html", {"message": message}, status=status)


def purpose_from(request, default: str = Purpose.CARE) -> str:
    return check_purpose(request.GET.get("purpose") or default)
