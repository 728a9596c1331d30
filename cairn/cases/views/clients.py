"""Client pages: search, a new record with its duplicate check, the case page and its forms.

Every client is fetched through `get_client_for_user`, which audits the read.
Lists that show several people (search results, duplicate candidates) are audited
as one list read.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.cases import actions, queries
from cairn.cases.access import (
    Purpose,
    care_team_communities,
    get_client_for_user,
    record_client_list_read,
)
from cairn.cases.forms import (
    ClientForm,
    ContactForm,
    DetailsForm,
    DuplicateCheckForm,
    EpisodeForm,
    IdentityLinkForm,
    NameForm,
    SearchForm,
    new_idempotency_key,
)
from cairn.cases.models import ClientHolding, RecordStatus
from cairn.cases.views.common import care_team_view, purpose_from
from cairn.cases.views.groups import care_summary

# Search ------------------------------------------------------------------------------


@care_team_view
def client_search(request):
    form = SearchForm(request.GET or None)
    context = {"form": form, "searched": False, "result": None, "error": ""}
    if form.is_bound and form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["born"]):
        try:
            terms = queries.parse_search(
                form.cleaned_data["q"], date_of_birth=form.cleaned_data["born"]
            )
        except queries.SearchError as error:
            context["error"] = str(error)
        else:
            result = queries.search_clients(request.user, terms)
            if result.candidates:
                record_client_list_read(
                    request.user,
                    [c.client.pk for c in result.candidates],
                    purpose=Purpose.FINDING_PERSON,
                    what="search",
                )
            context.update(searched=True, result=result, terms=terms)
    status = 400 if (form.is_bound and not form.is_valid()) or context["error"] else 200
    template = "cases/_search_results.htmx.html" if request.htmx else "cases/client_search.html"
    return render(request, template, context, status=200 if request.htmx else status)


# A new client ------------------------------------------------------------------------


@care_team_view
def client_create(request):
    communities = care_team_communities(request.user)
    if request.method != "POST":
        form = ClientForm(
            initial={
                "idempotency_key": new_idempotency_key(),
                "given_name": request.GET.get("name", ""),
            },
            communities=communities,
        )
        return render(request, "cases/client_form.html", {"form": form})
    form = ClientForm(request.POST, communities=communities)
    if not form.is_valid():
        return render(request, "cases/client_form.html", {"form": form}, status=400)
    different = (
        form.cleaned_data["different_from"] if form.cleaned_data["confirmed_different"] else []
    )
    try:
        created = actions.create_client(
            actor=request.user,
            details=form.to_input(source="entered by the care team"),
            idempotency_key=form.cleaned_data.get("idempotency_key") or "",
            different_from=different,
        )
    except actions.PossibleDuplicates as duplicates:
        record_client_list_read(
            request.user,
            [c.client.pk for c in duplicates.candidates],
            purpose=Purpose.DUPLICATE_REVIEW,
            what="duplicate_check",
        )
        data = request.POST.copy()
        data["different_from"] = " ".join(str(c.client.pk) for c in duplicates.candidates)
        data["confirmed_different"] = ""
        form = ClientForm(data, communities=communities)
        form.is_valid()
        context = {"form": form, "duplicates": duplicates, "candidates": duplicates.candidates}
        return render(request, "cases/client_form.html", context, status=409)
    except actions.CaseActionError as error:
        form.add_error(None, str(error))
        return render(request, "cases/client_form.html", {"form": form}, status=400)
    if created.created:
        messages.success(request, f"Record created for {created.client.display_name}.")
    return redirect("cases:client_detail", client_id=created.client.pk)


@care_team_view
@require_POST
def duplicate_check(request):
    """While the new-record form is filled in: who on record may be this person (htmx)."""
    form = DuplicateCheckForm(request.POST, communities=care_team_communities(request.user))
    form.is_valid()  # fields with errors are left out; the rest is checked
    person = form.to_input().person()
    candidates = []
    # A date of birth alone is shared by dozens of people in a province: wait for a name.
    if person.names or person.health_numbers:
        candidates = queries.find_candidates(request.user, person).candidates
    if candidates:
        record_client_list_read(
            request.user,
            [c.client.pk for c in candidates],
            purpose=Purpose.DUPLICATE_REVIEW,
            what="duplicate_check",
        )
    return render(
        request, "cases/_duplicates.htmx.html", {"candidates": candidates, "checked": True}
    )


# The case page -----------------------------------------------------------------------


def _detail_context(request, client, **forms) -> dict:
    communities = care_team_communities(request.user)
    episodes = queries.episodes_of(client)
    care = care_summary(client)  # the risk, group and follow-up partial, included server-side
    clocks = {f.episode_id: f for f in care["follow_ups"]}
    for episode in episodes:
        episode.clock = clocks.get(episode.pk)
    return {
        **care,
        "on_case_page": True,
        "client": client,
        "names": queries.names_in_order(client.names.all()),
        "identifiers": list(client.identifiers.all()),
        "contacts": list(client.contacts.filter(active=True)),
        "holdings": ClientHolding.objects.filter(client=client).select_related("organization"),
        "episodes": episodes,
        "timeline": queries.timeline_for(client, episodes),
        "access_log": queries.access_log_for(client),
        "merges": queries.merges_for(client),
        "age": client.age_on(timezone.localdate()),
        "name_form": forms.get("name_form") or NameForm(),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "details_form": forms.get("details_form")
        or DetailsForm(
            initial={
                "sex": client.sex,
                "gender": client.gender,
                "housing_status": client.housing_status,
                "safe_contact_notes": client.safe_contact_notes,
                "community": client.home_community.code if client.home_community else "",
            },
            communities=communities,
        ),
        "active": client.status == RecordStatus.ACTIVE,
    }


@care_team_view
def client_detail(request, client_id):
    client = get_client_for_user(request.user, client_id, purpose=purpose_from(request))
    return render(request, "cases/client_detail.html", _detail_context(request, client))


def _section(request, client, template: str, status: int = 200, **forms):
    """After an htmx form: the section again; without htmx: back to the page."""
    if request.htmx:
        return render(request, template, _detail_context(request, client, **forms), status=200)
    if status != 200:
        return render(
            request,
            "cases/client_detail.html",
            _detail_context(request, client, **forms),
            status=status,
        )
    return redirect("cases:client_detail", client_id=client.pk)


@care_team_view
@require_POST
def client_add_name(request, client_id):
    client = get_client_for_user(request.user, client_id, purpose=Purpose.CARE)
    form = NameForm(request.POST)
    if not form.is_valid():
        return _section(request, client, "cases/_names.htmx.html", 400, name_form=form)
    try:
        actions.add_name(
            actor=request.user,
            client=client,
            kind=form.cleaned_data["kind"],
            given_name=form.cleaned_data["given_name"],
            family_name=form.cleaned_data.get("family_name") or "",
            source="entered by the care team",
        )
    except actions.CaseActionError as error:
        form.add_error(None, str(error))
        return _section(request, client, "cases/_names.htmx.html", 409, name_form=form)
    return _section(request, client, "cases/_names.htmx.html")


@care_team_view
@require_POST
def client_add_contact(request, client_id):
    client = get_client_for_user(request.user, client_id, purpose=Purpose.CARE)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _section(request, client, "cases/_contacts.htmx.html", 400, contact_form=form)
    try:
        actions.add_contact(actor=request.user, client=client, contact=form.to_input())
    except actions.CaseActionError as error:
        form.add_error(None, str(error))
        return _section(request, client, "cases/_contacts.htmx.html", 409, contact_form=form)
    return _section(request, client, "cases/_contacts.htmx.html")


@care_team_view
@require_POST
def client_update(request, client_id):
    client = get_client_for_user(request.user, client_id, purpose=Purpose.CARE)
    form = DetailsForm(request.POST, communities=care_team_communities(request.user))
    if not form.is_valid():
        return _section(request, client, "cases/_details.htmx.html", 400, details_form=form)
    try:
        actions.update_client(actor=request.user, client=client, **form.changes())
    except actions.CaseActionError as error:
        form.add_error(None, str(error))
        return _section(request, client, "cases/_details.htmx.html", 409, details_form=form)
    return _section(request, client, "cases/_details.htmx.html")


@care_team_view
def client_link_identity(request, client_id):
    client = get_client_for_user(request.user, client_id, purpose=Purpose.CARE)
    if request.method != "POST":
        return render(
            request, "cases/identity_link.html", {"client": client, "form": IdentityLinkForm()}
        )
    form = IdentityLinkForm(request.POST)
    if not form.is_valid():
        return render(
            request, "cases/identity_link.html", {"client": client, "form": form}, status=400
        )
    data = form.cleaned_data
    try:
        actions.link_identity(
            actor=request.user,
            client=client,
            consent_method=data["consent_method"],
            consent_note=data.get("consent_note") or "",
            given_name=data.get("given_name") or "",
            family_name=data.get("family_name") or "",
            date_of_birth=data.get("date_of_birth"),
            health_number=data.get("health_number") or "",
            health_number_kind=data["health_number_kind"],
        )
    except actions.CaseActionError as error:
        form.add_error(None, str(error))
        return render(
            request, "cases/identity_link.html", {"client": client, "form": form}, status=409
        )
    messages.success(request, "Identity linked, with the person's consent recorded.")
    candidates = queries.find_candidates(
        request.user, queries.details_of(client), exclude=[client.pk]
    ).candidates
    if candidates:
        messages.warning(
            request,
            f"{len(candidates)} other record(s) may now be the same person: check them "
            "under “Merge with another record”.",
        )
    return redirect("cases:client_detail", client_id=client.pk)


@care_team_view
def episode_create(request, client_id):
    client = get_client_for_user(request.user, client_id, purpose=Purpose.CARE)
    communities = care_team_communities(request.user)
    if request.method != "POST":
        form = EpisodeForm(
            initial={
                "idempotency_key": new_idempotency_key(),
                "community": client.home_community.code if client.home_community else "",
            },
            communities=communities,
        )
        return render(request, "cases/episode_form.html", {"client": client, "form": form})
    form = EpisodeForm(request.POST, communities=communities)
    if not form.is_valid():
        return render(
            request, "cases/episode_form.html", {"client": client, "form": form}, status=400
        )
    try:
        opened = actions.open_episode(
            actor=request.user,
            client=client,
            occurred_at=form.cleaned_data["occurred_at"],
            community=form.community(),
            summary=form.cleaned_data.get("summary") or "",
            idempotency_key=form.cleaned_data.get("idempotency_key") or "",
        )
    except actions.CaseActionError as error:
        form.add_error(None, str(error))
        return render(
            request, "cases/episode_form.html", {"client": client, "form": form}, status=409
        )
    if opened.created:
        messages.success(request, "Overdose episode recorded.")
    return redirect("cases:client_detail", client_id=client.pk)
