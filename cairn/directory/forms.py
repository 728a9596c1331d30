"""Forms of the directory pages: the public search, and the keepers' edit, capacity
and confirm forms. Bad input comes back with the field named, never an error page."""

import uuid

from django import forms

from cairn.directory.models import ServiceStatus
from cairn.directory.models.capacity import CapacityKind
from cairn.directory.taxonomy import SERVICE_TYPES

DISTANCE_CHOICES = [
    ("", "Any distance"),
    ("2", "Within 2 km"),
    ("5", "Within 5 km"),
    ("10", "Within 10 km"),
    ("25", "Within 25 km"),
    ("50", "Within 50 km"),
    ("100", "Within 100 km"),
]


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class SearchForm(forms.Form):
    q = forms.CharField(label="Words", required=False, max_length=200)
    type = forms.MultipleChoiceField(
        label="Type of service",
        required=False,
        choices=[(code, name) for code, name, _ in SERVICE_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )
    community = forms.ChoiceField(label="Community", required=False)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    km = forms.ChoiceField(label="Distance", required=False, choices=DISTANCE_CHOICES)
    open = forms.BooleanField(label="Open now", required=False)
    # Any ISO 639 code is accepted (the list offered is cached, and may lag behind).
    lang = forms.CharField(label="Language", required=False, max_length=35, widget=forms.Select)
    page = forms.IntegerField(
        required=False, min_value=1, max_value=10_000, widget=forms.HiddenInput
    )

    def __init__(self, *args, communities=(), languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", "Anywhere in BC"), *communities]
        self.fields["lang"].widget.choices = [("", "Any language"), *languages]

    def clean(self):
        data = super().clean()
        has_lat, has_lon = data.get("lat") is not None, data.get("lon") is not None
        if has_lat != has_lon:
            self.add_error("lat", "Give both latitude and longitude, or neither.")
        if data.get("km") and not (has_lat and has_lon) and not data.get("community"):
            self.add_error(
                "km", "A distance needs your location: use “Use my location” or pick a community."
            )
        return data


class ListingForm(forms.Form):
    name = forms.CharField(max_length=300)
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    eligibility_description = forms.CharField(
        label="Who it is for",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minimum_age = forms.IntegerField(
        label="Minimum age", required=False, min_value=0, max_value=120
    )
    maximum_age = forms.IntegerField(
        label="Maximum age", required=False, min_value=0, max_value=120
    )
    fees_description = forms.CharField(
        label="Cost", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    application_process = forms.CharField(
        label="How to get in",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    url = forms.CharField(label="Web address", required=False, max_length=500)
    email = forms.CharField(label="Email", required=False, max_length=254)
    status = forms.ChoiceField(choices=ServiceStatus.choices)
    confirm = forms.BooleanField(
        label="Everything on this listing is correct today (confirm it)",
        required=False,
        initial=True,
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput)

    EDITABLE = (
        "name",
        "description",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "fees_description",
        "application_process",
        "url",
        "email",
        "status",
    )

    def listing_data(self) -> dict:
        return {field: self.cleaned_data.get(field) for field in self.EDITABLE}


class CapacityForm(forms.Form):
    kind = forms.ChoiceField(choices=CapacityKind.choices)
    label = forms.CharField(label="What is counted (for “Other”)", required=False, max_length=100)
    available = forms.IntegerField(
        label="How many free now", required=False, min_value=0, max_value=100_000
    )
    is_available = forms.ChoiceField(
        label="Available today",
        required=False,
        choices=[("", "—"), ("yes", "Yes"), ("no", "No")],
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput)
