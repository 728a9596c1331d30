"""Counts kept up to date as records arrive: one row per community, local day, source and
case definition, so that series, rates and rankings never scan the events.

A "cell" is a (community, day) pair. Writers mark the cells they touched in
CountCellToRecount inside their own transaction; after commit one recounter at a
time recomputes exactly those cells from the events and their matches
(`cairn.surveillance.counts.maintain`). Week, month and region totals are sums of
the daily rows at query time.

The tables are derived data, rebuilt in seconds from the events: their foreign keys
have no database constraint nor index of their own (the composite indexes serve), so
a full rebuild writes them at full speed.
"""

from django.db import models

from cairn.geography.models import Jurisdiction
from cairn.surveillance.models.definitions import CaseDefinition

__all__ = ["CountCellToRecount", "DailyCount", "DailyCountByAge"]


class DailyCount(models.Model):
    """How many events of a source (meeting a definition) a community had on a local day.

    `community` null is the "unknown place" bucket. `definition` null counts every
    event of the source, whatever it was (all ED visits: the denominator of the share
    per 10,000 ED visits).
    """

    community = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    day = models.DateField(help_text="Local date (settings.TIME_ZONE) of occurred_at.")
    source = models.CharField(max_length=20)
    definition = models.ForeignKey(
        CaseDefinition,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["community", "day"], name="daily_count_cell"),
            models.Index(fields=["definition", "day"], name="daily_count_definition_day"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day} {self.source} {self.definition_id}: {self.count}"


class DailyCountByAge(models.Model):
    """Events that meet a definition, by five-year age band and sex, per community and day.

    Kept for definitions only (not for all ED visits, millions a year that nobody
    age-standardizes), for age-standardized and age- or sex-specific rates.
    """

    community = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    day = models.DateField()
    source = models.CharField(max_length=20)
    definition = models.ForeignKey(
        CaseDefinition,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    age_band = models.CharField(max_length=10)
    sex = models.CharField(max_length=1)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["community", "day"], name="daily_count_age_cell"),
            models.Index(fields=["definition", "day"], name="daily_count_age_definition"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day} {self.definition_id} {self.age_band} {self.sex}"


class CountCellToRecount(models.Model):
    """A (community, day) cell whose events changed and whose counts must be recomputed.

    Rows are only ever inserted by writers and deleted by the recounter; duplicates
    are expected (no unique constraint, so concurrent writers never wait on each other).
    """

    id = models.BigAutoField(primary_key=True)
    community = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    day = models.DateField()

    def __str__(self) -> str:
        return f"recount {self.community_id} {self.day}"
