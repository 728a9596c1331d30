"""First-responder quick entry, in the style of ODMAP: one overdose, no name, in seconds.

The web form and the JSON API validate with the same `QuickReportForm` and store with
the same `submit_quick_report`, so both refuse the same things with the same words.
A report carries an idempotency key (a UUID made when the form is shown, or the API's
`Idempotency-Key`): sending it again returns the first report instead of a second.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django import forms
from django.db import IntegrityError
from django.db.models import Q, QuerySet
from django.utils import timezone

from cairn.access.permissions import grants_for
from cairn.access.roles import Permission
from cairn.geography.models import Jurisdiction, Level
from cairn.geography.placement import place
from cairn.surveillance.intake.pipeline import Outcome, accept_record
from cairn.surveillance.intake.records import IncomingRecord
from cairn.surveillance.models import Disposition, Event, IntakeFormat, Source

SUBSTANCES = [
    ("fentanyl", "Fentanyl"),
    ("opioid_other", "Other opioids"),
    ("stimulant", "Stimulants"),
    ("benzodiazepine", "Benzodiazepines"),
    ("alcohol", "Alcohol"),
    ("unknown", "Unknown"),
]

# What the responder saw, and the Event disposition it is stored as. A refused
# transport is what EMS calls "refused against medical advice".
OUTCOMES = [
    ("treated_on_scene", "Treated on scene", Disposition.TREATED_ON_SCENE),
    ("transported", "Transported to hospital", Disposition.TRANSPORTED),
    ("refused_transport", "Refused transport", Disposition.LEFT_AGAINST_ADVICE),
    ("died", "Died", Disposition.DIED),
]
DISPOSITION_BY_OUTCOME = {key: disposition for key, _, disposition in OUTCOMES}

SERVICES = [
    (Source.FIRST_RESPONDER.value, "First responder (fire, police, other)"),
    (Source.PARAMEDIC.value, "Paramedic service"),
]

MAX_NALOXONE_DOSES = 10
OLDEST_REPORT = dt.timedelta(days=365)
CLOCK_SKEW = dt.timedelta(minutes=10)
REPORT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,99}$")


def communities_for_reporting(user) -> QuerySet[Jurisdiction]:
    """Communities the user may report from: those their SUBMIT_REPORTS roles cover."""
    grants = [g for g in grants_for(user) if g.role.has(Permission.SUBMIT_REPORTS)]
    communities = Jurisdiction.objects.filter(level=Level.COMMUNITY).defer("boundary")
    if any(g.wide for g in grants):
        return communities.order_by("name")
    covered = Q(pk__in=[])
    for path in {p for g in grants for p in g.coverage_paths}:
        covered |= Q(path=path) | Q(path__startswith=path + "/")
    return communities.filter(covered).order_by("name")


class QuickReportForm(forms.Form):
    report_id = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": "This report has no id; reload the form and try again."},
    )
    occurred_at = forms.DateTimeField(
        label="Date and time",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Give the date and time of the overdose.",
            "invalid": "Enter a date and time like 2026-11-25 22:30.",
        },
    )
    reporting_service = forms.ChoiceField(
        label="Reporting service",
        choices=SERVICES,
        initial=Source.FIRST_RESPONDER.value,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your service."},
    )
    community = forms.CharField(label="Community", required=False)
    latitude = forms.FloatField(
        required=False,
        min_value=-90,
        max_value=90,
        error_messages={"invalid": "Latitude is a number between -90 and 90."},
    )
    longitude = forms.FloatField(
        required=False,
        min_value=-180,
        max_value=180,
        error_messages={"invalid": "Longitude is a number between -180 and 180."},
    )
    fatal = forms.TypedChoiceField(
        label="Was it fatal?",
        choices=[("false", "Non-fatal"), ("true", "Fatal")],
        coerce=lambda value: value in (True, "true", "True", "1"),
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the overdose was fatal."},
    )
    naloxone_doses = forms.IntegerField(
        label="Naloxone doses given",
        min_value=0,
        max_value=MAX_NALOXONE_DOSES,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Give the number of naloxone doses (0 if none).",
            "invalid": "Give the number of naloxone doses as a whole number.",
            "min_value": "Naloxone doses cannot be negative.",
            "max_value": f"Naloxone doses are at most {MAX_NALOXONE_DOSES}.",
        },
    )
    substances = forms.MultipleChoiceField(
        label="Suspected substances",
        choices=SUBSTANCES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_substance = forms.CharField(label="Other substance", required=False, max_length=100)
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[(key, label) for key, label, _ in OUTCOMES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened to the person."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.covered = {c.code: c for c in communities_for_reporting(user)}
        self.placement_note = ""

    def community_choices(self) -> list[tuple[str, str]]:
        return [(code, c.name) for code, c in self.covered.items()]

    def clean_report_id(self) -> str:
        value = self.cleaned_data["report_id"].strip()
        if not REPORT_ID_PATTERN.match(value):
            raise forms.ValidationError(
                "The report id must be 8 to 100 letters, digits, '.', '_', ':' or '-'."
            )
        return value

    def clean_occurred_at(self) -> dt.datetime:
        value = self.cleaned_data["occurred_at"]
        now = timezone.now()
        if value > now + CLOCK_SKEW:
            raise forms.ValidationError("The date and time is in the future.")
        if value < now - OLDEST_REPORT:
            raise forms.ValidationError(
                "The date and time is more than a year ago; public health takes older "
                "reports by CSV upload."
            )
        return value

    def clean_community(self) -> str:
        code = self.cleaned_data["community"].strip()
        if code and code not in self.covered:
            known = Jurisdiction.objects.filter(level=Level.COMMUNITY, code=code).first()
            if known is None:
                raise forms.ValidationError(f"There is no community with the code {code!r}.")
            raise forms.ValidationError(
                f"Your organization does not cover {known.name}, so you cannot report "
                "overdoses there."
            )
        return code

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        point_errors = self.has_error("latitude") or self.has_error("longitude")
        if (latitude is None) != (longitude is None) and not point_errors:
            self.add_error("latitude", "Give both latitude and longitude, or neither.")
            point_errors = True
        has_point = latitude is not None and longitude is not None
        if not (
            cleaned.get("community") or has_point or point_errors or self.has_error("community")
        ):
            self.add_error(
                "community", "Choose the community, or use your location for a map point."
            )
        if has_point and not cleaned.get("community"):
            self._check_point(latitude, longitude)
        if cleaned.get("outcome") == "died" and cleaned.get("fatal") is False:
            self.add_error("fatal", "The person died, so the overdose was fatal: choose Fatal.")
        return cleaned

    def _check_point(self, latitude: float, longitude: float) -> None:
        placement = place(longitude=longitude, latitude=latitude)
        if not placement.is_known:
            self.placement_note = (
                "The map point is outside every community boundary, so the report is counted "
                "under “unknown place”."
            )
            return
        if not any(c.pk == placement.community_id for c in self.covered.values()):
            community = Jurisdiction.objects.defer("boundary").get(pk=placement.community_id)
            self.add_error(
                "latitude",
                f"That point is in {community.name}, which your organization does not cover, "
                "so you cannot report overdoses there.",
            )


@dataclass(frozen=True)
class SubmittedReport:
    status: str  # "created" or "duplicate" (or "unchanged"/"updated", never for a new key)
    event_id: int
    report_id: str
    community_name: str  # "" when the place is unknown
    note: str


def record_for_report(cleaned: dict, *, note: str = "") -> IncomingRecord:
    substances = list(cleaned.get("substances") or [])
    other = (cleaned.get("other_substance") or "").strip()
    if other:
        substances.append(f"other:{other}")
    key = cleaned["report_id"]
    doses = cleaned["naloxone_doses"]
    # The classification reads the chief complaint; say what the responder saw in words.
    described = [s for s in substances if s != "unknown"]
    complaint = "Suspected overdose attended by first responders"
    if doses:
        complaint += f"; naloxone given x{doses}"
    if described:
        complaint += "; suspected " + ", ".join(s.removeprefix("other:") for s in described)
    return IncomingRecord(
        source=cleaned["reporting_service"],
        format=IntakeFormat.FORM,
        dedup_key=f"fr:{key}",
        message_key=f"form:{key}",
        occurred_at=cleaned["occurred_at"],
        source_record_id=key,
        chief_complaint=complaint,
        disposition=DISPOSITION_BY_OUTCOME[cleaned["outcome"]],
        fatal=cleaned["fatal"],
        naloxone_doses=doses,
        suspected_substances=substances,
        community_code=cleaned.get("community") or "",
        latitude=cleaned.get("latitude"),
        longitude=cleaned.get("longitude"),
        revision_reason=f"quick entry {key}"[:200],
    )


def submit_quick_report(*, user, form: QuickReportForm) -> SubmittedReport:
    """Store a valid form's report once; the same report id again returns the first one."""
    record = record_for_report(form.cleaned_data)
    try:
        outcome = accept_record(record, actor=user)
    except IntegrityError:
        # The same report arrived twice at once (a double tap): the other one won.
        outcome = accept_record(record, actor=user)
    return _submitted(outcome, report_id=record.source_record_id, note=form.placement_note)


def _submitted(outcome: Outcome, *, report_id: str, note: str) -> SubmittedReport:
    event = Event.objects.select_related("community").defer("community__boundary")
    event = event.get(pk=outcome.event_id)
    if event.community is None and not note:
        note = "The place is not in any community, so the report is counted under “unknown place”."
    return SubmittedReport(
        status=outcome.status,
        event_id=event.pk,
        report_id=report_id,
        community_name=event.community.name if event.community else "",
        note=note,
    )
