"""`organizations_where` (cairn.access.permissions) as case access uses it: the
organizations where a role grants a permission, with no membership query of its own."""

from cairn.access.models import Membership
from cairn.access.permissions import organizations_where
from cairn.access.roles import Permission
from cairn.access.tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from cairn.cases.access import care_team_organization_ids, case_manager_organization_ids


def test_organizations_where_follows_roles_per_organization(er_nurse, police_liaison, db):
    centre = Membership.objects.get(user=er_nurse).organization
    assert organizations_where(er_nurse, Permission.MANAGE_CASES) == [centre.pk]
    assert care_team_organization_ids(er_nurse) == [centre.pk]
    assert case_manager_organization_ids(er_nurse) == [centre.pk]
    assert organizations_where(police_liaison, Permission.VIEW_IDENTIFIABLE) == []
    assert case_manager_organization_ids(police_liaison) == []
    # A second organization where the same person only does outreach adds nothing.
    agency = OrganizationFactory()
    MembershipFactory(user=er_nurse, organization=agency, role="outreach_worker")
    er_nurse._cairn_grants = None
    assert organizations_where(er_nurse, Permission.VIEW_IDENTIFIABLE) == [centre.pk]
    assert organizations_where(er_nurse, Permission.VIEW_DASHBOARD) == sorted(
        [centre.pk, agency.pk]
    )


def test_a_superuser_or_an_anonymous_user_holds_no_organization(db):
    from django.contrib.auth.models import AnonymousUser

    root = UserFactory(username="root", is_superuser=True)
    assert organizations_where(root, Permission.VIEW_AUDIT_LOG) == []
    assert organizations_where(AnonymousUser(), Permission.VIEW_DASHBOARD) == []
