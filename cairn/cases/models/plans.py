"""The care plan of a person: goals, actions with owners and due dates, and referrals.

The plan belongs to the person (the client record), not to one overdose episode: goals
and referrals usually outlive an episode, and every organization holding the case sees
the same plan. Each row remembers which holding organization wrote it. Status changes
of referrals are rows of their own (`ReferralChange`), so the date of every step is
kept; goals and actions keep the time of their latest status change, and of their
latest edit while open.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.access.models import Organization
from cairn.cases.models.clients import Client
from cairn.cases.models.groups import GroupSupport


class GoalStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ReferralKind(models.TextChoices):
    TREATMENT = "treatment", "Treatment (OAT)"
    HOUSING = "housing", "Housing"
    HARM_REDUCTION = "harm_reduction", "Harm reduction"
    PEER_SUPPORT = "peer_support", "Peer support"
    PRIMARY_CARE = "primary_care", "Primary care"
    MENTAL_HEALTH = "mental_health", "Mental health"
    OTHER = "other", "Other"


class ReferralStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    STARTED = "started", "Started"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"


class PlanItem(models.Model):
    """What goals, actions and referrals share: whose plan, who wrote it, and when."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.CharField(max_length=150, blank=True)
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        abstract = True


class EditableItem(PlanItem):
    """A goal or an action: editable while open (`cases.plans.edit_goal`, `edit_action`)."""

    # The latest edit of its words, owner or dates (each edit is audited).
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.CharField(max_length=150, blank=True)

    class Meta:
        abstract = True


class PlanGoal(EditableItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plan_goals")
    text = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text


class PlanAction(EditableItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plan_actions")
    goal = models.ForeignKey(
        PlanGoal, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    text = models.CharField(max_length=300)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A member of a holding organization's team.",
    )
    owner_text = models.CharField(
        max_length=150, blank=True, help_text="Or: the person, a supporter, someone else."
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    from_support = models.ForeignKey(
        GroupSupport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "created_at", "pk"]
        indexes = [models.Index(fields=["client", "status"], name="plan_action_client")]

    def __str__(self) -> str:
        return self.text

    @property
    def owner_label(self) -> str:
        if self.owner_user_id:
            return self.owner_user.get_full_name() or self.owner_user.get_username()
        return self.owner_text or "no owner"


class Referral(PlanItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(max_length=20, choices=ReferralKind.choices)
    to_whom = models.CharField(max_length=200, help_text="The organization or service.")
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PROPOSED
    )
    from_support = models.ForeignKey(
        GroupSupport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.to_whom}"


class ReferralChange(models.Model):
    """One step of a referral (including the first, "proposed"), with its date."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=10, choices=ReferralStatus.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.CharField(max_length=150)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"Referral {self.referral_id}: {self.status}"
