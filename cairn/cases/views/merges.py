"""Merging two records of one person, side by side, and undoing a merge.

Both records are opened through `get_client_for_user` with the purpose
"duplicate review", so the merge page leaves an audit event for each.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cairn.cases import actions, matching, queries
from cairn.cases.access import (
    Purpose,
    clients_visible_to,
    get_client_for_user,
    record_client_list_read,
)
from cairn.cases.forms import MergeForm, ReasonForm, SearchForm
from cairn.cases.models import ClientMerge
from cairn.cases.views.common import care_team_view, problem


def _side(client) -> dict:
    return {
        "client": client,
        "names": queries.names_in_order(client.names.all()),
        "identifiers": list(client.identifiers.all()),
        "contacts": list(client.contacts.filter(active=True)),
        "episodes": list(client.episodes.select_related("community")),
    }


@care_team_view
def client_merge(request, client_id):
    client = get_client_for_user(request.user, client_id, purpose=Purpose.DUPLICATE_REVIEW)
    other_id = request.POST.get("other") or request.GET.get("other")
    if not other_id:
        if request.method == "POST":
            return problem(request, "Choose the other record to merge with.")
        return _choose_other(request, client)
    other = get_client_for_user(request.user, other_id, purpose=Purpose.DUPLICATE_REVIEW)
    if request.method != "POST":
        return _review(request, client, other, MergeForm(initial={"other": other.pk}))
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _review(request, client, other, form, status=400)
    survivor, merged = (client, other) if form.cleaned_data["keep"] == "this" else (other, client)
    try:
        merge = actions.merge_clients(
            actor=request.user,
            survivor=survivor,
            merged=merged,
            reason=form.cleaned_data["reason"],
            consent_method=form.cleaned_data.get("consent_method") or "",
            consent_note=form.cleaned_data.get("consent_note") or "",
        )
    except actions.CaseActionError as error:
        form.add_error(None, str(error))
        return _review(request, client, other, form, status=409)
    messages.success(
        request, f"Record {merge.merged_id} was merged into this record; its history is kept."
    )
    return redirect("cases:client_detail", client_id=merge.survivor_id)


def _review(request, client, other, form, status: int = 200):
    if other.pk == client.pk:
        return problem(request, "A record cannot be merged into itself.")
    score = matching.score(queries.details_of(client), queries.details_of(other))
    context = {
        "client": client,
        "other": other,
        "this_side": _side(client),
        "other_side": _side(other),
        "score": score,
        "form": form,
        "needs_consent": client.identity_status != other.identity_status,
    }
    return render(request, "cases/merge.html", context, status=status)


def _choose_other(request, client):
    """Possible duplicates of this record, and a search for any other."""
    candidates = queries.find_candidates(
        request.user, queries.details_of(client), exclude=[client.pk]
    ).candidates
    search = SearchForm(request.GET or None)
    results = []
    if (
        search.is_bound
        and search.is_valid()
        and (search.cleaned_data["q"] or search.cleaned_data["born"])
    ):
        try:
            terms = queries.parse_search(
                search.cleaned_data["q"], date_of_birth=search.cleaned_data["born"]
            )
            results = [
                c
                for c in queries.search_clients(request.user, terms).candidates
                if c.client.pk != client.pk
            ]
        except queries.SearchError as error:
            search.add_error("q", str(error))
    shown = [c.client.pk for c in candidates + results]
    if shown:
        record_client_list_read(
            request.user, shown, purpose=Purpose.DUPLICATE_REVIEW, what="duplicate_check"
        )
    context = {"client": client, "candidates": candidates, "results": results, "search": search}
    return render(request, "cases/merge_choose.html", context)


@care_team_view
@require_POST
def merge_undo(request, merge_id):
    visible = clients_visible_to(request.user)
    merge = get_object_or_404(
        ClientMerge.objects.filter(survivor__in=visible, merged__in=visible), pk=merge_id
    )
    survivor = get_client_for_user(
        request.user, merge.survivor_id, purpose=Purpose.DUPLICATE_REVIEW
    )
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return problem(request, "Say why the merge is being undone.")
    try:
        actions.undo_merge(actor=request.user, merge=merge, reason=form.cleaned_data["reason"])
    except actions.CaseActionError as error:
        return problem(request, str(error), status=409)
    messages.success(request, f"The merge was undone: record {merge.merged_id} is separate again.")
    return redirect("cases:client_detail", client_id=survivor.pk)
