"""The four groups: a person's group with the approaches and supports it proposes (a
partial for the case page), and the editable catalogue."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cairn.cases.access import Purpose, get_client_for_user
from cairn.cases.assessment import groups, records
from cairn.cases.followups import clock_summary_for
from cairn.cases.models.groups import CareGroup, GroupSupport, SupportKind
from cairn.cases.views.common import care_team_view, problem, purpose_from


def care_summary(client) -> dict:
    """Context for `cases/groups/_care_summary.htmx.html`: the latest risk tier, the
    group and its proposed approaches and supports, and the follow-up clocks."""
    group = groups.current_group(client)
    return {
        "client": client,
        "group": group,
        "group_label": CareGroup(group).label,
        "groups": CareGroup.choices,
        "placements": list(client.group_placements.all()[:5]),
        "proposals": groups.proposals_for(group),
        "latest_assessment": records.latest_assessment(client),
        "follow_ups": clock_summary_for(client),
    }


@care_team_view
def client_care(request, client_id):
    """GET: the care summary (a partial under htmx, else a page); POST: place the person
    in a group."""
    purpose = purpose_from(request) if request.method != "POST" else Purpose.CARE
    client = get_client_for_user(request.user, client_id, purpose=purpose)
    status = 200
    if request.method == "POST":
        try:
            groups.place_client(
                actor=request.user,
                client=client,
                group=request.POST.get("group", ""),
                note=request.POST.get("note", ""),
            )
        except groups.GroupError as error:
            if not request.htmx:
                return problem(request, str(error))
            messages.error(request, str(error))
            status = 400
        else:
            if not request.htmx:
                return redirect("cases:client_care", client_id=client.pk)
    template = "cases/groups/_care_summary.htmx.html" if request.htmx else "cases/groups/care.html"
    return render(request, template, care_summary(client), status=status)


@care_team_view
def group_catalogue(request):
    groups.seed_group_catalogue()
    status = 200
    error = ""
    if request.method == "POST":
        try:
            groups.save_support(
                actor=request.user,
                group=request.POST.get("group", ""),
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                basis=request.POST.get("basis", ""),
            )
        except groups.GroupError as error_:
            error, status = str(error_), 400
        else:
            messages.success(request, "Added to the catalogue.")
            return redirect("cases:group_catalogue")
    supports = list(GroupSupport.objects.all())
    catalogue = [
        (key, label, [s for s in supports if s.group == key])
        for key, label in CareGroup.choices
        if key != CareGroup.NOT_ASSESSED
    ]
    context = {
        "catalogue": catalogue,
        "groups": [c for c in CareGroup.choices if c[0] != CareGroup.NOT_ASSESSED],
        "kinds": SupportKind.choices,
        "error": error,
    }
    return render(request, "cases/groups/catalogue.html", context, status=status)


@care_team_view
@require_POST
def group_support_edit(request, support_id):
    support = GroupSupport.objects.filter(pk=support_id).first()
    if support is None:
        return problem(request, "No catalogue entry with this number.", status=404)
    try:
        groups.save_support(
            actor=request.user,
            support=support,
            group=request.POST.get("group", support.group),
            kind=request.POST.get("kind", support.kind),
            title=request.POST.get("title", support.title),
            description=request.POST.get("description", support.description),
            basis=request.POST.get("basis", support.basis),
            active=request.POST.get("active", "1") not in ("0", "false", ""),
        )
    except groups.GroupError as error:
        return problem(request, str(error))
    messages.success(request, "Catalogue entry saved.")
    return redirect("cases:group_catalogue")
