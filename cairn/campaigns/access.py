"""Who may see and change a campaign: the one place that decides.

- Communications staff (MANAGE_CAMPAIGNS) manage the campaigns of their own organization:
  plan, materials, language review, surveys, reach, reports.
- They also see, read-only, other organizations' campaigns that run where their
  organization works (a campaign's community inside their coverage, or their coverage
  inside a campaign's region, e.g. a province-wide campaign), so partners learn from each
  other and do not run two campaigns at once by accident.
- First Nations partners (APPROVE_FIRST_NATIONS_CAMPAIGNS) see the campaigns addressed to
  First Nations audiences where their organization works, and record their approval or a
  request for changes. Nothing addressed to First Nations audiences is published without it.
- The person-first term list is edited by holders of MANAGE_LANGUAGE_TERMS (administrators);
  anyone signed in may read it.
- Public survey pages need no sign-in and are decided by their invitation token, not here.

A campaign outside what the user may see answers 404; one they see but may not change, 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cairn.access.permissions import grants_for, has_permission
from cairn.access.roles import Permission
from cairn.campaigns.models.campaigns import FIRST_NATIONS_AUDIENCES, Campaign


def _organization_ids(user, permission: Permission) -> set[int]:
    return {
        g.organization_id
        for g in grants_for(user)
        if g.organization_id is not None and g.role.has(permission)
    }


def _overlap(user, permission: Permission) -> Q | None:
    """Campaigns with a community overlapping the coverage of the user's grants of
    `permission`; None when a grant is wide (everything overlaps)."""
    grants = [g for g in grants_for(user) if g.role.has(permission)]
    if any(g.wide for g in grants):
        return None
    condition = Q(pk__in=[])
    for path in {p for g in grants for p in g.coverage_paths}:
        condition |= Q(communities__path=path) | Q(communities__path__startswith=path + "/")
        # The campaign's region contains the coverage: its path is a prefix of the coverage's.
        prefixes = ["/".join(path.split("/")[:i]) for i in range(1, path.count("/") + 1)]
        if prefixes:
            condition |= Q(communities__path__in=prefixes)
    return condition


def may_plan(user) -> bool:
    """Whether the user may start a campaign (for their own organization)."""
    return bool(_organization_ids(user, Permission.MANAGE_CAMPAIGNS))


def organizations_for_new_campaigns(user) -> list[int]:
    return sorted(_organization_ids(user, Permission.MANAGE_CAMPAIGNS))


def may_approve_first_nations(user, campaign: Campaign) -> bool:
    if not campaign.needs_first_nations_approval:
        return False
    if not has_permission(user, Permission.APPROVE_FIRST_NATIONS_CAMPAIGNS):
        return False
    overlap = _overlap(user, Permission.APPROVE_FIRST_NATIONS_CAMPAIGNS)
    if overlap is None:
        return True
    return Campaign.objects.filter(overlap, pk=campaign.pk).exists()


def campaigns_for(user) -> QuerySet[Campaign]:
    """Every campaign the user may open, distinct, in the model's order."""
    visible = Q(pk__in=[])
    if has_permission(user, Permission.MANAGE_CAMPAIGNS):
        visible |= Q(organization_id__in=_organization_ids(user, Permission.MANAGE_CAMPAIGNS))
        overlap = _overlap(user, Permission.MANAGE_CAMPAIGNS)
        visible |= Q() if overlap is None else overlap
    if has_permission(user, Permission.APPROVE_FIRST_NATIONS_CAMPAIGNS):
        overlap = _overlap(user, Permission.APPROVE_FIRST_NATIONS_CAMPAIGNS)
        addressed = Q(audiences__audience__in=list(FIRST_NATIONS_AUDIENCES))
        visible |= addressed if overlap is None else (addressed & overlap)
    ids = Campaign.objects.filter(visible).values("pk")
    return Campaign.objects.filter(pk__in=ids)


def may_manage(user, campaign: Campaign) -> bool:
    return campaign.organization_id in _organization_ids(user, Permission.MANAGE_CAMPAIGNS)


def may_view(user, campaign: Campaign) -> bool:
    return may_manage(user, campaign) or campaigns_for(user).filter(pk=campaign.pk).exists()


def get_campaign_for(user, campaign_id, *, manage: bool = False) -> Campaign:
    """The campaign if the user may see it (404 otherwise) and, with `manage`, change it
    (403 otherwise)."""
    try:
        campaign = Campaign.objects.select_related("organization", "owner").get(pk=int(campaign_id))
    except (Campaign.DoesNotExist, TypeError, ValueError):
        raise Http404("No such campaign.") from None
    if may_manage(user, campaign):
        return campaign
    if not may_view(user, campaign):
        raise Http404("No such campaign.")
    if manage:
        raise PermissionDenied("Only the organization that runs this campaign may change it.")
    return campaign


def may_manage_terms(user) -> bool:
    return has_permission(user, Permission.MANAGE_LANGUAGE_TERMS)


def may_use_campaigns(user) -> bool:
    """Whether the Campaigns area (the list, the calendar) is for this user at all."""
    return has_permission(user, Permission.MANAGE_CAMPAIGNS) or has_permission(
        user, Permission.APPROVE_FIRST_NATIONS_CAMPAIGNS
    )
