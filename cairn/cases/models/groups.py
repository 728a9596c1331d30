"""The four groups and their catalogue of recommended approaches and supports.

A placement is a row of its own, so the history of how the team understood a
person's situation is kept; the latest placement is the current one. The
segmentation comes from the project's seed document and is not confirmed in
public sources (DOMAIN.md §1.7): the catalogue is editable for that reason.
"""

from django.db import models
from django.utils import timezone

from cairn.cases.models.clients import Client


class CareGroup(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not assessed"
    RECREATIONAL = "recreational", "Recreational or occasional use"
    STREET_INVOLVED = "street_involved", "Street-involved regular use"
    HIDDEN_REGULAR = "hidden_regular", "High-functioning, hidden regular use"
    FIRST_NATIONS = "first_nations", "First Nations"


class GroupPlacement(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="group_placements")
    group = models.CharField(max_length=20, choices=CareGroup.choices)
    note = models.CharField(max_length=300, blank=True, help_text="Why, in the team's words.")
    placed_at = models.DateTimeField(default=timezone.now)
    placed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        indexes = [models.Index(fields=["client", "placed_at"], name="group_placement_client")]

    def __str__(self) -> str:
        return f"Client {self.client_id}: {self.get_group_display()}"


class SupportKind(models.TextChoices):
    APPROACH = "approach", "Approach"
    SUPPORT = "support", "Support or service"


class GroupSupport(models.Model):
    """One recommended approach or support for a group; the care plan proposes these."""

    group = models.CharField(max_length=20, choices=CareGroup.choices)
    kind = models.CharField(max_length=10, choices=SupportKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    basis = models.CharField(
        max_length=300, blank=True, help_text="Where the recommendation comes from."
    )
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["group", "position", "pk"]

    def __str__(self) -> str:
        return self.title
