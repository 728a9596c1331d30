"""Public campaigns: what they aim at, whom they address, where, when, through which channels.

A campaign belongs to the organization that runs it (a ministry, a health authority, an
action team's municipality); the staff of that organization with MANAGE_CAMPAIGNS manage
it (`cairn.campaigns.access`). Audiences and channels are rows, not a JSON list, so the
list page can filter on them on PostgreSQL and SQLite alike. Communities are
jurisdictions at any level: the province, a health authority, a local health area.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.access.models import Organization
from cairn.geography.models import Jurisdiction

__all__ = [
    "Audience",
    "Campaign",
    "CampaignAudience",
    "CampaignChannel",
    "Channel",
    "Frame",
]


class Frame(models.TextChoices):
    RISK_AWARENESS = "risk_awareness", "Risk awareness (fear appeal)"
    HUMANIZING = "humanizing", "Humanizing and anti-stigma"
    HARM_REDUCTION = "harm_reduction", "Practical harm reduction"
    TREATMENT_ACCESS = "treatment_access", "Treatment access"


class Audience(models.TextChoices):
    GENERAL_PUBLIC = "general_public", "General public"
    OCCASIONAL_USE = "occasional_use", "People who use drugs occasionally or recreationally"
    STREET_INVOLVED = "street_involved", "People who are street-involved and use regularly"
    HIDDEN_REGULAR = "hidden_regular", "People who use regularly while working, out of sight"
    FIRST_NATIONS_PEOPLE = "first_nations_people", "First Nations people who use drugs"
    FAMILIES = "families", "Families and friends"
    HEALTH_CARE_WORKERS = "health_care_workers", "Health-care workers"
    EMPLOYERS_TRADES = "employers_trades", "Employers and the trades"
    FIRST_NATIONS_COMMUNITIES = "first_nations_communities", "First Nations communities"


# Audiences that need a First Nations partner's approval before anything is published.
FIRST_NATIONS_AUDIENCES = frozenset(
    {Audience.FIRST_NATIONS_PEOPLE, Audience.FIRST_NATIONS_COMMUNITIES}
)


class Channel(models.TextChoices):
    TV = "tv", "Television"
    RADIO = "radio", "Radio"
    SOCIAL_MEDIA = "social_media", "Social media"
    WEBSITE = "website", "Website"
    BILLBOARDS = "billboards", "Billboards"
    POSTERS = "posters", "Posters"
    PARTNERS = "partners", "Partners (sports teams, businesses)"
    NEWSLETTERS = "newsletters", "Newsletters"
    COMMUNITY_EVENTS = "community_events", "Community events"


class Campaign(models.Model):
    name = models.CharField(max_length=200)
    objective = models.TextField(help_text="What the campaign should change, and for whom.")
    frame = models.CharField(max_length=30, choices=Frame.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text="The organization that runs the campaign; its communications staff manage it.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_campaigns",
        help_text="The person responsible.",
    )
    communities = models.ManyToManyField(
        Jurisdiction,
        related_name="campaigns",
        help_text="Regions and communities the campaign runs in (any level).",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    budget = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="Canadian dollars."
    )
    partners = models.TextField(
        blank=True,
        help_text="Partners who carry the message (a sports team, a newsletter), one per line.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The form's one-time key: a double-click or a re-sent form finds this campaign.
    creation_key = models.CharField(
        max_length=120, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audience_keys(self) -> list[str]:
        return [a.audience for a in self.audiences.all()]

    @property
    def channel_keys(self) -> list[str]:
        return [c.channel for c in self.channels.all()]

    @property
    def needs_first_nations_approval(self) -> bool:
        return any(key in FIRST_NATIONS_AUDIENCES for key in self.audience_keys)

    def phase(self, on=None) -> str:
        """ "planned", "running" or "ended" on a date (today by default)."""
        on = on or timezone.localdate()
        if on < self.starts_on:
            return "planned"
        return "running" if on <= self.ends_on else "ended"


class CampaignAudience(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="audiences")
    audience = models.CharField(max_length=40, choices=Audience.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "audience"], name="campaign_audience_once")
        ]
        indexes = [models.Index(fields=["audience"])]

    def __str__(self) -> str:
        return self.get_audience_display()


class CampaignChannel(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(max_length=30, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "channel"], name="campaign_channel_once")
        ]
        indexes = [models.Index(fields=["channel"])]

    def __str__(self) -> str:
        return self.get_channel_display()
