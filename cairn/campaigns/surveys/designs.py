"""Surveys of a campaign: create one with its design and waves, add a wave, find one.

Designs and the waves they start with:
- pre/post: "Before the campaign" (pre) and "After the campaign" (post);
- exposed vs not exposed: one wave ("After the campaign"); the exposure question
  places each respondent in the exposed or the unexposed group;
- repeated waves: "Wave 1" (more added as the campaign runs).

Access is the campaign's (`cairn.campaigns.access.get_campaign_for`): whoever may see
the campaign sees its surveys; whoever may manage it manages them.
"""

import re

from django.db import transaction
from django.http import Http404

from cairn.access.audit import record_audit_event
from cairn.campaigns.access import get_campaign_for
from cairn.campaigns.models.campaigns import Campaign
from cairn.campaigns.models.surveys import Design, Instrument, Survey, SurveyWave
from cairn.campaigns.surveys.instruments import instruments_for, readiness_problems

STARTING_WAVES = {
    Design.PRE_POST: [("pre", "Before the campaign"), ("post", "After the campaign")],
    Design.EXPOSED_UNEXPOSED: [("post", "After the campaign")],
    Design.WAVES: [("wave_1", "Wave 1")],
}
KEY = re.compile(r"^[a-z0-9_]{1,30}$")
DEFAULT_CONSENT = (
    "This short survey asks what you think about drug use and the people who use drugs. "
    "It is anonymous: we do not ask your name, and your answers cannot be traced back to "
    "you. Taking part is voluntary; you may stop at any time. It takes about 3 minutes."
)
DEFAULT_EXPOSURE_QUESTION = "In the last month, did you see or hear this campaign?"


class SurveyError(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


def get_survey_for(user, survey_id, *, manage: bool = False) -> Survey:
    """The survey if the user may see its campaign (404), and with `manage` change it (403)."""
    try:
        survey = Survey.objects.select_related("instrument", "campaign").get(pk=int(survey_id))
    except (Survey.DoesNotExist, TypeError, ValueError):
        raise Http404("No such survey.") from None
    get_campaign_for(user, survey.campaign_id, manage=manage)
    return survey


def parse_segment_choices(text: str) -> tuple[list[list[str]], list[tuple[str, str]]]:
    """ "key | label" per line → [[key, label], ...], and problems naming the line."""
    choices, problems, keys = [], [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        key, _, label = (part.strip() for part in line.partition("|"))
        if not KEY.match(key) or not label:
            problems.append(
                (
                    "segment_choices",
                    f"Segment answers, line {number}: write “key | label”; the key uses "
                    "lower-case letters, digits and _.",
                )
            )
        elif key in keys:
            problems.append(
                ("segment_choices", f"Segment answers, line {number}: “{key}” is used twice.")
            )
        else:
            keys.add(key)
            choices.append([key, label])
    return choices, problems


def check_survey(
    *, user, campaign: Campaign, data: dict, instrument: Instrument | None
) -> list[tuple[str, str]]:
    problems = []
    if not (data.get("title") or "").strip():
        problems.append(("title", "Give the survey a title (respondents see it)."))
    if data.get("design") not in Design.values:
        problems.append(("design", "Choose a design: pre/post, exposed vs not, or waves."))
    if not (data.get("consent_text") or "").strip():
        problems.append(("consent_text", "Write the consent text respondents read first."))
    if instrument is None:
        problems.append(("instrument", "Choose an instrument."))
    elif not instruments_for(user).filter(pk=instrument.pk).exists():
        problems.append(("instrument", "Choose one of your organization's instruments."))
    else:
        for message in readiness_problems(instrument):
            problems.append(("instrument", f"{instrument.name}: {message}"))
    if data.get("segment_question") and not data.get("segment_choices"):
        problems.append(("segment_choices", "List the answers to the segment question."))
    if data.get("segment_choices") and not data.get("segment_question"):
        problems.append(("segment_question", "Write the segment question for these answers."))
    if data.get("design") == Design.EXPOSED_UNEXPOSED and not data.get("exposure_question"):
        problems.append(
            ("exposure_question", "Exposed vs not exposed needs the exposure question.")
        )
    return problems


def create_survey(*, user, campaign: Campaign, data: dict, instrument: Instrument | None) -> Survey:
    problems = check_survey(user=user, campaign=campaign, data=data, instrument=instrument)
    if problems:
        raise SurveyError(problems)
    design = data["design"]
    with transaction.atomic():
        survey = Survey.objects.create(
            campaign=campaign,
            instrument=instrument,
            title=data["title"].strip(),
            design=design,
            consent_text=data["consent_text"].strip(),
            segment_question=(data.get("segment_question") or "").strip(),
            segment_choices=data.get("segment_choices") or [],
            exposure_question=(data.get("exposure_question") or "").strip()
            if design == Design.EXPOSED_UNEXPOSED
            else "",
            created_by=user,
        )
        SurveyWave.objects.bulk_create(
            SurveyWave(survey=survey, key=key, label=label, position=position)
            for position, (key, label) in enumerate(STARTING_WAVES[design], start=1)
        )
        record_audit_event(
            actor=user,
            action="campaigns.survey_created",
            target=survey,
            summary=f"Survey {survey.title} for {campaign.name}",
        )
    return survey


def update_survey(*, user, survey: Survey, data: dict) -> Survey:
    """Change what respondents read: title, consent text, the segment and exposure
    questions. The design and instrument stay (responses were collected with them); a
    segment answer that responses already gave cannot be removed."""
    problems = []
    if not (data.get("title") or "").strip():
        problems.append(("title", "Give the survey a title (respondents see it)."))
    if not (data.get("consent_text") or "").strip():
        problems.append(("consent_text", "Write the consent text respondents read first."))
    choices = data.get("segment_choices") or []
    if data.get("segment_question") and not choices:
        problems.append(("segment_choices", "List the answers to the segment question."))
    if choices and not data.get("segment_question"):
        problems.append(("segment_question", "Write the segment question for these answers."))
    if survey.design == Design.EXPOSED_UNEXPOSED and not data.get("exposure_question"):
        problems.append(
            ("exposure_question", "Exposed vs not exposed needs the exposure question.")
        )
    kept = {key for key, _ in choices}
    used = set(survey.responses.exclude(segment="").values_list("segment", flat=True).distinct())
    if used - kept:
        problems.append(
            (
                "segment_choices",
                "Responses already gave the segment answer "
                + ", ".join(sorted(used - kept))
                + "; keep it (its label may change).",
            )
        )
    if problems:
        raise SurveyError(problems)
    with transaction.atomic():
        survey.title = data["title"].strip()
        survey.consent_text = data["consent_text"].strip()
        survey.segment_question = (data.get("segment_question") or "").strip()
        survey.segment_choices = choices
        if survey.design == Design.EXPOSED_UNEXPOSED:
            survey.exposure_question = data["exposure_question"].strip()
        survey.save()
        record_audit_event(
            actor=user,
            action="campaigns.survey_changed",
            target=survey,
            summary=f"Survey {survey.title}",
        )
    return survey


def add_wave(*, user, survey: Survey, label: str = "", opens_on=None, closes_on=None):
    """The next wave of a repeated-waves survey ("Wave 2", "Wave 3"...)."""
    if survey.design != Design.WAVES:
        raise SurveyError([("design", "Only a repeated-waves survey takes more waves.")])
    if opens_on and closes_on and closes_on < opens_on:
        raise SurveyError([("closes_on", "The wave closes before it opens.")])
    with transaction.atomic():
        position = survey.waves.count() + 1
        wave = SurveyWave.objects.create(
            survey=survey,
            key=f"wave_{position}",
            label=(label or "").strip() or f"Wave {position}",
            position=position,
            opens_on=opens_on,
            closes_on=closes_on,
        )
        record_audit_event(
            actor=user,
            action="campaigns.survey_wave_added",
            target=wave,
            summary=f"{wave.label} of {survey.title}",
        )
    return wave


def set_wave_dates(*, user, wave: SurveyWave, opens_on, closes_on) -> SurveyWave:
    if opens_on and closes_on and closes_on < opens_on:
        raise SurveyError([("closes_on", "The wave closes before it opens.")])
    with transaction.atomic():
        wave.opens_on, wave.closes_on = opens_on, closes_on
        wave.save(update_fields=["opens_on", "closes_on"])
        record_audit_event(
            actor=user,
            action="campaigns.survey_wave_dates",
            target=wave,
            summary=f"{wave.label}: {opens_on or '—'} to {closes_on or '—'}",
        )
    return wave
