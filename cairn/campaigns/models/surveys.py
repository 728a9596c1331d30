"""Survey instruments as data, surveys with their design and waves, invitations, responses.

An instrument is data entered by the user: items (with the licensed wording the user
enters), one response scale (options), reverse-scored items, subscales and a total,
each scored by mean or sum with a minimum number of answered items. Cairn ships the
structure of validated stigma scales (their wording is copyrighted) and one sample
open instrument of its own (`cairn.campaigns.surveys.catalogue`).

A survey asks one instrument within a campaign, with a design (pre/post, exposed vs not
exposed, repeated waves) and waves. Invitations carry the tokens of the public page.

Responses are never linked to a person: no user, no invitation, no address, no time of
day. The invitation is marked used in the same transaction as the response is stored,
but nothing points from one to the other; a response keeps only the day it arrived,
and its key is random so the order of arrival cannot be read from it either.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.access.models import Organization
from cairn.campaigns.models.campaigns import Campaign

__all__ = [
    "Answer",
    "Design",
    "Instrument",
    "InstrumentItem",
    "Invitation",
    "Response",
    "ResponseGroup",
    "ResponseOption",
    "ResponseSource",
    "Scoring",
    "Subscale",
    "Survey",
    "SurveyImport",
    "SurveyWave",
]


class Scoring(models.TextChoices):
    MEAN = "mean", "Mean of the answered items"
    SUM = "sum", "Sum of the items (prorated when some are unanswered)"


class Instrument(models.Model):
    """A questionnaire: items on one response scale, subscales, and an optional total."""

    name = models.CharField(max_length=200)
    abbreviation = models.CharField(
        max_length=30,
        blank=True,
        help_text="The catalogue abbreviation (PSAS, OMS-HC...) when built from a validated scale.",
    )
    description = models.TextField(blank=True, help_text="What it measures, and how to read it.")
    source_note = models.TextField(
        blank=True,
        help_text="Citation and licence: where the wording comes from and who may use it.",
    )
    higher_means = models.CharField(
        max_length=200,
        blank=True,
        help_text='How to read a higher score, e.g. "more stigmatizing attitudes".',
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_instruments",
        help_text="The organization that entered it; empty for the instrument Cairn ships.",
    )
    shipped_key = models.CharField(
        max_length=40,
        blank=True,
        help_text="Set on the instrument Cairn ships (read-only; copy it to change it).",
    )
    total_scoring = models.CharField(
        max_length=10, choices=Scoring.choices, blank=True, help_text="Empty: no total score."
    )
    total_min_answered = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Items that must be answered for a total; empty means every item.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipped_key"],
                condition=~models.Q(shipped_key=""),
                name="instrument_shipped_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    @property
    def is_shipped(self) -> bool:
        return bool(self.shipped_key)


class ResponseOption(models.Model):
    """One point of the instrument's response scale, e.g. 1 = "Strongly disagree"."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="options")
    value = models.SmallIntegerField()
    label = models.CharField(max_length=100)

    class Meta:
        ordering = ["instrument", "value"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "value"], name="option_value_once")
        ]

    def __str__(self) -> str:
        return f"{self.value} = {self.label}"


class InstrumentItem(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(
        max_length=30, help_text="Short and stable: the CSV import's column name (e.g. q1)."
    )
    position = models.PositiveSmallIntegerField()
    wording = models.TextField(
        blank=True,
        help_text="The question as respondents read it (licensed wording for validated scales).",
    )
    reverse_scored = models.BooleanField(default=False)

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="item_code_once"),
        ]

    def __str__(self) -> str:
        return self.code


class Subscale(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="subscales")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    scoring = models.CharField(max_length=10, choices=Scoring.choices, default=Scoring.MEAN)
    min_answered = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Items that must be answered; empty means every item."
    )
    items = models.ManyToManyField(InstrumentItem, related_name="subscales")

    class Meta:
        ordering = ["instrument", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="subscale_key_once")
        ]

    def __str__(self) -> str:
        return self.name


class Design(models.TextChoices):
    PRE_POST = "pre_post", "Before and after the campaign (pre/post)"
    EXPOSED_UNEXPOSED = "exposed_unexposed", "Saw the campaign vs did not (exposed/unexposed)"
    WAVES = "waves", "Repeated waves (tracking)"


def _new_salt() -> str:
    return secrets.token_hex(16)


class Survey(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="surveys")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(max_length=200, help_text="What respondents see as the heading.")
    design = models.CharField(max_length=20, choices=Design.choices)
    consent_text = models.TextField(
        help_text="Shown first: what the survey is for, that it is anonymous and voluntary."
    )
    segment_question = models.CharField(
        max_length=200,
        blank=True,
        help_text="Optional: a question that places the respondent in an audience segment.",
    )
    segment_choices = models.JSONField(
        default=list,
        blank=True,
        help_text='[[key, label], ...] answers to the segment question, e.g. [["family", "..."]].',
    )
    exposure_question = models.CharField(
        max_length=200,
        blank=True,
        help_text="Exposed/unexposed designs: e.g. "
        '"In the last month, did you see or hear this campaign?" (yes = exposed).',
    )
    panel_salt = models.CharField(
        max_length=32,
        default=_new_salt,
        editable=False,
        help_text="Secret mixed into the hash of survey-panel ids (never shown).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["campaign", "created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def segment_labels(self) -> dict[str, str]:
        return {key: label for key, label in self.segment_choices}


class SurveyWave(models.Model):
    """When a survey is asked: "pre" and "post", or wave 1, 2, 3..."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="waves")
    key = models.SlugField(max_length=30)
    label = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="wave_key_once"),
        ]

    def __str__(self) -> str:
        return self.label

    def is_open(self, on=None) -> bool:
        on = on or timezone.localdate()
        if self.opens_on and on < self.opens_on:
            return False
        return not (self.closes_on and on > self.closes_on)


class Invitation(models.Model):
    """One token, one response. Nothing points from a response back to its invitation;
    `used_on` keeps the day only, so the time of use cannot be matched to a response."""

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True)
    batch = models.PositiveIntegerField(help_text="Invitations made together share a batch.")
    created_at = models.DateTimeField(default=timezone.now)
    used_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["wave", "batch", "pk"]
        indexes = [models.Index(fields=["wave", "batch"])]

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.wave})"


class ResponseGroup(models.TextChoices):
    EXPOSED = "exposed", "Saw the campaign"
    UNEXPOSED = "unexposed", "Did not see the campaign"
    NOT_ASKED = "", "Not asked"


class ResponseSource(models.TextChoices):
    WEB = "web", "Public survey page"
    CSV = "csv", "Survey-panel CSV"


class SurveyImport(models.Model):
    """One upload of survey-panel data: what it added, what it refused and why."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    rows_read = models.PositiveIntegerField(default=0)
    rows_added = models.PositiveIntegerField(default=0)
    rows_already_imported = models.PositiveIntegerField(default=0)
    rows_refused = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text='[{"line": 3, "column": "q2", "message": "..."}]'
    )

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d})"


class Response(models.Model):
    """One anonymous answer sheet, scored when stored.

    What the evaluation reads: `wave`, `group`, `segment`, `panel_key` (pairs one panel
    member's pre and post), `total_score` and `scores` ({subscale key: score or None}).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    wave = models.ForeignKey(SurveyWave, on_delete=models.PROTECT, related_name="responses")
    group = models.CharField(
        max_length=10, choices=ResponseGroup.choices, blank=True, default=ResponseGroup.NOT_ASKED
    )
    segment = models.CharField(max_length=40, blank=True, help_text="A segment choice key.")
    submitted_on = models.DateField(help_text="The day only, never the time.")
    source = models.CharField(max_length=5, choices=ResponseSource.choices)
    panel_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="A hash of the survey panel's respondent id (CSV only), to pair waves.",
    )
    import_batch = models.ForeignKey(
        SurveyImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    dedup_key = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="CSV rows: a hash of survey, panel id and wave (or of the row), so a "
        "re-import adds nothing twice.",
    )
    total_score = models.FloatField(null=True, blank=True)
    scores = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["survey", "wave"]),
            models.Index(fields=["survey", "panel_key"]),
        ]

    def __str__(self) -> str:
        return f"response to {self.survey_id} ({self.wave_id})"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(InstrumentItem, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True, help_text="Empty: not answered.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}={self.value}"
