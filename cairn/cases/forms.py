"""Forms for case pages and the API (which validates its JSON with the same forms).

Inputs are sized for a tablet: date and number inputs open the right keyboard,
choices are radio buttons or selects, and each form carries an idempotency key so
a double tap creates one record.
"""

import datetime as dt
import uuid

from django import forms
from django.utils import timezone

from cairn.cases import matching
from cairn.cases.access import Purpose
from cairn.cases.actions import ClientInput, ContactInput
from cairn.cases.models import (
    ConsentMethod,
    ContactMethod,
    Gender,
    HousingStatus,
    IdentifierKind,
    NameKind,
    Sex,
)

UNKNOWN_YES_NO = [("", "Not asked yet"), ("yes", "Yes"), ("no", "No")]
TRISTATE = {"": None, "yes": True, "no": False}


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class Form(forms.Form):
    """Labels without a trailing colon: they read as questions and field names."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class IdempotencyField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=80, widget=forms.HiddenInput, **kwargs)


class CommunityChoiceField(forms.ChoiceField):
    """A community code among those the form was given (the user's care-team communities)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, choices=[("", "Not known")], **kwargs)


class CommunitiesMixin:
    def set_communities(self, communities) -> None:
        self.communities = {c.code: c for c in communities}
        self.fields["community"].choices = [("", "Not known")] + [
            (c.code, c.name) for c in sorted(communities, key=lambda c: c.name)
        ]

    def community(self):
        code = self.cleaned_data.get("community") or ""
        return self.communities.get(code)


def _check_birth_date(value: dt.date | None) -> dt.date | None:
    if value is None:
        return None
    if value > timezone.localdate():
        raise forms.ValidationError("A date of birth cannot be in the future.")
    if value.year < 1900:
        raise forms.ValidationError("Check the year: a date of birth before 1900 is not possible.")
    return value


def _check_health_number(number: str, kind: str) -> str:
    value = matching.normalize_health_number(number)
    if not value:
        return ""
    if kind == IdentifierKind.HEALTH_NUMBER and not (len(value) == 10 and value.isdigit()):
        raise forms.ValidationError("A BC Personal Health Number has 10 digits (spaces are fine).")
    if not 4 <= len(value) <= 20:
        raise forms.ValidationError("An identifier has 4 to 20 letters and digits.")
    return value


class ClientForm(CommunitiesMixin, Form):
    """A new person: a name or an alias at least; everything else when known."""

    given_name = forms.CharField(required=False, max_length=100, label="Given name")
    family_name = forms.CharField(required=False, max_length=100, label="Family name")
    preferred_name = forms.CharField(
        required=False, max_length=100, label="Name they like to be called"
    )
    aliases = forms.CharField(
        required=False,
        max_length=300,
        label="Aliases or street names",
        help_text="Separate several with commas. An alias alone is enough to start a record.",
    )
    date_of_birth = forms.DateField(
        required=False, label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
    approximate_age = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=120,
        label="Approximate age",
        help_text="When the date of birth is not known.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    sex = forms.ChoiceField(choices=Sex.choices, initial=Sex.NOT_RECORDED, required=False)
    gender = forms.ChoiceField(choices=Gender.choices, required=False)
    health_number = forms.CharField(
        required=False,
        max_length=40,
        label="Health number",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    health_number_kind = forms.ChoiceField(
        choices=[c for c in IdentifierKind.choices if c[0] in ("phn", "other_hn")],
        initial=IdentifierKind.HEALTH_NUMBER,
        required=False,
        label="Kind of health number",
    )
    phone = forms.CharField(
        required=False,
        max_length=40,
        label="Phone",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    phone_safe_to_leave_message = forms.ChoiceField(
        choices=UNKNOWN_YES_NO, required=False, label="Safe to leave a message on this phone?"
    )
    housing_status = forms.ChoiceField(
        choices=HousingStatus.choices, required=False, label="Housing"
    )
    safe_contact_notes = forms.CharField(
        required=False,
        max_length=1000,
        label="How to reach them safely",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    community = CommunityChoiceField(label="Home community")
    idempotency_key = IdempotencyField()
    different_from = forms.CharField(required=False, widget=forms.HiddenInput)
    confirmed_different = forms.BooleanField(
        required=False,
        label="I have checked these records: none of them is this person. Create a new record.",
    )

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_communities(communities)

    def clean_date_of_birth(self):
        return _check_birth_date(self.cleaned_data.get("date_of_birth"))

    def clean_different_from(self) -> list[int]:
        raw = self.cleaned_data.get("different_from") or ""
        try:
            return sorted({int(part) for part in str(raw).replace(",", " ").split()})
        except ValueError:
            raise forms.ValidationError("The list of records checked is not valid.") from None

    def clean(self):
        data = super().clean()
        aliases = [a.strip() for a in (data.get("aliases") or "").split(",") if a.strip()]
        data["alias_list"] = aliases
        kind = data.get("health_number_kind") or IdentifierKind.HEALTH_NUMBER
        data["health_number_kind"] = kind
        if data.get("health_number"):
            try:
                data["health_number"] = _check_health_number(data["health_number"], kind)
            except forms.ValidationError as error:
                self.add_error("health_number", error)
        phone = data.get("phone") or ""
        if phone and len(matching.normalize_phone(phone)) < 7:
            self.add_error("phone", "A phone number has at least 7 digits.")
        named = any(
            matching.name_tokens(data.get(f) or "")
            for f in ("given_name", "family_name", "preferred_name")
        ) or any(matching.name_tokens(a) for a in aliases)
        if not named:
            raise forms.ValidationError(
                "Give a name or an alias: a record needs something to call the person.",
                code="no_name",
            )
        return data

    def to_input(self, *, source: str = "") -> ClientInput:
        data = self.cleaned_data
        contacts = []
        if data.get("phone"):
            contacts.append(
                ContactInput(
                    method=ContactMethod.PHONE,
                    value=data["phone"],
                    safe_to_leave_message=TRISTATE[data.get("phone_safe_to_leave_message") or ""],
                    preferred=True,
                )
            )
        return ClientInput(
            given_name=data.get("given_name") or "",
            family_name=data.get("family_name") or "",
            preferred_name=data.get("preferred_name") or "",
            aliases=data.get("alias_list", []),
            date_of_birth=data.get("date_of_birth"),
            approximate_age=data.get("approximate_age"),
            sex=data.get("sex") or Sex.NOT_RECORDED,
            gender=data.get("gender") or "",
            health_number=data.get("health_number") or "",
            health_number_kind=data.get("health_number_kind") or IdentifierKind.HEALTH_NUMBER,
            contacts=contacts,
            housing_status=data.get("housing_status") or "",
            safe_contact_notes=data.get("safe_contact_notes") or "",
            home_community=self.community(),
            source=source,
        )


class DuplicateCheckForm(ClientForm):
    """The same fields, checked while typing: nothing is required yet."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            return self.cleaned_data


class NameForm(Form):
    kind = forms.ChoiceField(
        choices=[c for c in NameKind.choices if c[0] != NameKind.LEGAL], initial=NameKind.ALIAS
    )
    given_name = forms.CharField(max_length=100, label="Name")
    family_name = forms.CharField(required=False, max_length=100, label="Family name (if any)")

    def clean(self):
        data = super().clean()
        if not matching.name_tokens(f"{data.get('given_name', '')} {data.get('family_name', '')}"):
            raise forms.ValidationError("The name is empty.")
        return data


class ContactForm(Form):
    method = forms.ChoiceField(choices=ContactMethod.choices, label="How")
    value = forms.CharField(max_length=200, label="Number, address, place or person to go through")
    preferred = forms.BooleanField(required=False, label="The way they prefer")
    safe_to_leave_message = forms.ChoiceField(
        choices=UNKNOWN_YES_NO, required=False, label="Safe to leave a message?"
    )
    safe_to_say_who_is_calling = forms.ChoiceField(
        choices=UNKNOWN_YES_NO, required=False, label="Safe to say who is calling?"
    )
    best_times = forms.CharField(required=False, max_length=200, label="Best times")
    note = forms.CharField(required=False, max_length=300)

    def to_input(self) -> ContactInput:
        data = self.cleaned_data
        return ContactInput(
            method=data["method"],
            value=data["value"],
            preferred=data.get("preferred", False),
            safe_to_leave_message=TRISTATE[data.get("safe_to_leave_message") or ""],
            safe_to_say_who_is_calling=TRISTATE[data.get("safe_to_say_who_is_calling") or ""],
            best_times=data.get("best_times") or "",
            note=data.get("note") or "",
        )


class DetailsForm(CommunitiesMixin, Form):
    sex = forms.ChoiceField(choices=Sex.choices, required=False)
    gender = forms.ChoiceField(choices=Gender.choices, required=False)
    housing_status = forms.ChoiceField(
        choices=HousingStatus.choices, required=False, label="Housing"
    )
    safe_contact_notes = forms.CharField(
        required=False,
        max_length=1000,
        label="How to reach them safely",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    community = CommunityChoiceField(label="Home community")

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_communities(communities)

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "sex": data.get("sex") or Sex.NOT_RECORDED,
            "gender": data.get("gender") or "",
            "housing_status": data.get("housing_status") or "",
            "safe_contact_notes": data.get("safe_contact_notes") or "",
            "home_community": self.community(),
        }


class IdentityLinkForm(Form):
    given_name = forms.CharField(required=False, max_length=100, label="Given name")
    family_name = forms.CharField(required=False, max_length=100, label="Family name")
    date_of_birth = forms.DateField(
        required=False, label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
    health_number = forms.CharField(
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    health_number_kind = forms.ChoiceField(
        choices=[c for c in IdentifierKind.choices if c[0] in ("phn", "other_hn")],
        initial=IdentifierKind.HEALTH_NUMBER,
        required=False,
        label="Kind of health number",
    )
    consent_method = forms.ChoiceField(
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        label="How the person agreed to link their identity",
    )
    consent_note = forms.CharField(
        required=False, max_length=300, label="What they agreed to, in their words"
    )

    def clean_date_of_birth(self):
        return _check_birth_date(self.cleaned_data.get("date_of_birth"))

    def clean(self):
        data = super().clean()
        kind = data.get("health_number_kind") or IdentifierKind.HEALTH_NUMBER
        data["health_number_kind"] = kind
        if data.get("health_number"):
            try:
                data["health_number"] = _check_health_number(data["health_number"], kind)
            except forms.ValidationError as error:
                self.add_error("health_number", error)
        if not (
            data.get("given_name")
            or data.get("family_name")
            or data.get("date_of_birth")
            or data.get("health_number")
        ):
            raise forms.ValidationError(
                "Give at least a legal name, a date of birth or a health number."
            )
        return data


class EpisodeForm(CommunitiesMixin, Form):
    occurred_at = forms.DateTimeField(
        label="When the overdose happened",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    community = CommunityChoiceField(label="Community")
    summary = forms.CharField(
        required=False,
        max_length=2000,
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    idempotency_key = IdempotencyField()

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_communities(communities)

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError("The overdose cannot be in the future.")
        return value


class MergeForm(Form):
    other = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    keep = forms.ChoiceField(
        choices=[("this", "This record"), ("other", "The other record")],
        widget=forms.RadioSelect,
        initial="this",
        label="Which record stays",
    )
    reason = forms.CharField(max_length=300, label="Why these records are the same person")
    consent_method = forms.ChoiceField(
        choices=[("", "Not needed")] + list(ConsentMethod.choices),
        required=False,
        label="Consent to link the identity (needed when one record is anonymous)",
    )
    consent_note = forms.CharField(required=False, max_length=300, label="Consent note")


class ReasonForm(Form):
    reason = forms.CharField(max_length=300)


class SearchForm(Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Name, alias, date of birth or health number",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    born = forms.DateField(
        required=False, label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )


class PurposeForm(Form):
    purpose = forms.ChoiceField(choices=Purpose.choices, required=False)
