"""Template tags for showing closed-loop referrals on other apps' pages (the care plan)."""

from django import template

from cairn.referrals.access import may_send
from cairn.referrals.models import ReferralStatus

register = template.Library()


@register.simple_tag
def closed_loop(plan_referral, user) -> dict:
    """For a care plan's referral: its closed-loop referrals (oldest first) and whether
    `user` may send it to a service now (proposed or sent, none in force, may send)."""
    loops = list(
        plan_referral.closed_loop_referrals.select_related("service").order_by("sent_at", "pk")
    )
    in_force = [r for r in loops if r.status != ReferralStatus.CANCELLED]
    return {
        "loops": loops,
        "may_send": not in_force
        and plan_referral.status in ("proposed", "sent")
        and may_send(user),
    }
