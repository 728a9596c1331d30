"""Supporters: the care team's page to link supporters and record or revoke the
person's consent; and the supporter's own view of the people they support.

Care-team views open the record through `get_client_for_user` (audited) and write
through `cairn.cases.supporters`. Supporter views open it only through
`get_client_for_supporter`, which decides from the consents in force what is shown
and audits the read; police and municipal members are refused (403).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.cases import supporters
from cairn.cases.access import (
    Purpose,
    get_client_for_supporter,
    get_client_for_user,
    record_client_list_read,
    require_supporter_access,
    supporter_links_for,
)
from cairn.cases.forms import new_idempotency_key
from cairn.cases.models import ConsentMethod, ContactMethod
from cairn.cases.models.supporters import ConsentPurpose, SupporterRelationship
from cairn.cases.views.common import care_team_view, purpose_from, write_on_record


def supporter_view(view: Callable) -> Callable:
    """Anonymous visitors sign in; police and municipal members are refused (403)."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        require_supporter_access(request.user)
        return view(request, *args, **kwargs)

    return login_required(never_cache(guarded))


def _render(request, client, *, errors=None, form="", item_id=None, posted=None, status=200):
    context = {
        "client": client,
        "active": not client.is_merged,
        "supporters": supporters.supporters_for(client),
        "errors": errors or {},
        "failed_form": form,
        "failed_id": item_id,
        "posted": posted or {},
        "relationships": SupporterRelationship.choices,
        "contact_methods": ContactMethod.choices,
        "consent_methods": ConsentMethod.choices,
        "purposes": ConsentPurpose.choices,
        "key_supporter": new_idempotency_key(),
    }
    template = (
        "cases/supporters/_supporters.htmx.html" if request.htmx else "cases/supporters/page.html"
    )
    return render(request, template, context, status=status)


def _write(request, client_id, form: str, write, item_id=None):
    return write_on_record(
        request,
        client_id,
        write,
        render_section=_render,
        page="cases:supporters",
        missing=supporters.SupporterMissing,
        refused=supporters.SupporterError,
        form=form,
        item_id=item_id,
    )


@care_team_view
@require_http_methods(["GET", "POST"])
def supporters_page(request, client_id):
    if request.method == "GET":
        client = get_client_for_user(request.user, client_id, purpose=purpose_from(request))
        return _render(request, client)
    return _write(
        request,
        client_id,
        "supporter",
        lambda client: supporters.add_supporter(
            actor=request.user,
            client=client,
            name=request.POST.get("name", ""),
            relationship=request.POST.get("relationship", ""),
            contact_method=request.POST.get("contact_method", ""),
            contact_value=request.POST.get("contact_value", ""),
            username=request.POST.get("username", ""),
            note=request.POST.get("note", ""),
            idempotency_key=request.POST.get("idempotency_key", ""),
        ),
    )


@care_team_view
@require_POST
def supporter_consent_add(request, client_id, supporter_id):
    return _write(
        request,
        client_id,
        "consent",
        lambda client: supporters.record_consent(
            actor=request.user,
            client=client,
            supporter_id=supporter_id,
            purpose=request.POST.get("purpose", ""),
            method=request.POST.get("method", ""),
            note=request.POST.get("note", ""),
        ),
        item_id=supporter_id,
    )


@care_team_view
@require_POST
def supporter_consent_revoke(request, client_id, supporter_id, consent_id):
    return _write(
        request,
        client_id,
        "revoke",
        lambda client: supporters.revoke_consent(
            actor=request.user,
            client=client,
            supporter_id=supporter_id,
            consent_id=consent_id,
            reason=request.POST.get("reason", ""),
        ),
        item_id=consent_id,
    )


@care_team_view
@require_POST
def supporter_end(request, client_id, supporter_id):
    return _write(
        request,
        client_id,
        "end",
        lambda client: supporters.end_link(
            actor=request.user,
            client=client,
            supporter_id=supporter_id,
            reason=request.POST.get("reason", ""),
        ),
        item_id=supporter_id,
    )


# The supporter's own view -------------------------------------------------------------


@supporter_view
@require_GET
def supporting_list(request):
    links = list(supporter_links_for(request.user))
    if links:
        record_client_list_read(
            request.user,
            [s.client_id for s in links],
            purpose=Purpose.SUPPORTING,
            what="supporting",
        )
    return render(request, "cases/supporters/supporting_list.html", {"links": links})


@supporter_view
@require_GET
def supporting_detail(request, client_id):
    view = get_client_for_supporter(request.user, client_id, purpose=Purpose.SUPPORTING)
    return render(
        request,
        "cases/supporters/supporting_detail.html",
        {"view": supporters.supporter_view_content(view)},
    )
