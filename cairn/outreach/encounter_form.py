"""The one validation of an outreach encounter, for the phone form and the JSON API.

Both send the same fields; both are refused with the same words, each naming the
field at fault. The form carries the creation key made when the page was shown
(the API's Idempotency-Key takes its place), so a retried submission is stored once.
"""

import datetime as dt
import re

from django import forms
from django.utils import timezone

from cairn.cases.models.groups import CareGroup
from cairn.outreach.models.encounters import MAX_NALOXONE_KITS

OLDEST_ENCOUNTER = dt.timedelta(days=366)
CREATION_KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,79}$")

#: "1234 Main St", "#5-210 George Street": a house number before a street name and type.
#: The place of an encounter is a park, a corner, a shelter; never where a person lives.
STREET_ADDRESS = re.compile(
    r"(^|[\s,#])\d{1,6}[a-z]?(-\d{1,6})?\s+([\w.'-]+\s+){1,3}"
    r"(st|street|ave|avenue|rd|road|dr|drive|blvd|boulevard|cres|crescent|way|pl|place|"
    r"lane|ln|hwy|highway|court|ct|terrace)\b",
    re.IGNORECASE,
)

GROUP_CHOICES = [
    (CareGroup.NOT_ASSESSED.value, "Not recorded"),
    *[(value, label) for value, label in CareGroup.choices if value != CareGroup.NOT_ASSESSED],
]

PROVIDED = [
    ("naloxone_training", "Naloxone training"),
    ("drug_checking_referral", "Drug-checking referral"),
    ("information", "Information"),
    ("harm_reduction_supplies", "Harm-reduction supplies"),
]
CONNECTIONS = [
    ("connected_to_treatment", "Treatment"),
    ("connected_to_housing", "Housing"),
    ("connected_to_oerc", "A case at the overdose response centre"),
    ("connected_to_other", "Other"),
]

#: Every field the form and the API take, in the order errors are listed.
FIELDS = [
    "creation_key",
    "occurred_on",
    "occurred_at_time",
    "community",
    "latitude",
    "longitude",
    "place_description",
    "group",
    "naloxone_kits",
    *[name for name, _ in PROVIDED],
    *[name for name, _ in CONNECTIONS],
    "connection_note",
    "follow_up_needed",
    "follow_up_note",
]


class EncounterForm(forms.Form):
    creation_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=80,
        error_messages={
            "required": "This form has no creation key; reload the page and enter it again.",
        },
    )
    occurred_on = forms.DateField(
        label="Date",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Give the date of the encounter.",
            "invalid": "Enter the date like 2026-11-25.",
        },
    )
    occurred_at_time = forms.TimeField(
        label="Time (optional)",
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Enter the time like 14:30, or leave it empty."},
    )
    community = forms.CharField(
        label="Community", error_messages={"required": "Choose the community."}
    )
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
    place_description = forms.CharField(
        label="Place (optional)",
        required=False,
        max_length=120,
        help_text="A park, a corner, a shelter. Never a person's address, no names.",
        error_messages={"max_length": "Describe the place in at most 120 characters."},
    )
    group = forms.ChoiceField(
        label="Group",
        choices=GROUP_CHOICES,
        initial=CareGroup.NOT_ASSESSED.value,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the group, or “Not recorded”.",
            "invalid_choice": "Choose one of the groups, or “Not recorded”.",
        },
    )
    naloxone_kits = forms.IntegerField(
        label="Naloxone kits given",
        min_value=0,
        max_value=MAX_NALOXONE_KITS,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Give the number of naloxone kits (0 if none).",
            "invalid": "Give the number of naloxone kits as a whole number.",
            "min_value": "Naloxone kits cannot be fewer than 0.",
            "max_value": f"Naloxone kits are at most {MAX_NALOXONE_KITS} per encounter.",
        },
    )
    naloxone_training = forms.BooleanField(label="Naloxone training", required=False)
    drug_checking_referral = forms.BooleanField(label="Drug-checking referral", required=False)
    information = forms.BooleanField(label="Information", required=False)
    harm_reduction_supplies = forms.BooleanField(label="Harm-reduction supplies", required=False)
    connected_to_treatment = forms.BooleanField(label="Treatment", required=False)
    connected_to_housing = forms.BooleanField(label="Housing", required=False)
    connected_to_oerc = forms.BooleanField(
        label="A case at the overdose response centre", required=False
    )
    connected_to_other = forms.BooleanField(label="Other", required=False)
    connection_note = forms.CharField(
        label="Which connection (optional)",
        required=False,
        max_length=200,
        error_messages={"max_length": "Describe the connection in at most 200 characters."},
    )
    follow_up_needed = forms.BooleanField(label="Follow-up needed", required=False)
    follow_up_note = forms.CharField(
        label="What follow-up",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Describe the follow-up in at most 300 characters."},
    )

    def __init__(self, *args, communities=(), with_key: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.communities = {c.code: c for c in communities}
        if not with_key:  # editing: the encounter exists already
            del self.fields["creation_key"]

    @property
    def community_choices(self) -> list[tuple[str, str]]:
        return sorted(((c.code, c.name) for c in self.communities.values()), key=lambda x: x[1])

    def clean_creation_key(self) -> str:
        key = self.cleaned_data["creation_key"].strip()
        if not CREATION_KEY_PATTERN.match(key):
            raise forms.ValidationError(
                "The creation key is 8 to 80 letters, digits, dots, dashes or colons."
            )
        return key

    def clean_occurred_on(self) -> dt.date:
        day = self.cleaned_data["occurred_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError("The date is in the future; give the day it happened.")
        if day < today - OLDEST_ENCOUNTER:
            raise forms.ValidationError(
                "The date is more than a year ago; encounters are recorded within a year."
            )
        return day

    def clean_community(self):
        code = self.cleaned_data["community"].strip()
        community = self.communities.get(code)
        if community is None:
            raise forms.ValidationError("Choose one of the team's communities.")
        return community

    def clean_place_description(self) -> str:
        text = " ".join(self.cleaned_data["place_description"].split())
        if STREET_ADDRESS.search(text):
            raise forms.ValidationError(
                "This looks like a street address. Describe the place (a park, a corner, "
                "a shelter) without a house number: never record where a person lives."
            )
        return text

    def clean(self):
        data = super().clean()
        one_coordinate = (data.get("latitude") is None) != (data.get("longitude") is None)
        if one_coordinate and not {"latitude", "longitude"} & set(self.errors):
            missing = "longitude" if data.get("longitude") is None else "latitude"
            self.add_error(missing, "Give both latitude and longitude, or neither.")
        if data.get("follow_up_needed") and not (data.get("follow_up_note") or "").strip():
            self.add_error("follow_up_note", "Say what follow-up is needed.")
        if data.get("connected_to_other") and not (data.get("connection_note") or "").strip():
            self.add_error("connection_note", "Say which other connection was made.")
        return data

    def error_list(self) -> list[tuple[str, str]]:
        """(field, message) for every error, in the form's order."""
        order = {name: i for i, name in enumerate(FIELDS)}
        return sorted(
            ((field, message) for field, messages in self.errors.items() for message in messages),
            key=lambda item: order.get(item[0], -1),
        )
