"""What every case page shares: the care-team check, no caching, and error pages."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache

from cairn.cases.access import (
    InvalidPurpose,
    Purpose,
    check_purpose,
    get_client_for_user,
    require_care_team,
)


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


def write_on_record(
    request,
    client_id,
    write: Callable,
    *,
    render_section: Callable,
    page: str,
    missing: type[Exception],
    refused: type[Exception],
    form: str,
    item_id=None,
):
    """A care-team write on one person's record, as every case section does it.

    Opens the record for care (the read is audited) and runs `write(client)`. An item
    that is not there answers 404; refused input re-renders the section with the error
    on its field and what was posted (400). After the write, htmx gets the section
    again and a plain form post is redirected to the section's page (`page`).
    `render_section(request, client, *, errors, form, item_id, posted, status)` renders
    the section.
    """
    client = get_client_for_user(request.user, client_id, purpose=Purpose.CARE)
    try:
        write(client)
    except missing as error:
        return problem(request, str(error), status=404)
    except refused as error:
        return render_section(
            request,
            client,
            errors={error.field: str(error)},
            form=form,
            item_id=item_id,
            posted=request.POST,
            status=400,
        )
    if request.htmx:
        return render_section(request, client)
    return redirect(page, client_id=client.pk)
