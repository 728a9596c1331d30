"""The worklist of new overdose records, one record's page, and opening a case from it.

The worklist shows de-identified fields only. A record's page reads its identifying
details through `get_source_record_for_user` (audited) and lists the people already
on record who may be the same person (audited as a list read), so the team opens
the case for the right person or creates a new record with the details filled in.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cairn.access.audit import record_audit_event
from cairn.cases import actions, exports, queries
from cairn.cases.access import (
    Purpose,
    care_team_communities,
    get_client_for_user,
    get_source_record_for_user,
    record_client_list_read,
)
from cairn.cases.forms import ClientForm, ReasonForm, new_idempotency_key
from cairn.cases.matching import normalize_health_number
from cairn.cases.models import EpisodeSource, IdentifierKind, SetAside
from cairn.cases.views.common import care_team_view, problem
from cairn.surveillance.models import Event, Source

PAGE_SIZE = 50
DAY_CHOICES = (3, 7, 14, 30, 90)


class _BadFilter(ValueError):
    pass


def _filters(request, communities) -> tuple[str, int, str]:
    """The worklist's filters from the query string: (source, days, community code)."""
    source = request.GET.get("source") or Source.EMERGENCY_DEPARTMENT
    if source not in queries.WORKLIST_SOURCES:
        raise _BadFilter("Choose ED visits (ed) or paramedic reports (paramedic).")
    try:
        days = int(request.GET.get("days") or queries.WORKLIST_DAYS)
    except ValueError:
        raise _BadFilter("The number of days must be a whole number.") from None
    if days not in DAY_CHOICES:
        raise _BadFilter(f"Show the last {', '.join(map(str, DAY_CHOICES))} days.")
    community = request.GET.get("community") or ""
    if community and community not in {c.code for c in communities}:
        raise _BadFilter("That community is not one your care team covers.")
    return source, days, community


@care_team_view
def worklist(request):
    communities = care_team_communities(request.user)
    try:
        source, days, community = _filters(request, communities)
    except _BadFilter as error:
        return problem(request, str(error))
    ids = queries.waiting_ids(request.user, source=source, days=days, community_code=community)
    page = Paginator(ids[: queries.WORKLIST_CAP], PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = worklist_rows(queries.worklist_records(page.object_list))
    context = {
        "page": page,
        "source": source,
        "sources": list(queries.WORKLIST_SOURCES.items()),
        "days": days,
        "day_choices": DAY_CHOICES,
        "community": community,
        "communities": sorted(communities, key=lambda c: c.name),
        "query": _query_without_page(request),
        "more_than_cap": len(ids) > queries.WORKLIST_CAP,
        "cap": queries.WORKLIST_CAP,
    }
    template = "cases/_worklist_table.htmx.html" if request.htmx else "cases/worklist.html"
    return render(request, template, context)


@care_team_view
def worklist_export(request):
    """The records waiting, with the page's filters, as CSV (the de-identified fields the
    page shows, at most the page's cap); the export is audited."""
    communities = care_team_communities(request.user)
    try:
        source, days, community = _filters(request, communities)
    except _BadFilter as error:
        return problem(request, str(error))
    ids = queries.waiting_ids(request.user, source=source, days=days, community_code=community)
    events = queries.worklist_records(ids[: queries.WORKLIST_CAP])
    with transaction.atomic():
        record_audit_event(
            actor=request.user,
            action="cases.worklist.export",
            target_type="surveillance.event",
            summary=f"Exported the case worklist: {len(events)} records ({source}, {days} days"
            f"{', ' + community if community else ''})",
            details={
                "source": source,
                "days": days,
                "community": community,
                "event_ids": [e.pk for e in events],
            },
        )
    response = HttpResponse(exports.worklist_csv(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="cases-worklist-{source}-{stamp}.csv"'
    return response


@dataclass(frozen=True)
class WorklistRow:
    """One worklist line, formatted once here rather than field by field in the template
    (a page of 50 rows spent as long in the template's lookups as in its query)."""

    pk: int
    when: str
    community: str
    facility: str
    age_sex: str
    complaint: str
    disposition: str
    url: str
    label: str


def _labels(field: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in Event._meta.get_field(field).flatchoices}


def worklist_rows(events) -> list[WorklistRow]:
    sexes, dispositions, sources = _labels("sex"), _labels("disposition"), _labels("source")
    record_url = reverse("cases:source_record", args=[0])
    rows = []
    for event in events:
        when = timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M")
        complaint = event.chief_complaint or ""
        if len(complaint) > 80:  # as |truncatechars:80
            complaint = complaint[:79] + "…"
        rows.append(
            WorklistRow(
                pk=event.pk,
                when=when,
                community=event.community.name if event.community_id else "",
                facility=event.facility or "—",
                age_sex=f"{event.age_band}, {sexes.get(event.sex, event.sex).lower()}",
                complaint=complaint or "—",
                disposition=dispositions.get(event.disposition, event.disposition),
                url=record_url.replace("/0/", f"/{event.pk}/"),
                label=f"the {sources.get(event.source, event.source).lower()} of {when}",
            )
        )
    return rows


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# One record --------------------------------------------------------------------------


def _prefilled_form(event, identity, communities) -> ClientForm:
    initial = {
        "idempotency_key": new_idempotency_key(),
        "sex": event.sex if event.sex in ("F", "M", "X") else "U",
        "community": event.community.code if event.community else "",
    }
    if identity is not None:
        number = normalize_health_number(identity.health_number)
        initial.update(
            given_name=identity.given_name,
            family_name=identity.family_name,
            date_of_birth=identity.date_of_birth,
            health_number=number,
            health_number_kind=(
                IdentifierKind.HEALTH_NUMBER
                if len(number) == 10 and number.isdigit()
                else IdentifierKind.OTHER_HEALTH_NUMBER
            ),
            phone=identity.phone,
        )
    return ClientForm(initial=initial, communities=communities)


def _record_context(request, event, identity, *, form=None, duplicates=None) -> dict:
    communities = care_team_communities(request.user)
    if duplicates is not None:
        candidates = duplicates.candidates
    else:
        person = queries.person_from_identity(identity, event)
        candidates = (
            [] if person.is_empty() else queries.find_candidates(request.user, person).candidates
        )
    if candidates:
        record_client_list_read(
            request.user,
            [c.client.pk for c in candidates],
            purpose=Purpose.OPENING_CASE,
            what="duplicate_check",
        )
    shown = " ".join(str(c.client.pk) for c in candidates)
    if form is None:
        form = _prefilled_form(event, identity, communities)
        form.initial["different_from"] = shown
    elif duplicates is not None:
        # Ask again about exactly the records now shown.
        data = form.data.copy()
        data["different_from"], data["confirmed_different"] = shown, ""
        form = ClientForm(data, communities=communities)
        form.is_valid()
    opened = EpisodeSource.objects.filter(event=event).select_related("episode").first()
    return {
        "event": event,
        "identity": identity,
        "candidates": candidates,
        "duplicates": duplicates,
        "form": form,
        "opened": opened,
        "set_aside": SetAside.objects.filter(event=event).first(),
        "set_aside_form": ReasonForm(),
        "now": timezone.now(),
    }


@care_team_view
def source_record(request, event_id):
    event, identity = get_source_record_for_user(
        request.user, event_id, purpose=Purpose.OPENING_CASE
    )
    return render(request, "cases/source_record.html", _record_context(request, event, identity))


@care_team_view
@require_POST
def open_from_record(request, event_id):
    """Open an episode from the record, for a client on record or a new one."""
    event, identity = get_source_record_for_user(
        request.user, event_id, purpose=Purpose.OPENING_CASE
    )
    if request.POST.get("client"):
        client = get_client_for_user(
            request.user, request.POST["client"], purpose=Purpose.OPENING_CASE
        )
        return _open(request, event, client)
    form = ClientForm(request.POST, communities=care_team_communities(request.user))
    if not form.is_valid():
        context = _record_context(request, event, identity, form=form)
        return render(request, "cases/source_record.html", context, status=400)
    different = (
        form.cleaned_data["different_from"] if form.cleaned_data["confirmed_different"] else []
    )
    try:
        created = actions.create_client(
            actor=request.user,
            details=form.to_input(source=f"{event.get_source_display()} {event.pk}"),
            idempotency_key=form.cleaned_data.get("idempotency_key") or "",
            different_from=different,
        )
    except actions.PossibleDuplicates as duplicates:
        context = _record_context(request, event, identity, form=form, duplicates=duplicates)
        return render(request, "cases/source_record.html", context, status=409)
    except actions.CaseActionError as error:
        form.add_error(None, str(error))
        context = _record_context(request, event, identity, form=form)
        return render(request, "cases/source_record.html", context, status=400)
    return _open(request, event, created.client)


def _open(request, event, client):
    try:
        opened = actions.open_episode_from_record(actor=request.user, event=event, client=client)
    except actions.CaseActionError as error:
        return problem(request, str(error), status=409)
    if opened.created:
        messages.success(request, f"Case opened for {client.display_name}.")
    else:
        messages.info(request, "This record was already opened as a case for this person.")
    return redirect(
        reverse("cases:client_detail", args=[client.pk]) + f"#episode-{opened.episode.pk}"
    )


@care_team_view
@require_POST
def set_aside(request, event_id):
    event, identity = get_source_record_for_user(
        request.user, event_id, purpose=Purpose.OPENING_CASE
    )
    form = ReasonForm(request.POST)
    if not form.is_valid():
        context = _record_context(request, event, identity)
        context["set_aside_form"] = form
        return render(request, "cases/source_record.html", context, status=400)
    try:
        actions.set_aside_record(
            actor=request.user, event=event, reason=form.cleaned_data["reason"]
        )
    except actions.CaseActionError as error:
        return problem(request, str(error), status=409)
    messages.success(request, "The record was taken off the worklist.")
    return redirect("cases:worklist")
