"""Acute risk assessment pages: the instrument form with the person's history, and one
assessment with the reason and evidence for every point.

The person's record is always opened through `get_client_for_user` (audited).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from cairn.cases.access import Purpose, get_client_for_user
from cairn.cases.assessment import records
from cairn.cases.models.assessments import RiskAssessment
from cairn.cases.views.common import care_team_view, purpose_from


def _episode_of(client, value: str):
    if not value:
        return None
    try:
        return client.episodes.get(pk=int(value))
    except (ValueError, client.episodes.model.DoesNotExist):
        raise records.AssessmentError(
            f"Episode {value!r} is not an episode of this person."
        ) from None


def _form_context(request, client, *, answers=None, error="", status_note=""):
    row = records.current_instrument()
    instrument = records.parsed(row)
    return {
        "client": client,
        "instrument": instrument,
        "instrument_row": row,
        "answers": answers or {},
        "error": error,
        "history": records.history_for(client),
        "episodes": list(client.episodes.all()),
        "chosen_episode": request.POST.get("episode") or request.GET.get("episode", ""),
        "tier_labels": {t.key: t.label for t in instrument.tiers},
    }


@care_team_view
def assessments(request, client_id):
    client = get_client_for_user(request.user, client_id, purpose=purpose_from(request))
    if request.method != "POST":
        return render(request, "cases/assessments/assessments.html", _form_context(request, client))
    instrument = records.parsed(records.current_instrument())
    answers = {item.key: request.POST.get(item.key, "") for item in instrument.items}
    try:
        episode = _episode_of(client, request.POST.get("episode", ""))
        assessment = records.record_assessment(
            actor=request.user,
            client=client,
            episode=episode,
            answers=answers,
            note=request.POST.get("note", ""),
        )
    except records.AssessmentError as error:
        context = _form_context(request, client, answers=answers, error=str(error))
        return render(request, "cases/assessments/assessments.html", context, status=400)
    messages.success(request, f"Assessment recorded: {assessment.get_tier_display()} tier.")
    return redirect("cases:assessment_detail", assessment_id=assessment.pk)


@care_team_view
def assessment_detail(request, assessment_id):
    try:
        client_id = RiskAssessment.objects.values_list("client_id", flat=True).get(
            pk=int(assessment_id)
        )
    except (ValueError, RiskAssessment.DoesNotExist):
        raise Http404("No assessment with this number.") from None
    client = get_client_for_user(request.user, client_id, purpose=Purpose.CARE)
    assessment = RiskAssessment.objects.select_related("instrument", "episode").get(
        pk=int(assessment_id)
    )
    instrument = records.parsed(assessment.instrument)
    context = {
        "client": client,
        "assessment": assessment,
        "instrument": instrument,
        "sources": instrument.sources,
        "tier": instrument.tier(assessment.tier),
        "points_tier": instrument.tier(assessment.points_tier),
        "raised_by": [
            line for line in assessment.lines if line["item"] in set(assessment.raised_by)
        ],
    }
    return render(request, "cases/assessments/assessment_detail.html", context)
