"""Who sees which referral, persona by persona: senders their organization's, receivers
those addressed to theirs, nobody else; outside those answers, 404."""

import pytest

from cairn.access.personas import PERSONAS
from cairn.referrals.tests.conftest import send

pytestmark = pytest.mark.django_db

SENDERS = {"er_nurse", "outreach_worker", "peer_worker"}
RECEIVERS = {"er_nurse", "service_intake"}


@pytest.fixture
def referral(outreach_worker, clinic_service):
    """The action team's referral to the clinic, with the person's name shared."""
    return send(
        outreach_worker,
        clinic_service,
        allows=["name"],
        details={"name": "Sam Whitehorse"},
    )


def status_for(client, user, url) -> int:
    client.force_login(user)
    return client.get(url).status_code


@pytest.mark.parametrize("who", sorted(PERSONAS))
def test_the_referral_page_per_persona(client, personas, referral, who):
    """The outreach worker sent it; the clinic's intake receives it. The ER nurse and the
    peer worker send and receive, but for other organizations: 404. Everyone else: 403."""
    expected = {"outreach_worker": 200, "service_intake": 200}.get(who)
    if expected is None:
        expected = 404 if who in SENDERS | RECEIVERS else 403
    assert status_for(client, personas[who], f"/referrals/{referral.pk}/") == expected
    api = f"/api/v1/referrals/{referral.pk}"
    assert status_for(client, personas[who], api) == expected


@pytest.mark.parametrize("who", sorted(PERSONAS))
def test_the_lists_per_persona(client, personas, referral, who):
    user = personas[who]
    client.force_login(user)
    sent = client.get("/referrals/sent/?status=all")
    received = client.get("/referrals/received/?status=all")
    assert sent.status_code == (200 if who in SENDERS else 403)
    assert received.status_code == (200 if who in RECEIVERS else 403)
    on_sent = sent.status_code == 200 and referral.reference in sent.content.decode()
    on_received = received.status_code == 200 and referral.reference in received.content.decode()
    assert on_sent == (who == "outreach_worker")
    assert on_received == (who == "service_intake")


def test_the_sender_lists_show_the_status_both_sides_see(
    client, outreach_worker, service_intake, referral
):
    client.force_login(service_intake)
    client.post(f"/referrals/{referral.pk}/step/", {"step": "accept"})
    for user, url in (
        (outreach_worker, "/referrals/sent/"),
        (service_intake, "/referrals/received/"),
    ):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert 'data-status="accepted">Accepted' in page


def test_peer_worker_sends_for_their_own_organization(client, peer_worker, clinic_service):
    referral = send(peer_worker, clinic_service)
    assert referral.from_organization.name == "Prince George Peer Support Network"
    client.force_login(peer_worker)
    assert client.get(f"/referrals/{referral.pk}/").status_code == 200


def test_the_receiver_cannot_cancel_and_the_sender_cannot_accept_on_the_page(
    client, outreach_worker, service_intake, referral
):
    client.force_login(outreach_worker)
    response = client.post(f"/referrals/{referral.pk}/step/", {"step": "accept"})
    assert response.status_code == 400
    assert "only the receiving organization" in response.content.decode()
    client.force_login(service_intake)
    response = client.post(f"/referrals/{referral.pk}/step/", {"step": "cancel", "note": "x"})
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_outreach_worker_cannot_send_from_a_case(client, outreach_worker, plan_referral):
    """Sending from a case follows the case-management rules: care team of a holding
    organization only."""
    client.force_login(outreach_worker)
    response = client.get(f"/referrals/send/?plan_referral={plan_referral.pk}")
    assert response.status_code == 403


def test_a_care_team_of_another_organization_gets_404_for_the_case(
    client, other_clinician, plan_referral
):
    client.force_login(other_clinician)
    assert client.get(f"/referrals/send/?plan_referral={plan_referral.pk}").status_code == 404


def test_an_encounter_of_another_organization_is_404(client, peer_worker):
    client.force_login(peer_worker)
    assert client.get("/referrals/send/?encounter=999999").status_code == 404


def test_a_case_referral_is_for_the_sending_care_team_only(
    client, er_nurse, clinic_service, plan_referral
):
    """A member of the nurse's centre who may send referrals but is not on its care team
    sees the centre's direct referrals, never one sent from a person's case."""
    from cairn.access.tests.factories import MembershipFactory, UserFactory

    centre = er_nurse.memberships.get().organization
    colleague = UserFactory(username="centre.outreach")
    MembershipFactory(user=colleague, organization=centre, role="outreach_worker")
    from_case = send(er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["name"])
    direct = send(er_nurse, clinic_service)
    client.force_login(colleague)
    assert client.get(f"/referrals/{from_case.pk}/").status_code == 404
    assert client.get(f"/referrals/{direct.pk}/").status_code == 200
    page = client.get("/referrals/sent/?status=all").content.decode()
    assert direct.reference in page and from_case.reference not in page
