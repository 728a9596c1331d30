"""Admin access comes from Cairn's roles: USE_ADMIN to enter, MANAGE_ORGANIZATIONS to change."""

import pytest
from django.urls import reverse

from cairn.access.models import AuditEvent, Membership, Organization
from cairn.access.personas import PERSONAS
from cairn.geography.models import Jurisdiction
from cairn.surveillance.models import Event, EventIdentity
from cairn.web.admin_site import cairn_admin_site

NOT_ADMINISTRATORS = [key for key in PERSONAS if key != "administrator"]
ADMIN_PAGES = [
    "admin:index",
    "admin:access_organization_changelist",
    "admin:access_membership_changelist",
    "admin:access_auditevent_changelist",
    "admin:geography_jurisdiction_changelist",
]


@pytest.mark.parametrize("key", NOT_ADMINISTRATORS)
def test_members_without_admin_role_are_refused_with_403(client, personas, key):
    client.force_login(personas[key])

    for name in ADMIN_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 403, name
    assert "You don't have access to this page" in response.content.decode()


def test_staff_flag_alone_does_not_open_admin(client, police_liaison):
    police_liaison.is_staff = True
    police_liaison.save()
    client.force_login(police_liaison)

    assert client.get(reverse("admin:index")).status_code == 403


def test_anonymous_visitor_is_sent_to_cairn_sign_in(client, db):
    response = client.get(reverse("admin:access_organization_changelist"))

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/access/organization/"


def test_admin_login_page_hands_over_to_cairn_sign_in(client, db):
    response = client.get(reverse("admin:login"), {"next": "/admin/"})

    assert response["Location"] == "/login/?next=/admin/"


def test_admin_login_page_refuses_signed_in_non_administrator(client, police_liaison):
    client.force_login(police_liaison)

    assert client.get(reverse("admin:login")).status_code == 403


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_administrator_opens_admin_pages(client, administrator, name):
    client.force_login(administrator)

    assert client.get(reverse(name)).status_code == 200


def test_identifiable_and_line_list_data_are_not_in_admin():
    registered = cairn_admin_site._registry
    assert EventIdentity not in registered
    assert Event not in registered
    assert {Organization, Membership, AuditEvent, Jurisdiction} <= set(registered)


def test_audit_log_is_read_only(client, administrator):
    client.force_login(administrator)
    event = AuditEvent.objects.first()

    assert client.get(reverse("admin:access_auditevent_add")).status_code == 403
    change = client.post(
        reverse("admin:access_auditevent_change", args=[event.pk]), {"summary": "rewritten"}
    )
    assert change.status_code == 403
    delete = client.post(
        reverse("admin:access_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exclude(summary="rewritten").exists()


def test_geography_is_read_only_in_admin(client, administrator, prince_george):
    client.force_login(administrator)

    assert client.get(reverse("admin:geography_jurisdiction_add")).status_code == 403
    page = client.get(reverse("admin:geography_jurisdiction_change", args=[prince_george.pk]))
    assert page.status_code == 200
    assert "boundary" not in page.content.decode().lower().split("<form")[1].split("</form>")[0]


def test_changing_an_organization_in_admin_is_audited(client, administrator, prince_george):
    client.force_login(administrator)
    organization = Organization.objects.get(name="City of Prince George")
    northern = Jurisdiction.objects.get(code="bc-ha-northern")

    response = client.post(
        reverse("admin:access_organization_change", args=[organization.pk]),
        {
            "name": "City of Prince George",
            "slug": organization.slug,
            "sector": organization.sector,
            "coverage": [northern.pk],
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(organization.coverage.all()) == [northern]
    event = AuditEvent.objects.get(action="admin.change")
    assert event.actor_username == "admin"
    assert event.target_type == "access.organization"
    assert event.target_id == str(organization.pk)
    assert event.details == {"changed": {"coverage": ["Northern (Health authority)"]}}


def test_adding_a_membership_in_admin_is_audited(client, administrator, police_liaison):
    client.force_login(administrator)
    organization = Organization.objects.get(name="City of Prince George")

    response = client.post(
        reverse("admin:access_membership_add"),
        {
            "user": police_liaison.pk,
            "organization": organization.pk,
            "role": "municipal_coordinator",
        },
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=police_liaison, organization=organization)
    event = AuditEvent.objects.get(action="admin.add")
    assert event.target_id == str(membership.pk)
    assert event.details["changed"]["role"] == "municipal_coordinator"


def test_deleting_a_membership_in_admin_is_audited(client, administrator, police_liaison):
    client.force_login(administrator)
    membership = police_liaison.memberships.get()

    response = client.post(
        reverse("admin:access_membership_delete", args=[membership.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(action="admin.delete")
    assert event.target_type == "access.membership"
    assert event.target_id == str(membership.pk)


def test_bulk_delete_in_admin_audits_each_membership(
    client, administrator, police_liaison, peer_worker
):
    client.force_login(administrator)
    ids = [police_liaison.memberships.get().pk, peer_worker.memberships.get().pk]

    response = client.post(
        reverse("admin:access_membership_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )

    assert response.status_code == 302
    deleted = AuditEvent.objects.filter(action="admin.delete").values_list("target_id", flat=True)
    assert sorted(deleted) == sorted(str(pk) for pk in ids)


def test_admin_sign_out_goes_through_cairn_and_is_audited(client, administrator):
    client.force_login(administrator)

    response = client.post(reverse("admin:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=administrator.pk).exists()
