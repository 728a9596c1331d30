"""Closed-loop referrals: from one partner organization to a directory service.

A referral is addressed to the organization that receives for the service (the
service's provider's Cairn partner). It goes sent → received (first opened by the
receiving side) → accepted or declined → completed or no-show; the sender may cancel
it before it is accepted. Every step is a `ReferralChange` row (who, when, note).

What the receiving organization sees is `shared_details`: a snapshot, taken when the
referral is sent, of only what the person's consent allows (`consent_allows`). Without
consent the referral is anonymous: its reference code and the reason only. A consent
withdrawn later blanks the snapshot; the history of the steps stays.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cairn.access.models import Organization


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Sent"
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"


#: Statuses still waiting for the receiving organization's answer.
AWAITING_ANSWER = (ReferralStatus.SENT, ReferralStatus.RECEIVED)
#: Statuses after which nothing more happens.
FINAL = (
    ReferralStatus.DECLINED,
    ReferralStatus.COMPLETED,
    ReferralStatus.NO_SHOW,
    ReferralStatus.CANCELLED,
)


class ReferralSource(models.TextChoices):
    CASE = "case", "A case's care plan"
    ENCOUNTER = "encounter", "An outreach encounter"
    DIRECT = "direct", "Directly"


class ConsentHow(models.TextChoices):
    VERBAL = "verbal", "Verbal, recorded by the worker"
    WRITTEN = "written", "Written, signed"


class SharedDetail(models.TextChoices):
    """What a person's consent may allow the receiving organization to see."""

    NAME = "name", "Name"
    DATE_OF_BIRTH = "date_of_birth", "Date of birth"
    CONTACT = "contact", "Contact details and safe-contact preferences"
    REASON = "reason", "The reason for the referral"
    SUBSTANCES = "substances", "Substances and overdose history"
    TREATMENT = "treatment", "Current treatment"
    GROUP = "group", "Group"


class Referral(models.Model):
    reference = models.CharField(
        max_length=12, unique=True, help_text="The code both sides use, e.g. R-7KQ3-XM2D."
    )
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="closed_loop_referrals"
    )
    to_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="referrals_received"
    )
    from_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by_name = models.CharField(max_length=150)
    sent_at = models.DateTimeField(default=timezone.now)
    client = models.ForeignKey(
        "cases.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="closed_loop_referrals",
    )
    plan_referral = models.ForeignKey(
        "cases.Referral",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="closed_loop_referrals",
        help_text="The care plan's referral this one carries out (one in force at a time).",
    )
    source = models.CharField(max_length=10, choices=ReferralSource.choices)
    source_reference = models.CharField(
        max_length=100, blank=True, help_text="e.g. the encounter's number."
    )
    person_label = models.CharField(
        max_length=150,
        blank=True,
        help_text="For the sender: who this is (never shown to the receiver).",
    )
    reason = models.TextField(help_text="Why the person is referred, as the sender wrote it.")
    # Consent.
    consent_given = models.BooleanField(default=False)
    consent_how = models.CharField(max_length=10, choices=ConsentHow.choices, blank=True)
    consent_recorded_by = models.CharField(max_length=150, blank=True)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_note = models.CharField(max_length=300, blank=True)
    consent_allows = models.JSONField(
        default=list, blank=True, help_text="SharedDetail values the consent allows."
    )
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)
    consent_withdrawn_by = models.CharField(max_length=150, blank=True)
    shared_details = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the receiving organization sees: only what the consent allows.",
    )
    # Where it stands.
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(help_text="Received and answered by then, or overdue.")
    complete_by = models.DateTimeField(
        null=True, blank=True, help_text="Once accepted: completed by then, or overdue."
    )
    outcome_note = models.CharField(
        max_length=300, blank=True, help_text="Why declined or cancelled; what happened."
    )
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    # The email telling the receiving organization a referral has arrived
    # (cairn/referrals/arrivals.py): sent after the commit, retried by
    # `cairn referrals notify` while nobody there has opened the referral.
    arrival_emailed_at = models.DateTimeField(null=True, blank=True)
    arrival_email_attempts = models.PositiveSmallIntegerField(default=0)
    arrival_email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["from_organization", "status"], name="referral_from_status"),
            models.Index(fields=["to_organization", "status"], name="referral_to_status"),
            # The lists: one organization's referrals, newest first.
            models.Index(fields=["from_organization", "-sent_at"], name="referral_from_sent"),
            models.Index(fields=["to_organization", "-sent_at"], name="referral_to_sent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_referral"],
                condition=Q(plan_referral__isnull=False) & ~Q(status="cancelled"),
                name="referral_one_per_plan_referral",
            ),
            models.CheckConstraint(
                condition=Q(consent_given=True) | Q(consent_allows=[]),
                name="referral_allows_only_with_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.reference}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def consent_in_force(self) -> bool:
        return self.consent_given and self.consent_withdrawn_at is None

    def overdue_kind(self, now=None) -> str:
        """ "answer" when not received and answered by `respond_by`, "completion" when
        accepted and not completed by `complete_by`; "" when not overdue."""
        now = now or timezone.now()
        if self.status in AWAITING_ANSWER and now > self.respond_by:
            return "answer"
        if self.status == ReferralStatus.ACCEPTED and self.complete_by and now > self.complete_by:
            return "completion"
        return ""


class ReferralChange(models.Model):
    """One step of a referral, including the first ("sent"), with who, when and a note.
    A change of consent is a row too (`status` unchanged, `kind` "consent_withdrawn")."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, default="status")
    status = models.CharField(max_length=10, choices=ReferralStatus.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.CharField(max_length=150)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"Referral {self.referral_id}: {self.status}"


class OverdueNotice(models.Model):
    """An overdue referral, raised once per referral and kind by `cairn referrals overdue`."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, help_text="answer or completion")
    raised_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "kind"], name="referral_notice_once")
        ]

    def __str__(self) -> str:
        return f"Referral {self.referral_id} overdue ({self.kind})"
