"""Outreach encounters: one meeting between a team's worker and one person, anonymous.

An encounter says when and where (a community, optionally a map point and a short
description of the place, never a person's address), which of the four groups the
person belongs to as the worker judged it ("not recorded" otherwise), what was
provided, which connections were made and whether follow-up is needed. It names no
one. It is recorded for one team by one of the team's member organizations.

`creation_key` is the idempotency key of the request that created it (the form's
hidden key or the API's Idempotency-Key, prefixed with the recorder's id), so a
retried submission returns the encounter already made instead of a second one.

A voided encounter is kept, with who voided it, when and why, for the audit; it is
left out of lists and indicators.

Linking an encounter to an identified person (`EncounterClientLink`) is for the
care team of an organization holding the person's case, with the person's consent,
through `cairn.outreach.encounters.link_encounter_to_client` (audited). Only users
who may open that person's record ever see the link.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cairn.access.models import Organization
from cairn.cases.models.clients import Client, ConsentMethod
from cairn.cases.models.groups import CareGroup
from cairn.geography.models import Jurisdiction

__all__ = ["Encounter", "EncounterClientLink", "MAX_NALOXONE_KITS"]

#: A worker hands out a few kits at a time; more than this is a typing slip.
MAX_NALOXONE_KITS = 20


class Encounter(models.Model):
    team = models.ForeignKey("outreach.Team", on_delete=models.PROTECT, related_name="encounters")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The team's member organization the worker recorded it for.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by_name = models.CharField(max_length=150, help_text="Username, kept for history.")
    recorded_at = models.DateTimeField(default=timezone.now)

    # When and where.
    occurred_on = models.DateField()
    occurred_at_time = models.TimeField(null=True, blank=True)
    community = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    place_description = models.CharField(
        max_length=120,
        blank=True,
        help_text="A short description of the place (a park, a corner); never a person's address.",
    )

    # Who, as a group only.
    group = models.CharField(
        max_length=20, choices=CareGroup.choices, default=CareGroup.NOT_ASSESSED
    )

    # What was provided.
    naloxone_kits = models.PositiveSmallIntegerField(default=0)
    naloxone_training = models.BooleanField(default=False)
    drug_checking_referral = models.BooleanField(default=False)
    information = models.BooleanField(default=False)
    harm_reduction_supplies = models.BooleanField(default=False)

    # Connections made.
    connected_to_treatment = models.BooleanField(default=False)
    connected_to_housing = models.BooleanField(default=False)
    connected_to_oerc = models.BooleanField(
        default=False, help_text="A case at the overdose emergency response centre."
    )
    connected_to_other = models.BooleanField(default=False)
    connection_note = models.CharField(max_length=200, blank=True)

    follow_up_needed = models.BooleanField(default=False)
    follow_up_note = models.CharField(max_length=300, blank=True)

    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.CharField(max_length=150, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_on", "-occurred_at_time", "-pk"]
        indexes = [
            models.Index(fields=["team", "occurred_on"], name="encounter_team_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(naloxone_kits__lte=MAX_NALOXONE_KITS), name="encounter_kits_at_most"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="encounter_point_whole_and_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Encounter {self.pk} on {self.occurred_on}"

    @property
    def access_jurisdiction(self) -> Jurisdiction:
        return self.community

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def connection_made(self) -> bool:
        return (
            self.connected_to_treatment
            or self.connected_to_housing
            or self.connected_to_oerc
            or self.connected_to_other
        )

    def provided_labels(self) -> list[str]:
        labels = []
        if self.naloxone_kits:
            labels.append(
                f"{self.naloxone_kits} naloxone kit{'s' if self.naloxone_kits != 1 else ''}"
            )
        for field, label in (
            ("naloxone_training", "naloxone training"),
            ("drug_checking_referral", "drug-checking referral"),
            ("information", "information"),
            ("harm_reduction_supplies", "harm-reduction supplies"),
        ):
            if getattr(self, field):
                labels.append(label)
        return labels

    def connection_labels(self) -> list[str]:
        return [
            label
            for field, label in (
                ("connected_to_treatment", "treatment"),
                ("connected_to_housing", "housing"),
                ("connected_to_oerc", "overdose response centre"),
                ("connected_to_other", "other"),
            )
            if getattr(self, field)
        ]


class EncounterClientLink(models.Model):
    """An encounter tied to an identified person's case, with the person's consent.

    Made only by the care team of an organization that holds the case; removing it
    stamps the row (kept for the audit), so at most one link is in force per encounter.
    """

    encounter = models.ForeignKey(Encounter, on_delete=models.CASCADE, related_name="client_links")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The organization holding the case whose care team linked it.",
    )
    consent_method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    consent_note = models.CharField(max_length=300, blank=True)
    linked_at = models.DateTimeField(default=timezone.now)
    linked_by = models.CharField(max_length=150)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.CharField(max_length=150, blank=True)
    removal_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["encounter"],
                condition=Q(removed_at__isnull=True),
                name="encounter_one_client_link_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"Encounter {self.encounter_id} linked to client {self.client_id}"
