"""Clients: the people the care team supports, their names, identifiers and contacts.

Names, identifiers and contacts are rows of their own so that a merge can move
each of them to the surviving record and an undo can move exactly those back.
A client is visible only to the care team of the organizations that hold them
(`ClientHolding`); see `cairn.cases.access`.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.access.models import Organization
from cairn.geography.models import Jurisdiction


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    INTERSEX_OR_ANOTHER = "X", "Intersex or another sex"
    NOT_RECORDED = "U", "Not recorded"


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    TWO_SPIRIT = "two_spirit", "Two-Spirit"
    NON_BINARY = "non_binary", "Non-binary"
    ANOTHER = "another", "Another gender"
    PREFERS_NOT_TO_SAY = "prefers_not", "Prefers not to say"
    NOT_RECORDED = "", "Not recorded"


class HousingStatus(models.TextChoices):
    HOUSED = "housed", "Stably housed"
    SUPPORTIVE = "supportive", "Supportive or social housing"
    SRO = "sro", "Single-room occupancy (SRO)"
    STAYING_WITH_OTHERS = "staying_with_others", "Staying with others (couch surfing)"
    SHELTER = "shelter", "Emergency shelter"
    UNSHELTERED = "unsheltered", "Without shelter (sleeping outside or in a vehicle)"
    INSTITUTION = "institution", "Hospital, treatment or correctional facility"
    NOT_RECORDED = "", "Not recorded"


class IdentityStatus(models.TextChoices):
    ANONYMOUS = "anonymous", "Anonymous (known by an alias)"
    IDENTIFIED = "identified", "Identified"


class RecordStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    MERGED = "merged", "Merged into another record"


class Client(models.Model):
    """A person the care team supports. Starts anonymous (an alias) or identified."""

    display_name = models.CharField(
        max_length=200, help_text="The name to show: the preferred, legal or first alias."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    approximate_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="When the date of birth is not known."
    )
    age_recorded_on = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.NOT_RECORDED)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True, default="")
    housing_status = models.CharField(
        max_length=30, choices=HousingStatus.choices, blank=True, default=""
    )
    housing_updated_on = models.DateField(null=True, blank=True)
    safe_contact_notes = models.TextField(
        blank=True, help_text="How to reach the person safely, and what to avoid."
    )
    home_community = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "community"},
    )
    identity_status = models.CharField(
        max_length=12, choices=IdentityStatus.choices, default=IdentityStatus.ANONYMOUS
    )
    status = models.CharField(
        max_length=10, choices=RecordStatus.choices, default=RecordStatus.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    creation_key = models.CharField(
        max_length=120,
        null=True,
        blank=True,
        unique=True,
        help_text="Idempotency key of the request that created it (user id and key).",
    )

    class Meta:
        ordering = ["display_name", "pk"]

    def __str__(self) -> str:
        return f"Client {self.pk}"

    @property
    def is_merged(self) -> bool:
        return self.status == RecordStatus.MERGED

    @property
    def birth_year(self) -> int | None:
        if self.date_of_birth:
            return self.date_of_birth.year
        if self.approximate_age is not None and self.age_recorded_on:
            return self.age_recorded_on.year - self.approximate_age
        return None

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth:
            born = self.date_of_birth
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if self.approximate_age is not None and self.age_recorded_on:
            return self.approximate_age + (day.year - self.age_recorded_on.year)
        return None


class NameKind(models.TextChoices):
    LEGAL = "legal", "Legal name"
    PREFERRED = "preferred", "Preferred name"
    ALIAS = "alias", "Alias or street name"
    FORMER = "former", "Former name"


class ClientName(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=10, choices=NameKind.choices)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    source = models.CharField(
        max_length=120, blank=True, help_text="Where it came from, e.g. 'ED visit 1234'."
    )
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.CharField(max_length=150, blank=True, help_text="Username.")

    class Meta:
        ordering = ["client", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of client {self.client_id}"

    @property
    def text(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)


class IdentifierKind(models.TextChoices):
    HEALTH_NUMBER = "phn", "BC Personal Health Number"
    OTHER_HEALTH_NUMBER = "other_hn", "Health number from another province"
    MEDICAL_RECORD = "mrn", "Hospital medical record number"
    OTHER = "other", "Other identifier"


HEALTH_NUMBER_KINDS = (IdentifierKind.HEALTH_NUMBER, IdentifierKind.OTHER_HEALTH_NUMBER)


class ClientIdentifier(models.Model):
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="identifiers", db_index=False
    )
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    value = models.CharField(max_length=40, help_text="Normalized: letters and digits only.")
    issuer = models.CharField(max_length=100, blank=True, help_text="e.g. the hospital.")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["client", "kind", "pk"]
        indexes = [
            models.Index(fields=["value", "kind"], name="client_identifier_value"),
            models.Index(fields=["client"], name="client_identifier_client"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of client {self.client_id}"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person at a place"
    THROUGH_SOMEONE = "through_someone", "Through a support person or worker"
    MAIL = "mail", "Mail"


class ClientContact(models.Model):
    """One way to reach the person, with what makes it safe to use."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    value = models.CharField(
        max_length=200, help_text="The number, address, place or person to go through."
    )
    preferred = models.BooleanField(default=False)
    safe_to_leave_message = models.BooleanField(
        null=True, blank=True, help_text="May a message be left? Unknown until asked."
    )
    safe_to_say_who_is_calling = models.BooleanField(null=True, blank=True)
    best_times = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["client", "-preferred", "pk"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} for client {self.client_id}"


class ClientHolding(models.Model):
    """An organization holds the person's case: its care team may see the record."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="holdings", db_index=False
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="client_holdings", db_index=False
    )
    since = models.DateTimeField(default=timezone.now)
    added_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "organization"], name="client_holding_unique")
        ]
        indexes = [models.Index(fields=["organization", "client"], name="client_holding_org")]

    def __str__(self) -> str:
        return f"{self.organization} holds client {self.client_id}"


class ClientMatchKey(models.Model):
    """A blocking key of an active client (see `cairn.cases.matching`), hashed to 64 bits.

    Rebuilt whenever the client's names, birth date or identifiers change; merged
    records have none, so they never come up as candidates.
    """

    # The primary key (key, client) is also the index candidates are found by, in an
    # index-only scan; no separate id column on the biggest table of the app.
    pk = models.CompositePrimaryKey("key", "client")
    key = models.BigIntegerField()
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="match_keys", db_index=False
    )

    class Meta:
        indexes = [models.Index(fields=["client"], name="client_match_key_client")]

    def __str__(self) -> str:
        return f"key {self.key} of client {self.client_id}"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbal, recorded by the worker"
    WRITTEN = "written", "Written, signed"
    ELECTRONIC = "electronic", "Electronic"


class IdentityLink(models.Model):
    """The person agreed to link their fuller identity to the record (or a merge did)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="identity_links")
    linked_at = models.DateTimeField(default=timezone.now)
    linked_by = models.CharField(max_length=150, blank=True)
    consent_method = models.CharField(max_length=12, choices=ConsentMethod.choices)
    consent_note = models.CharField(
        max_length=300, blank=True, help_text="What the person agreed to, in their words."
    )
    added = models.JSONField(default=list, help_text="Which details were added.")
    merge = models.ForeignKey(
        "ClientMerge", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["client", "linked_at"]

    def __str__(self) -> str:
        return f"Identity linked to client {self.client_id}"


class ClientMerge(models.Model):
    """Two records found to be one person: `merged` now points to `survivor`.

    `moved` lists the rows that moved ({"names": [ids], ...}) and `survivor_before`
    the survivor's fields that the merge filled, so an undo restores exactly them.
    """

    survivor = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges_given")
    reason = models.CharField(max_length=300)
    merged_at = models.DateTimeField(default=timezone.now)
    merged_by = models.CharField(max_length=150)
    moved = models.JSONField(default=dict)
    survivor_before = models.JSONField(default=dict)
    merged_before = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.CharField(max_length=150, blank=True)
    undo_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"Client {self.merged_id} merged into {self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
