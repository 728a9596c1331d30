"""Submitting a response through the public page: one per invitation, never two.

`load_invitation(token)` finds what the page shows. `submit_response(...)` checks every
answer (each problem names its question), then, in one transaction, marks the
invitation used on that day only if it was not (one UPDATE that locks its row) and
stores the response and its answers with their scores. A double click sends two
requests: the second waits for the first's lock, then finds the invitation used, so it
is told the survey was already answered and nothing is stored twice.

Nothing ties the response to the invitation or to anyone: no foreign key either way,
no address, no time of day (the day only), and a random key for the response.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cairn.campaigns.models.surveys import (
    Answer,
    Design,
    Invitation,
    Response,
    ResponseGroup,
    ResponseSource,
    Survey,
    SurveyWave,
)
from cairn.campaigns.surveys.scoring import rule_for, score_with_rule

EXPOSURE_ANSWERS = {
    "yes": ResponseGroup.EXPOSED,
    "no": ResponseGroup.UNEXPOSED,
    "not_sure": ResponseGroup.NOT_ASKED,
}
EXPOSURE_CHOICES = [("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")]
NO_SEGMENT = "prefer_not"


class InvitationUnknown(Exception):
    pass


class AlreadyAnswered(Exception):
    pass


class SurveyClosed(Exception):
    pass


class AnswerProblems(Exception):
    """`problems`: (field name, message naming the question) in the page's order."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


@dataclass
class Sheet:
    """What the public page shows for a token."""

    invitation: Invitation
    wave: SurveyWave
    survey: Survey
    items: list
    options: list

    @property
    def used(self) -> bool:
        return self.invitation.used_on is not None


_SHEET_PARTS: dict = {}


def _items_and_options(survey: Survey):
    instrument = survey.instrument
    key = (instrument.pk, instrument.updated_at)
    parts = _SHEET_PARTS.get(key)
    if parts is None:
        if len(_SHEET_PARTS) > 500:
            _SHEET_PARTS.clear()
        parts = _SHEET_PARTS[key] = (
            list(instrument.items.order_by("position")),
            list(instrument.options.order_by("value")),
        )
    return parts


def load_invitation(token: str) -> Sheet:
    try:
        invitation = Invitation.objects.select_related("wave__survey__instrument").get(
            token=(token or "")[:64]
        )
    except Invitation.DoesNotExist:
        raise InvitationUnknown from None
    survey = invitation.wave.survey
    items, options = _items_and_options(survey)
    return Sheet(invitation, invitation.wave, survey, items, options)


def check_answers(sheet: Sheet, data) -> tuple[dict[str, int | None], str, str]:
    """({item code: value or None}, group, segment), or AnswerProblems naming each
    question. Any question may be skipped (None); the exposure question, which decides
    the group compared, is answered (Yes, No or Not sure)."""
    problems = []
    if data.get("consent") != "yes":
        problems.append(("consent", "Please confirm that you agree to take part."))
    allowed = {option.value for option in sheet.options}
    answers = {}
    for number, item in enumerate(sheet.items, start=1):
        raw = (data.get(item.code) or "").strip()
        label = f"Question {number} (“{_short(item.wording)}”)"
        if not raw:  # skipped, or "Prefer not to answer": the scoring's minimums decide
            answers[item.code] = None
            continue
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value not in allowed:
            problems.append((item.code, f"{label}: choose one of the answers shown."))
            continue
        answers[item.code] = value
    if sheet.items and not problems and all(value is None for value in answers.values()):
        problems.append(
            ("__all__", "Answer at least one question, or close this page to leave the survey.")
        )
    group = ResponseGroup.NOT_ASKED
    if sheet.survey.design == Design.EXPOSED_UNEXPOSED:
        exposure = (data.get("exposure") or "").strip()
        if exposure not in EXPOSURE_ANSWERS:
            problems.append(
                ("exposure", f"“{sheet.survey.exposure_question}”: choose Yes, No or Not sure.")
            )
        else:
            group = EXPOSURE_ANSWERS[exposure]
    segment = ""
    if sheet.survey.segment_question:
        chosen = (data.get("segment") or "").strip()
        if chosen and chosen != NO_SEGMENT and chosen not in sheet.survey.segment_labels:
            problems.append(
                ("segment", f"“{sheet.survey.segment_question}”: choose one of the answers shown.")
            )
        elif chosen != NO_SEGMENT:
            segment = chosen
    if problems:
        raise AnswerProblems(problems)
    return answers, group, segment


def _short(text: str, length: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def submit_response(sheet: Sheet, data) -> Response:
    """Store the answers of the sheet's invitation; AlreadyAnswered, SurveyClosed or
    AnswerProblems when refused."""
    if sheet.used:
        raise AlreadyAnswered
    if not sheet.wave.is_open():
        raise SurveyClosed
    answers, group, segment = check_answers(sheet, data)
    rule = rule_for(sheet.survey.instrument)
    total, scores = score_with_rule(rule, answers)
    today = timezone.localdate()
    with transaction.atomic():
        # Claim the invitation first: the update locks its row only, and a second
        # request for the same invitation waits here, then finds it used (0 rows).
        claimed = Invitation.objects.filter(pk=sheet.invitation.pk, used_on__isnull=True).update(
            used_on=today
        )
        if not claimed:
            raise AlreadyAnswered
        response = Response.objects.create(
            survey=sheet.survey,
            wave=sheet.wave,
            group=group,
            segment=segment,
            submitted_on=today,
            source=ResponseSource.WEB,
            total_score=total,
            scores=scores,
        )
        Answer.objects.bulk_create(
            Answer(response=response, item=item, value=answers.get(item.code))
            for item in sheet.items
        )
    return response
