"""The public survey page: no sign-in, the invitation token decides.

GET /survey/<token>/ shows the consent text first; "Start" (GET ?consent=yes) shows
the questions with the consent carried along; POST stores the answers once and
redirects back, where a used invitation says thank you. Errors name each question and
keep every answer given. Pages are small and work without JavaScript on a phone.

Nothing about the visitor is kept: no session, no address, no time of day.
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from cairn.campaigns.surveys import invitations, responses
from cairn.campaigns.surveys.responses import EXPOSURE_CHOICES, NO_SEGMENT


def _questions_context(sheet, data=None, problems=()) -> dict:
    data = data or {}
    problem_for = {}
    for field, message in problems:
        problem_for.setdefault(field, message)
    questions = [
        {
            "number": number,
            "item": item,
            "chosen": (data.get(item.code) or "").strip(),
            "problem": problem_for.get(item.code, ""),
        }
        for number, item in enumerate(sheet.items, start=1)
    ]
    survey = sheet.survey
    return {
        "sheet": sheet,
        "survey": survey,
        "questions": questions,
        "options": sheet.options,
        "problems": list(problems),
        "problem_for": problem_for,
        "exposure_choices": EXPOSURE_CHOICES,
        "exposure": (data.get("exposure") or "").strip(),
        "segment": (data.get("segment") or "").strip(),
        "segment_choices": [*survey.segment_choices, [NO_SEGMENT, "Prefer not to say"]],
        "item_count": len(sheet.items),
    }


@never_cache
@csrf_protect
def answer(request, token):
    try:
        sheet = responses.load_invitation(token)
    except responses.InvitationUnknown:
        return render(request, "campaigns/surveys/public_unknown.html", status=404)
    if sheet.used:
        return render(request, "campaigns/surveys/public_done.html", {"survey": sheet.survey})
    if not sheet.wave.is_open():
        return render(
            request, "campaigns/surveys/public_closed.html", {"survey": sheet.survey}, status=410
        )
    if request.method == "POST":
        try:
            responses.submit_response(sheet, request.POST)
        except responses.AlreadyAnswered:
            return redirect("survey:answer", token=token)
        except responses.SurveyClosed:
            return render(
                request,
                "campaigns/surveys/public_closed.html",
                {"survey": sheet.survey},
                status=410,
            )
        except responses.AnswerProblems as error:
            return render(
                request,
                "campaigns/surveys/public_questions.html",
                _questions_context(sheet, request.POST, error.problems),
                status=400,
            )
        return redirect("survey:answer", token=token)
    if request.GET.get("consent") == "yes":
        return render(request, "campaigns/surveys/public_questions.html", _questions_context(sheet))
    return render(
        request, "campaigns/surveys/public_consent.html", {"sheet": sheet, "survey": sheet.survey}
    )


@never_cache
@csrf_protect
def open_link(request, key):
    """A wave's open link: the consent text, then a fresh invitation for whoever agrees
    (made on the POST, so a link preview or a crawler makes none)."""
    wave = invitations.wave_for_open_link(key)
    if wave is None:
        return render(request, "campaigns/surveys/public_unknown.html", status=404)
    survey = wave.survey
    if not wave.is_open():
        return render(
            request, "campaigns/surveys/public_closed.html", {"survey": survey}, status=410
        )
    if request.method == "POST":
        invitation = invitations.issue_open_invitation(wave)
        return redirect(
            reverse("survey:answer", kwargs={"token": invitation.token}) + "?consent=yes"
        )
    return render(
        request,
        "campaigns/surveys/public_consent.html",
        {"survey": survey, "item_count": survey.instrument.items.count(), "open_link": True},
    )
