"""Reads for the referral pages and API, already scoped to the user through `access`."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from cairn.referrals import access
from cairn.referrals.models import AWAITING_ANSWER, Referral, ReferralStatus

S = ReferralStatus

#: List filters: a name and the statuses it shows ("overdue" is computed).
FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "open": ("Open", (S.SENT, S.RECEIVED, S.ACCEPTED)),
    "awaiting": ("Waiting for an answer", AWAITING_ANSWER),
    "accepted": ("Accepted", (S.ACCEPTED,)),
    "overdue": ("Overdue", (S.SENT, S.RECEIVED, S.ACCEPTED)),
    "closed": ("Closed", (S.DECLINED, S.COMPLETED, S.NO_SHOW, S.CANCELLED)),
    "all": ("All", tuple(S.values)),
}
FILTERS.update({status: (label, (status,)) for status, label in S.choices})
LIST_LIMIT = 50


class ListError(ValueError):
    def __init__(self, message: str, field: str = "status"):
        super().__init__(message)
        self.field = field


@dataclass
class Row:
    referral: Referral
    overdue: str  # "answer", "completion" or ""

    @property
    def overdue_text(self) -> str:
        if self.overdue == "answer":
            return (
                f"Overdue: no answer since {timezone.localtime(self.referral.respond_by):%Y-%m-%d}"
            )
        if self.overdue == "completion":
            due = timezone.localtime(self.referral.complete_by)
            return f"Overdue: not completed by {due:%Y-%m-%d}"
        return ""


def _filtered(rows: QuerySet[Referral], status: str, now) -> QuerySet[Referral]:
    if status not in FILTERS:
        raise ListError(f"Status: give one of {', '.join(FILTERS)}.")
    rows = rows.filter(status__in=FILTERS[status][1])
    if status == "overdue":
        from django.db.models import Q

        rows = rows.filter(
            Q(status__in=AWAITING_ANSWER, respond_by__lt=now)
            | Q(status=S.ACCEPTED, complete_by__lt=now)
        )
    return rows


def referral_list(
    user, *, side: str, status: str = "open", now=None, page: int = 1, limit: int = LIST_LIMIT
) -> list[Row]:
    """The user's sent (side "sender") or received ("receiver") referrals, newest first,
    with their overdue flags; one page of `limit` (one more row is returned when there
    are more: the caller shows a link to the next page instead)."""
    now = now or timezone.now()
    if side == access.SENDER:
        access.require_sender(user)
        rows = access.referrals_sent_by(user)
    else:
        access.require_receiver(user)
        rows = access.referrals_received_by(user)
    rows = _filtered(rows, status, now).select_related(
        "service", "from_organization", "to_organization"
    )
    start = (max(page, 1) - 1) * limit
    rows = rows.order_by("-sent_at", "-pk")[start : start + limit + 1]
    return [Row(r, r.overdue_kind(now)) for r in rows]


def counts_for(user, *, side: str, now=None) -> dict[str, int]:
    """How many open and overdue referrals a side has (for the list's tabs)."""
    now = now or timezone.now()
    rows = (
        access.referrals_sent_by(user)
        if side == access.SENDER
        else access.referrals_received_by(user)
    )
    return {
        "open": _filtered(rows, "open", now).count(),
        "overdue": _filtered(rows, "overdue", now).count(),
    }


def timeline(referral: Referral) -> list:
    """The steps and overdue notices, oldest first, as (when, what, who, note)."""
    entries = [
        (
            c.changed_at,
            c.get_status_display() if c.kind == "status" else "Consent withdrawn",
            c.changed_by,
            c.organization.name if c.organization_id else "",
            c.note,
        )
        for c in referral.changes.select_related("organization")
    ]
    for notice in referral.notices.all():
        what = "no answer" if notice.kind == "answer" else "not completed"
        entries.append(
            (
                notice.raised_at,
                "Overdue",
                "Cairn",
                "",
                f"{what.capitalize()} by {timezone.localtime(notice.due_at):%Y-%m-%d %H:%M}",
            )
        )
    return sorted(entries, key=lambda e: e[0])
