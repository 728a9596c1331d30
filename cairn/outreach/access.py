"""Who may open and change a community action team's workspace: the one place that decides.

- A team's workspace (members, funding, plan, indicators, at-risk aggregates) is open to
  the staff of the organizations that currently sit on the team, to administrators, and
  to holders of MANAGE_TEAMS whose organization covers any of the team's communities.
- Setting a team up (the team, its members, its funding) needs MANAGE_TEAMS covering every
  community of the team (a municipal coordinator for their city; an administrator).
- The plan (goals, actions, indicators) can be changed by those who manage the team and by
  the team's chair, co-chair or coordinator; an action (its status, its indicators' progress)
  also by its owner: the member's Cairn user, or, for a seat without a user, the staff of the
  member's organization.
- Recording outreach needs RECORD_OUTREACH in a member organization.
- The workspace holds no identifiable data. The at-risk view shows aggregates, with small
  counts suppressed unless the user's data tier is at least the line list for every one of
  the team's communities (`is_clinical_member`).

Teams are not secret (their names and communities are public in BC), so a refused team
answers 403 and an unknown one 404.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cairn.access.permissions import data_tier_for, grants_for, has_permission
from cairn.access.roles import DataTier, Permission
from cairn.geography.models import Jurisdiction
from cairn.outreach.models.teams import Team, TeamAction, TeamMember, TeamRole

PLAN_LEADS = (TeamRole.CHAIR, TeamRole.CO_CHAIR, TeamRole.COORDINATOR)


def communities_prefetch() -> Prefetch:
    """A team's communities without their boundary GeoJSON (large, and no team page draws
    it): decoding Prince George's costs more than the rest of the team's reads."""
    return Prefetch("communities", queryset=Jurisdiction.objects.defer("boundary"))


def _organization_ids(user) -> set[int]:
    return {g.organization_id for g in grants_for(user) if g.organization_id is not None}


def current_members(team_or_teams=None, *, on=None) -> QuerySet[TeamMember]:
    """Members sitting on the team today (joined, not yet left)."""
    on = on or timezone.localdate()
    members = TeamMember.objects.filter(joined_on__lte=on).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on)
    )
    if isinstance(team_or_teams, Team):
        members = members.filter(team=team_or_teams)
    return members


def _manage_grants(user):
    return [g for g in grants_for(user) if g.role.has(Permission.MANAGE_TEAMS)]


def _covers_all(grant, communities) -> bool:
    return bool(communities) and all(grant.covers(c) for c in communities)


def may_manage_communities(user, communities) -> bool:
    """MANAGE_TEAMS covering every one of these communities (to set up a team for them)."""
    communities = list(communities)
    return any(_covers_all(g, communities) for g in _manage_grants(user))


def teams_for(user) -> QuerySet[Team]:
    """The teams whose workspace the user may open."""
    if not grants_for(user):
        return Team.objects.none()
    manage = _manage_grants(user)
    if any(g.wide for g in manage):
        return Team.objects.all()
    condition = Q(
        pk__in=current_members().filter(organization_id__in=_organization_ids(user)).values("team")
    )
    paths = {p for g in manage for p in g.coverage_paths}
    if paths:
        # A team with any of its communities inside the coverage (see may_view_team).
        covered = Q(pk__in=[])
        for path in paths:
            covered |= Q(communities__path=path) | Q(communities__path__startswith=path + "/")
        condition |= Q(pk__in=Team.objects.filter(covered).values("pk"))
    return Team.objects.filter(condition).distinct()


def is_member(user, team: Team) -> bool:
    """One of the user's organizations sits on the team today."""
    organizations = _organization_ids(user)
    return bool(organizations) and (
        current_members(team).filter(organization_id__in=organizations).exists()
    )


def may_manage_team(user, team: Team) -> bool:
    return may_manage_communities(user, team.communities.all())


def may_view_team(user, team: Team) -> bool:
    """A member organization's staff; team managers covering any of its communities."""
    if is_member(user, team):
        return True
    communities = list(team.communities.all())
    return any(g.covers(c) for g in _manage_grants(user) for c in communities)


def _user_seats(user, team: Team) -> QuerySet[TeamMember]:
    if not getattr(user, "is_authenticated", False):
        return TeamMember.objects.none()
    return current_members(team).filter(user=user)


def may_edit_plan(user, team: Team) -> bool:
    """Add and change goals, actions and indicators: team managers and the team's leads."""
    if may_manage_team(user, team):
        return True
    return (
        is_member(user, team) and _user_seats(user, team).filter(team_role__in=PLAN_LEADS).exists()
    )


def owns_action(user, action: TeamAction) -> bool:
    owner = action.owner
    if owner is None or not owner.is_current():
        return False
    if owner.user_id is not None:
        return owner.user_id == getattr(user, "pk", None)
    return owner.organization_id is not None and owner.organization_id in _organization_ids(user)


def may_edit_action(user, action: TeamAction) -> bool:
    return may_edit_plan(user, action.team) or (
        is_member(user, action.team) and owns_action(user, action)
    )


def may_record_outreach(user, team: Team) -> bool:
    """RECORD_OUTREACH in an organization that sits on the team."""
    organizations = {
        g.organization_id
        for g in grants_for(user)
        if g.organization_id is not None and g.role.has(Permission.RECORD_OUTREACH)
    }
    return bool(organizations) and (
        current_members(team).filter(organization_id__in=organizations).exists()
    )


def is_clinical_member(user, team: Team) -> bool:
    """The user's data tier is at least the line list in every one of the team's
    communities; everyone else sees the at-risk figures with small counts suppressed."""
    communities = list(team.communities.all())
    if not communities:
        return False
    for community in communities:
        tier = data_tier_for(user, community)
        if tier is None or tier < DataTier.LINE_LIST:
            return False
    return True


def may_view_first_nations_data(user, team: Team) -> bool:
    communities = list(team.communities.all())
    return bool(communities) and all(
        has_permission(user, Permission.VIEW_FIRST_NATIONS_DATA, c) for c in communities
    )


def get_team_for(user, slug: str, *, manage: bool = False) -> Team:
    """The team with this slug if the user may open it (manage=True: set it up).

    Raises Http404 for an unknown slug and PermissionDenied otherwise."""
    team = Team.objects.filter(slug=slug).prefetch_related(communities_prefetch()).first()
    if team is None:
        raise Http404("No action team with this name.")
    if manage:
        if not may_manage_team(user, team):
            raise PermissionDenied(
                "Only a team manager (manage_teams) covering the team's communities may do this."
            )
    elif not may_view_team(user, team):
        raise PermissionDenied("Only the team's member organizations may open its workspace.")
    return team


def require_manage_teams(user) -> None:
    """Refuse (403) anyone without MANAGE_TEAMS anywhere, before reading any input."""
    if not _manage_grants(user):
        raise PermissionDenied("Setting up action teams needs the manage_teams permission.")
