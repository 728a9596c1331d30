"""Jurisdictions (province → health authority → HSDA → community), populations, boundaries."""

from django.db import models


class Level(models.TextChoices):
    PROVINCE = "province", "Province or state"
    HEALTH_AUTHORITY = "health_authority", "Health authority"
    HSDA = "hsda", "Health service delivery area"
    COMMUNITY = "community", "Local health area / community"


LEVEL_DEPTH = {
    Level.PROVINCE: 0,
    Level.HEALTH_AUTHORITY: 1,
    Level.HSDA: 2,
    Level.COMMUNITY: 3,
}


class Jurisdiction(models.Model):
    """One node of the hierarchy. Communities (local health areas) are the leaves.

    `path` is the chain of codes from the root, joined by "/", so a subtree is a
    prefix query (`path__startswith`) on any database.
    """

    code = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=500, unique=True)
    boundary = models.JSONField(
        null=True, blank=True, help_text="GeoJSON geometry (Polygon or MultiPolygon), EPSG:4326."
    )
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_level_display()})"

    @property
    def is_community(self) -> bool:
        return self.level == Level.COMMUNITY

    def contains(self, other: "Jurisdiction") -> bool:
        return other.path == self.path or other.path.startswith(self.path + "/")


class Sex(models.TextChoices):
    ALL = "all", "All"
    FEMALE = "female", "Female"
    MALE = "male", "Male"


ALL_AGES = "all"


class Population(models.Model):
    """Population of a jurisdiction in a year, optionally by sex and age band."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="populations"
    )
    year = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.ALL)
    age_band = models.CharField(max_length=10, default=ALL_AGES)
    population = models.PositiveIntegerField()
    source = models.CharField(max_length=300, blank=True)
    is_estimate = models.BooleanField(
        default=False, help_text="True where the figure was derived or interpolated, not published."
    )

    class Meta:
        ordering = ["jurisdiction", "year", "sex", "age_band"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "year", "sex", "age_band"], name="population_unique_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction.name} {self.year}: {self.population}"


class PostalArea(models.Model):
    """A postal-code prefix (Canadian FSA like "V2L", or a US ZIP code) placed in a community.

    Prefixes that span several communities (rural FSAs) are not listed: a record with
    only such a code lands in the "unknown place" bucket unless it carries a point.
    """

    prefix = models.CharField(max_length=10, unique=True)
    community = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="postal_areas"
    )
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["prefix"]

    def __str__(self) -> str:
        return f"{self.prefix} → {self.community.name}"
