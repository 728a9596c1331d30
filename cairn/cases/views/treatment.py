"""Treatment (OAT) pages: a person's episodes, dispensing and missed doses; the CSV
import; the cascade of care.

The person's pages open the record through `get_client_for_user` (care team of a
holding organization only; the read is audited). Writes go through
`cairn.cases.treatment.records`. Under htmx a form answers with the treatment partial
(400 with the field errors when the input is wrong); without htmx, a success redirects
to the page and an error renders the page with 400. The cascade is an aggregate: any
signed-in member with aggregate access sees it for their communities, small counts
suppressed unless they are on the care team of every community counted.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.access.permissions import has_permission
from cairn.access.roles import Permission
from cairn.access.suppression import suppression_threshold
from cairn.cases.access import Purpose, get_client_for_user
from cairn.cases.forms import new_idempotency_key
from cairn.cases.models.treatment import OatDrug, OatEndReason, OatImport
from cairn.cases.treatment import cascade as cascade_queries
from cairn.cases.treatment import importing, records, status
from cairn.cases.views.common import care_team_view, problem, purpose_from, write_on_record

STOP_REASONS = [(k, v) for k, v in OatEndReason.choices if k != OatEndReason.GAP]


def _render(request, client, *, errors=None, form="", item_id=None, posted=None, status_code=200):
    context = {
        "client": client,
        "active": not client.is_merged,
        "errors": errors or {},
        "failed_form": form,
        "failed_id": item_id,
        "posted": posted or {},
        "drugs": OatDrug.choices,
        "stop_reasons": STOP_REASONS,
        "today": timezone.localdate().isoformat(),
        "key_episode": new_idempotency_key(),
        **status.treatment_for(client),
    }
    template = (
        "cases/treatment/_treatment.htmx.html" if request.htmx else "cases/treatment/treatment.html"
    )
    return render(request, template, context, status=status_code)


def _write(request, client_id, form: str, write, item_id=None):
    return write_on_record(
        request,
        client_id,
        write,
        render_section=_render_section,
        page="cases:treatment",
        missing=records.TreatmentItemMissing,
        refused=records.TreatmentError,
        form=form,
        item_id=item_id,
    )


def _render_section(request, client, *, status=200, **kwargs):
    # `status` is this module's name for the treatment status reads.
    return _render(request, client, status_code=status, **kwargs)


@care_team_view
@require_GET
def treatment(request, client_id):
    client = get_client_for_user(request.user, client_id, purpose=purpose_from(request))
    return _render(request, client)


@care_team_view
@require_GET
def treatment_summary(request, client_id):
    """The case page's Treatment section (loaded by htmx)."""
    client = get_client_for_user(request.user, client_id, purpose=Purpose.CARE)
    return render(
        request,
        "cases/treatment/_summary.htmx.html",
        {"client": client, "status": status.status_for(client)},
    )


@care_team_view
@require_POST
def treatment_episode_start(request, client_id):
    return _write(
        request,
        client_id,
        "episode",
        lambda client: records.start_episode(
            actor=request.user,
            client=client,
            drug=request.POST.get("drug", ""),
            started_on=request.POST.get("started_on", ""),
            prescriber=request.POST.get("prescriber", ""),
            pharmacy=request.POST.get("pharmacy", ""),
            note=request.POST.get("note", ""),
            idempotency_key=request.POST.get("idempotency_key", ""),
        ),
    )


@care_team_view
@require_POST
def treatment_episode_stop(request, client_id, episode_id):
    return _write(
        request,
        client_id,
        "stop",
        lambda client: records.stop_episode(
            actor=request.user,
            client=client,
            episode_id=episode_id,
            stopped_on=request.POST.get("stopped_on", ""),
            end_reason=request.POST.get("end_reason", ""),
            note=request.POST.get("note", ""),
        ),
        item_id=episode_id,
    )


@care_team_view
@require_POST
def treatment_dispensing_add(request, client_id):
    return _write(
        request,
        client_id,
        "dispensing",
        lambda client: records.record_dispensing(
            actor=request.user, client=client, data=request.POST.dict()
        ),
    )


@care_team_view
@require_POST
def treatment_missed_dose_add(request, client_id):
    return _write(
        request,
        client_id,
        "missed",
        lambda client: records.record_missed_dose(
            actor=request.user, client=client, data=request.POST.dict()
        ),
    )


@care_team_view
@require_POST
def treatment_diagnosis(request, client_id):
    return _write(
        request,
        client_id,
        "diagnosis",
        lambda client: records.record_diagnosis(
            actor=request.user,
            client=client,
            diagnosed_on=request.POST.get("diagnosed_on", "") or None,
            basis=request.POST.get("basis", ""),
        ),
    )


# Import ------------------------------------------------------------------------------


@care_team_view
@require_http_methods(["GET", "POST"])
def treatment_import(request):
    context = {"columns": importing.COLUMNS, "result": None, "refused": ""}
    context["recent"] = OatImport.objects.filter(uploaded_by=request.user.get_username())[:10]
    if request.method == "GET":
        return render(request, "cases/treatment/import.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["refused"] = "Choose a CSV file to import."
        return render(request, "cases/treatment/import.html", context, status=400)
    try:
        result = importing.import_csv(
            actor=request.user,
            data=upload.read(importing.MAX_BYTES + 1),
            filename=upload.name,
            mapping=request.POST.get("mapping", ""),
        )
    except importing.ImportRefused as error:
        context["refused"] = str(error)
        return render(request, "cases/treatment/import.html", context, status=400)
    context["result"] = result
    context["recent"] = OatImport.objects.filter(uploaded_by=request.user.get_username())[:10]
    return render(request, "cases/treatment/import.html", context, status=200 if result.ok else 400)


# The cascade -------------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def treatment_cascade(request):
    if not has_permission(request.user, Permission.VIEW_AGGREGATES):
        raise PermissionDenied("Your roles do not include aggregate figures.")
    text = (request.GET.get("date") or "").strip()
    today = timezone.localdate()
    as_of = today
    if text:
        try:
            as_of = dt.date.fromisoformat(text)
        except ValueError:
            return problem(request, f"Date: give a date like 2026-01-31 (got {text[:20]!r}).")
        if as_of > today:
            return problem(request, f"Date: {as_of} is in the future.")
    result = cascade_queries.cascade_for(
        request.user, as_of=as_of, community_code=(request.GET.get("community") or "").strip()
    )
    context = {
        "cascade": result,
        "community": request.GET.get("community", ""),
        "threshold": suppression_threshold(),
        "rules": cascade_queries.rules.all_rules(),
    }
    return render(request, "cases/treatment/cascade.html", context)
