"""Community action teams: members, funding and the action plan.

A team serves one community or a group of communities (DOMAIN.md §1.3). Its members sit
at the table for a sector and an organization; the organization is a Cairn partner when
it has one (it then gives its staff access to the team's workspace), and otherwise only
a name (a family group, a business association). Nothing here is about a person who uses
drugs: the workspace holds plans and aggregates only.

The plan is goals and actions, each tied to one of the four areas of action of 2018 and
to the groups of people it is for (the CareGroup values). Indicators hang on a goal or an
action; their progress is a row per date, so the history reported to the funder is kept.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.access.models import Organization, Sector
from cairn.cases.models.groups import CareGroup
from cairn.geography.models import Jurisdiction

__all__ = [
    "ActionStatus",
    "AreaOfAction",
    "Funding",
    "GoalStatus",
    "IndicatorProgress",
    "PLAN_GROUPS",
    "Team",
    "TeamAction",
    "TeamGoal",
    "TeamIndicator",
    "TeamMember",
    "TeamRole",
    "TeamSector",
]


class AreaOfAction(models.TextChoices):
    """The four areas of action for community action teams (2018)."""

    HARM_REDUCTION = "harm_reduction", "Community harm reduction"
    NALOXONE = "naloxone", "Naloxone"
    DRUG_SUPPLY = "drug_supply", "The unsafe drug supply, including drug checking"
    PROACTIVE_SUPPORT = "proactive_support", "Proactive support for people at risk"


# The groups a goal or action can be for: the four groups of CareGroup ("not assessed"
# is a state of a person's record, not a group a plan is written for).
PLAN_GROUPS: list[tuple[str, str]] = [
    (value, label) for value, label in CareGroup.choices if value != CareGroup.NOT_ASSESSED
]


class TeamSector(models.TextChoices):
    """The partner sectors (access.Sector) and the seats at a team's table that are not
    Cairn partner sectors: businesses, education, the recovery community."""

    HEALTH_AUTHORITY = Sector.HEALTH_AUTHORITY.value, Sector.HEALTH_AUTHORITY.label
    EMERGENCY_DEPARTMENT = Sector.EMERGENCY_DEPARTMENT.value, Sector.EMERGENCY_DEPARTMENT.label
    OVERDOSE_RESPONSE_CENTRE = (
        Sector.OVERDOSE_RESPONSE_CENTRE.value,
        Sector.OVERDOSE_RESPONSE_CENTRE.label,
    )
    PUBLIC_HEALTH = Sector.PUBLIC_HEALTH.value, Sector.PUBLIC_HEALTH.label
    MINISTRY = Sector.MINISTRY.value, Sector.MINISTRY.label
    COMMUNITY_AGENCY = Sector.COMMUNITY_AGENCY.value, Sector.COMMUNITY_AGENCY.label
    MUNICIPAL_GOVERNMENT = Sector.MUNICIPAL_GOVERNMENT.value, Sector.MUNICIPAL_GOVERNMENT.label
    FIRST_NATIONS = Sector.FIRST_NATIONS.value, Sector.FIRST_NATIONS.label
    POLICE = Sector.POLICE.value, Sector.POLICE.label
    HOUSING_PROVIDER = Sector.HOUSING_PROVIDER.value, Sector.HOUSING_PROVIDER.label
    FAMILY_OR_PEER_GROUP = Sector.FAMILY_OR_PEER_GROUP.value, Sector.FAMILY_OR_PEER_GROUP.label
    SERVICE_PROVIDER = Sector.SERVICE_PROVIDER.value, Sector.SERVICE_PROVIDER.label
    PARAMEDICS = "paramedics", "Paramedics"
    FIRE = "fire", "Fire rescue"
    BUSINESS = "business", "Business"
    EDUCATION = "education", "Education"
    RECOVERY_COMMUNITY = "recovery_community", "Recovery community"
    OTHER = "other", "Other"


class TeamRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    CO_CHAIR = "co_chair", "Co-chair"
    COORDINATOR = "coordinator", "Coordinator"
    MEMBER = "member", "Member"
    LIVED_EXPERIENCE = "lived_experience", "Lived or living experience representative"
    ADVISOR = "advisor", "Advisor"


class GoalStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    BLOCKED = "blocked", "Blocked"
    CANCELLED = "cancelled", "Cancelled"


class Team(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    communities = models.ManyToManyField(
        Jurisdiction,
        related_name="action_teams",
        help_text="The communities (local health areas) the team serves.",
    )
    description = models.TextField(blank=True)
    started_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A seat at the team's table: a person for a sector and an organization."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="team_memberships",
        help_text="The Cairn partner organization, if the member's organization is one.",
    )
    organization_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The organization or group when it is not a Cairn partner "
        "(a family group, a business association).",
    )
    person_name = models.CharField(max_length=150, blank=True)
    sector = models.CharField(max_length=30, choices=TeamSector.choices)
    team_role = models.CharField(max_length=20, choices=TeamRole.choices, default=TeamRole.MEMBER)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_seats",
        help_text="The member's Cairn user, if they have one.",
    )
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["team", "sector", "person_name", "pk"]
        indexes = [models.Index(fields=["organization", "team"], name="team_member_org")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="team_member_left_after_joined",
            ),
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False) | ~models.Q(organization_name=""),
                name="team_member_has_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name or self.organization_label} ({self.team})"

    @property
    def organization_label(self) -> str:
        if self.organization_id:
            return self.organization.name
        return self.organization_name

    @property
    def label(self) -> str:
        if self.person_name:
            return f"{self.person_name}, {self.organization_label}"
        return self.organization_label

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.joined_on <= on and (self.left_on is None or self.left_on > on)


class Funding(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="funding")
    funder = models.CharField(max_length=200)
    program = models.CharField(max_length=200, help_text="The grant or program name.")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="CAD")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["team", "starts_on", "pk"]
        verbose_name_plural = "funding"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="funding_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="funding_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder}: {self.program} ({self.amount_text})"

    @property
    def amount_text(self) -> str:
        return f"{self.currency} {self.amount:,.2f}"


class PlanEntry(models.Model):
    """What goals and actions share."""

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    area = models.CharField(max_length=20, choices=AreaOfAction.choices)
    groups = models.JSONField(
        default=list, blank=True, help_text="The groups it is for (CareGroup values); empty: all."
    )
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.CharField(max_length=150, blank=True)
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def group_labels(self) -> list[str]:
        labels = dict(PLAN_GROUPS)
        if not self.groups:
            return ["All groups"]
        return [labels.get(value, value) for value in self.groups]


class TeamGoal(PlanEntry):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="goals")
    owner = models.ForeignKey(
        TeamMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_goals"
    )
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.PLANNED)

    class Meta:
        ordering = ["team", "area", "created_at", "pk"]


class TeamAction(PlanEntry):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(
        TeamGoal, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    owner = models.ForeignKey(
        TeamMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_actions"
    )
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )

    class Meta:
        ordering = ["team", "due_on", "created_at", "pk"]
        indexes = [models.Index(fields=["team", "status"], name="team_action_status")]


class TeamIndicator(models.Model):
    """A measure of a goal or an action: a target, a unit, and progress kept by date."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="indicators")
    goal = models.ForeignKey(
        TeamGoal, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators"
    )
    action = models.ForeignKey(
        TeamAction, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=50, blank=True, help_text="e.g. kits, people, sessions")
    target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["team", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(goal__isnull=False) | models.Q(action__isnull=False),
                name="team_indicator_has_goal_or_action",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def progress_entries(self) -> list:
        """Progress oldest first: rows set by `teams.attach_progress` (plain tuples read in
        one query for a whole plan), else this indicator's rows."""
        entries = getattr(self, "_progress_entries", None)
        if entries is None:
            entries = sorted(self.progress.all(), key=lambda p: (p.recorded_on, p.pk))
            self._progress_entries = entries
        return entries

    @property
    def recent_progress(self) -> list:
        return self.progress_entries[-3:]

    @property
    def latest_progress(self):
        entries = self.progress_entries
        return entries[-1] if entries else None

    @property
    def actual(self) -> Decimal | None:
        latest = self.latest_progress
        return None if latest is None else latest.value

    @property
    def percent_of_target(self) -> int | None:
        actual = self.actual
        if actual is None or not self.target:
            return None
        return int(round(100 * actual / self.target))


class IndicatorProgress(models.Model):
    """The indicator's value as of a date (the actual to date, not an increment)."""

    indicator = models.ForeignKey(TeamIndicator, on_delete=models.CASCADE, related_name="progress")
    recorded_on = models.DateField(default=timezone.localdate)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["indicator", "recorded_on", "pk"]
        verbose_name_plural = "indicator progress"

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} on {self.recorded_on}"
