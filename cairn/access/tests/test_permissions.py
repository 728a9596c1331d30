import pytest

from cairn.access.permissions import (
    communities_visible_to,
    data_tier_for,
    has_permission,
)
from cairn.access.roles import DataTier, Permission
from cairn.access.tests.factories import MembershipFactory, OrganizationFactory, UserFactory


def test_police_liaison_sees_only_prince_george(police_liaison, prince_george):
    assert list(communities_visible_to(police_liaison)) == [prince_george]


def test_police_liaison_never_gets_line_list_or_identifiable(police_liaison, prince_george):
    assert has_permission(police_liaison, Permission.VIEW_AGGREGATES, prince_george)
    assert not has_permission(police_liaison, Permission.VIEW_LINE_LIST, prince_george)
    assert not has_permission(police_liaison, Permission.VIEW_IDENTIFIABLE, prince_george)
    assert data_tier_for(police_liaison, prince_george) is DataTier.AGGREGATE


def test_er_nurse_identifiable_only_inside_her_health_authority(
    er_nurse, vancouver_centre_north, prince_george
):
    assert has_permission(er_nurse, Permission.VIEW_IDENTIFIABLE, vancouver_centre_north)
    assert not has_permission(er_nurse, Permission.VIEW_IDENTIFIABLE, prince_george)
    assert not has_permission(er_nurse, Permission.VIEW_COMMUNITY, prince_george)
    assert data_tier_for(er_nurse, vancouver_centre_north) is DataTier.IDENTIFIABLE
    assert data_tier_for(er_nurse, prince_george) is None


def test_provincial_epidemiologist_sees_every_community_as_line_list(epidemiologist, prince_george):
    assert communities_visible_to(epidemiologist).count() == 89
    assert data_tier_for(epidemiologist, prince_george) is DataTier.LINE_LIST
    assert not has_permission(epidemiologist, Permission.VIEW_IDENTIFIABLE, prince_george)


def test_regional_epidemiologist_cannot_reach_another_region(
    regional_epidemiologist, abbotsford, prince_george
):
    assert has_permission(regional_epidemiologist, Permission.VIEW_LINE_LIST, abbotsford)
    assert not has_permission(regional_epidemiologist, Permission.VIEW_LINE_LIST, prince_george)


def test_user_without_membership_is_denied_everything(db, prince_george):
    user = UserFactory()
    assert communities_visible_to(user).count() == 0
    assert not has_permission(user, Permission.VIEW_DASHBOARD)
    assert data_tier_for(user, prince_george) is None


def test_anonymous_user_gets_only_the_public_aggregate_tier(db, prince_george):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not has_permission(anonymous, Permission.VIEW_COMMUNITY, prince_george)
    assert data_tier_for(anonymous, prince_george) is DataTier.AGGREGATE


def test_organization_without_coverage_sees_nothing(db, prince_george):
    membership = MembershipFactory(organization=OrganizationFactory(), role="outreach_worker")
    assert communities_visible_to(membership.user).count() == 0
    assert not has_permission(membership.user, Permission.VIEW_COMMUNITY, prince_george)


def test_only_administrator_may_use_admin(personas):
    allowed = {key for key, user in personas.items() if has_permission(user, Permission.USE_ADMIN)}
    assert allowed == {"administrator"}


def test_event_in_unknown_place_is_visible_only_to_wide_area_roles(
    epidemiologist, er_nurse, prince_george
):
    from cairn.surveillance.tests.factories import EventFactory

    unplaced = EventFactory(community=None)
    placed = EventFactory(community=prince_george)
    assert has_permission(epidemiologist, Permission.VIEW_LINE_LIST, unplaced)
    assert not has_permission(er_nurse, Permission.VIEW_LINE_LIST, unplaced)
    assert not has_permission(er_nurse, Permission.VIEW_LINE_LIST, placed)


def test_object_without_a_jurisdiction_is_refused_loudly(police_liaison):
    with pytest.raises(TypeError, match="access_jurisdiction"):
        has_permission(police_liaison, Permission.VIEW_AGGREGATES, object())


def test_every_role_has_a_name_description_and_explicit_permissions():
    from cairn.access.roles import ROLES

    for role in ROLES.values():
        assert role.name and len(role.description) > 40
        assert role.permissions, role.key
        assert all(isinstance(p, Permission) for p in role.permissions)


def test_inactive_user_loses_every_permission(police_liaison, prince_george):
    police_liaison.is_active = False
    police_liaison.save()
    police_liaison._cairn_grants = None
    assert not has_permission(police_liaison, Permission.VIEW_AGGREGATES, prince_george)
