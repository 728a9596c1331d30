"""Survey pages for communications staff: instruments, surveys, invitations, CSV import.

Every page first asks whether the Campaigns area is for this user at all (403), then
finds the instrument or survey through its choke point (404 when not visible, 403 when
visible but not theirs to change). The public page respondents answer is
views/public.py.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cairn.campaigns.access import (
    get_campaign_for,
    may_manage,
    may_plan,
    may_use_campaigns,
    organizations_for_new_campaigns,
)
from cairn.campaigns.models.surveys import Design, Instrument, Scoring, SurveyImport
from cairn.campaigns.surveys import catalogue, designs, importing, invitations
from cairn.campaigns.surveys import instruments as instrument_actions
from cairn.campaigns.surveys.instruments import InstrumentError, Structure


def _gate(view, check, message):
    def guarded(request, *args, **kwargs):
        if not check(request.user):
            raise PermissionDenied(message)
        return view(request, *args, **kwargs)

    guarded.__name__ = view.__name__
    guarded.__doc__ = view.__doc__
    return login_required(never_cache(guarded))


def planners_only(view):
    """Instruments and new surveys: communications staff who plan campaigns."""
    return _gate(view, may_plan, "Only communications staff who plan campaigns manage surveys.")


def campaign_readers(view):
    """A survey's page: whoever the Campaigns area is for; the campaign decides the rest."""
    return _gate(view, may_use_campaigns, "The Campaigns area is for communications staff.")


def _organization_for(user) -> int:
    return organizations_for_new_campaigns(user)[0]


# Instruments ---------------------------------------------------------------------------


@planners_only
def instrument_list(request):
    catalogue.install_sample_instrument()
    rows = instrument_actions.instruments_for(request.user).annotate(
        item_count=Count("items", distinct=True), survey_count=Count("surveys", distinct=True)
    )
    return render(
        request,
        "campaigns/surveys/instrument_list.html",
        {"instruments": rows, "catalogue": catalogue.catalogue()},
    )


def _instrument_context(form: dict, problems, instrument=None) -> dict:
    return {
        "form": form,
        "problems": problems,
        "problem_fields": {field for field, _ in problems},
        "instrument": instrument,
        "scorings": Scoring.choices,
    }


def _form_from_post(post) -> tuple[dict, Structure, list]:
    form = {
        name: post.get(name, "")
        for name in (
            *instrument_actions.INFO_FIELDS,
            "options",
            "items",
            "subscales",
            "total_scoring",
            "total_min_answered",
        )
    }
    structure, problems = instrument_actions.parse_text(
        options=form["options"], items=form["items"], subscales=form["subscales"]
    )
    structure.total_scoring = form["total_scoring"]
    if form["total_min_answered"].strip():
        try:
            structure.total_min_answered = int(form["total_min_answered"])
        except ValueError:
            problems.append(("total_min_answered", "Total: the minimum is a whole number."))
    return form, structure, problems


def _form_from_instrument(instrument: Instrument) -> dict:
    structure = instrument_actions.structure_of(instrument)
    return {
        **{name: getattr(instrument, name) for name in instrument_actions.INFO_FIELDS},
        **instrument_actions.structure_as_text(structure),
        "total_scoring": instrument.total_scoring,
        "total_min_answered": instrument.total_min_answered or "",
    }


def _save(request, *, instrument=None):
    form, structure, problems = _form_from_post(request.POST)
    if not problems:
        try:
            saved = instrument_actions.save_instrument(
                user=request.user,
                info=form,
                structure=structure,
                instrument=instrument,
                organization_id=_organization_for(request.user),
            )
        except InstrumentError as error:
            problems = error.problems
        else:
            messages.success(request, f"Saved {saved.name}.")
            return redirect("campaigns:instrument_detail", instrument_id=saved.pk)
    return render(
        request,
        "campaigns/surveys/instrument_form.html",
        _instrument_context(form, problems, instrument),
        status=400,
    )


@planners_only
def instrument_new(request):
    if request.method == "POST":
        return _save(request)
    form = {
        "options": "1 | Strongly disagree\n2 | Disagree\n3 | Neither agree nor disagree\n"
        "4 | Agree\n5 | Strongly agree",
        "total_scoring": Scoring.MEAN,
    }
    return render(request, "campaigns/surveys/instrument_form.html", _instrument_context(form, []))


@planners_only
@require_POST
def instrument_from_catalogue(request):
    entry = catalogue.catalogue_entry(request.POST.get("scale", ""))
    if entry is None or entry.skeleton is None:
        return HttpResponse(
            "Choose a scale of the catalogue whose structure Cairn knows.", status=400
        )
    instrument = catalogue.start_from_catalogue(
        user=request.user, entry=entry, organization_id=_organization_for(request.user)
    )
    messages.info(request, "Structure added. Enter the licensed wording of each item.")
    return redirect("campaigns:instrument_edit", instrument_id=instrument.pk)


@planners_only
def instrument_detail(request, instrument_id):
    instrument = instrument_actions.get_instrument_for(request.user, instrument_id)
    return render(
        request,
        "campaigns/surveys/instrument_detail.html",
        {
            "instrument": instrument,
            "items": instrument.items.order_by("position"),
            "options": instrument.options.order_by("value"),
            "subscales": instrument.subscales.prefetch_related("items"),
            "may_change": instrument_actions.may_change_instrument(request.user, instrument),
            "has_responses": instrument_actions.has_responses(instrument),
            "readiness": instrument_actions.readiness_problems(instrument),
        },
    )


@planners_only
def instrument_edit(request, instrument_id):
    instrument = instrument_actions.get_instrument_for(request.user, instrument_id)
    if not instrument_actions.may_change_instrument(request.user, instrument):
        raise PermissionDenied(
            "Only the organization that entered this instrument may change it; copy it instead."
        )
    if request.method == "POST":
        return _save(request, instrument=instrument)
    return render(
        request,
        "campaigns/surveys/instrument_form.html",
        _instrument_context(_form_from_instrument(instrument), [], instrument),
    )


@planners_only
@require_POST
def instrument_copy(request, instrument_id):
    instrument = instrument_actions.get_instrument_for(request.user, instrument_id)
    copy = instrument_actions.copy_instrument(
        user=request.user, instrument=instrument, organization_id=_organization_for(request.user)
    )
    messages.success(request, f"Copied as {copy.name}.")
    return redirect("campaigns:instrument_edit", instrument_id=copy.pk)


# Surveys -------------------------------------------------------------------------------


def _survey_form_context(campaign, user, form, problems) -> dict:
    catalogue.install_sample_instrument()
    usable = [
        instrument
        for instrument in instrument_actions.instruments_for(user)
        if not instrument_actions.readiness_problems(instrument)
    ]
    return {
        "campaign": campaign,
        "form": form,
        "problems": problems,
        "problem_fields": {field for field, _ in problems},
        "instruments": usable,
        "designs": Design.choices,
    }


@planners_only
def survey_new(request, campaign_id):
    campaign = get_campaign_for(request.user, campaign_id, manage=True)
    if request.method == "POST":
        form = {
            name: request.POST.get(name, "")
            for name in (
                "title",
                "design",
                "instrument",
                "consent_text",
                "segment_question",
                "segment_choices",
                "exposure_question",
            )
        }
        choices, problems = designs.parse_segment_choices(form["segment_choices"])
        instrument = (
            instrument_actions.instruments_for(request.user).filter(pk=form["instrument"]).first()
            if form["instrument"].isdigit()
            else None
        )
        if not problems:
            try:
                survey = designs.create_survey(
                    user=request.user,
                    campaign=campaign,
                    data={**form, "segment_choices": choices},
                    instrument=instrument,
                )
            except designs.SurveyError as error:
                problems = error.problems
            else:
                messages.success(request, f"Survey “{survey.title}” created.")
                return redirect("campaigns:survey_detail", survey_id=survey.pk)
        return render(
            request,
            "campaigns/surveys/survey_form.html",
            _survey_form_context(campaign, request.user, form, problems),
            status=400,
        )
    form = {
        "title": f"What do you think? ({campaign.name})"[:200],
        "design": Design.PRE_POST,
        "consent_text": designs.DEFAULT_CONSENT,
        "exposure_question": designs.DEFAULT_EXPOSURE_QUESTION,
    }
    return render(
        request,
        "campaigns/surveys/survey_form.html",
        _survey_form_context(campaign, request.user, form, []),
    )


def _survey_page(request, survey, *, problems=(), status=200):
    campaign = survey.campaign
    waves = list(survey.waves.annotate(response_count=Count("responses")))
    counts = (
        survey.responses.values("wave__key", "group", "source")
        .annotate(n=Count("id"))
        .order_by("wave__key", "group", "source")
    )
    return render(
        request,
        "campaigns/surveys/survey_detail.html",
        {
            "survey": survey,
            "campaign": campaign,
            "may_manage": may_manage(request.user, campaign),
            "waves": waves,
            "counts": list(counts),
            "response_total": sum(w.response_count for w in waves),
            "invitation_rows": invitations.invitation_counts(survey),
            "open_links": [
                (
                    wave,
                    request.build_absolute_uri(
                        reverse("survey:open", kwargs={"key": invitations.open_link_key(wave)})
                    ),
                )
                for wave in waves
            ],
            "open_link_batch": invitations.OPEN_LINK_BATCH,
            "imports": survey.imports.all()[:10],
            "problems": list(problems),
            "is_waves": survey.design == Design.WAVES,
            "max_batch": invitations.MAX_BATCH,
        },
        status=status,
    )


SURVEY_TEXT_FIELDS = (
    "title",
    "consent_text",
    "segment_question",
    "segment_choices",
    "exposure_question",
)


@campaign_readers
def survey_edit(request, survey_id):
    survey = designs.get_survey_for(request.user, survey_id, manage=True)
    problems = []
    if request.method == "POST":
        form = {name: request.POST.get(name, "") for name in SURVEY_TEXT_FIELDS}
        choices, problems = designs.parse_segment_choices(form["segment_choices"])
        if not problems:
            try:
                designs.update_survey(
                    user=request.user, survey=survey, data={**form, "segment_choices": choices}
                )
            except designs.SurveyError as error:
                problems = error.problems
            else:
                messages.success(request, "Survey saved.")
                return redirect("campaigns:survey_detail", survey_id=survey.pk)
    else:
        form = {
            **{name: getattr(survey, name) for name in SURVEY_TEXT_FIELDS},
            "segment_choices": "\n".join(f"{k} | {label}" for k, label in survey.segment_choices),
        }
    return render(
        request,
        "campaigns/surveys/survey_edit.html",
        {"survey": survey, "campaign": survey.campaign, "form": form, "problems": problems},
        status=400 if problems else 200,
    )


@campaign_readers
def survey_detail(request, survey_id):
    survey = designs.get_survey_for(request.user, survey_id)
    return _survey_page(request, survey)


@campaign_readers
@require_POST
def survey_wave_add(request, survey_id):
    survey = designs.get_survey_for(request.user, survey_id, manage=True)
    try:
        wave = designs.add_wave(user=request.user, survey=survey, label=request.POST.get("label"))
    except designs.SurveyError as error:
        return _survey_page(request, survey, problems=error.problems, status=400)
    messages.success(request, f"{wave.label} added.")
    return redirect("campaigns:survey_detail", survey_id=survey.pk)


def _day(value: str, label: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise designs.SurveyError([(label, f"Write the {label} day like 2026-03-31.")]) from None


@campaign_readers
@require_POST
def survey_wave_dates(request, survey_id, wave_key):
    survey = designs.get_survey_for(request.user, survey_id, manage=True)
    wave = survey.waves.filter(key=wave_key).first()
    if wave is None:
        raise Http404("No such wave.")
    try:
        designs.set_wave_dates(
            user=request.user,
            wave=wave,
            opens_on=_day(request.POST.get("opens_on"), "opening"),
            closes_on=_day(request.POST.get("closes_on"), "closing"),
        )
    except designs.SurveyError as error:
        return _survey_page(request, survey, problems=error.problems, status=400)
    messages.success(request, f"{wave.label}: dates saved.")
    return redirect("campaigns:survey_detail", survey_id=survey.pk)


@campaign_readers
@require_POST
def survey_invitations(request, survey_id):
    survey = designs.get_survey_for(request.user, survey_id, manage=True)
    try:
        wave = invitations.wave_of(survey, request.POST.get("wave", ""))
        batch = invitations.generate_invitations(
            user=request.user, survey=survey, wave=wave, count=request.POST.get("count")
        )
    except invitations.InvitationError as error:
        return _survey_page(request, survey, problems=[(error.field, str(error))], status=400)
    messages.success(request, f"Batch {batch} made: download its links below.")
    return redirect("campaigns:survey_detail", survey_id=survey.pk)


@campaign_readers
def survey_invitations_csv(request, survey_id):
    survey = designs.get_survey_for(request.user, survey_id, manage=True)
    batch = request.GET.get("batch", "")
    text = invitations.links_csv(
        survey,
        base_url=request.build_absolute_uri("/"),
        batch=int(batch) if batch.isdigit() else None,
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    suffix = f"-batch-{batch}" if batch.isdigit() else ""
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{survey.pk}-invitations{suffix}.csv"'
    )
    return response


@campaign_readers
def survey_import(request, survey_id):
    survey = designs.get_survey_for(request.user, survey_id, manage=True)
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [{"line": 0, "column": "", "message": "Choose a CSV file to import."}]
        else:
            try:
                batch = importing.import_panel_csv(
                    user=request.user, survey=survey, content=upload.read(), file_name=upload.name
                )
            except importing.ImportRefused as error:
                problems = error.problems
            else:
                return redirect("campaigns:survey_import_detail", import_id=batch.pk)
    return render(
        request,
        "campaigns/surveys/survey_import.html",
        {
            "survey": survey,
            "campaign": survey.campaign,
            "problems": problems,
            "columns": importing.KNOWN_COLUMNS,
            "codes": list(survey.instrument.items.values_list("code", flat=True)),
        },
        status=400 if problems else 200,
    )


@campaign_readers
def survey_import_template(request, survey_id):
    survey = designs.get_survey_for(request.user, survey_id)
    response = HttpResponse(importing.template_csv(survey), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-panel.csv"'
    return response


@campaign_readers
def survey_import_detail(request, import_id):
    try:
        batch = SurveyImport.objects.select_related("survey").get(pk=int(import_id))
    except (SurveyImport.DoesNotExist, ValueError):
        raise Http404("No such import.") from None
    survey = designs.get_survey_for(request.user, batch.survey_id, manage=True)
    return render(
        request,
        "campaigns/surveys/survey_import_detail.html",
        {
            "batch": batch,
            "survey": survey,
            "campaign": survey.campaign,
            "survey_url": reverse("campaigns:survey_detail", kwargs={"survey_id": survey.pk}),
        },
    )
