"""From an outreach encounter: the encounter's link preselects it; the referral keeps
the encounter's number; another organization's encounter is 404."""

import pytest

from cairn.outreach.tests.encounter_fixtures import northern_nurse, pg_team, record  # noqa: F401
from cairn.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_a_referral_from_an_encounter(client, outreach_worker, pg_team, clinic_service):  # noqa: F811
    encounter = record(outreach_worker, pg_team)
    client.force_login(outreach_worker)
    page = client.get(
        f"/referrals/send/?encounter={encounter.pk}&service={clinic_service.pk}"
    ).content.decode()
    assert f"From outreach encounter {encounter.pk}" in page
    assert f'name="encounter" value="{encounter.pk}"' in page
    response = client.post(
        "/referrals/send/",
        {
            "service": clinic_service.pk,
            "encounter": encounter.pk,
            "reason": "Asked for a same-day OAT start",
            "consent_given": "no",
            "idempotency_key": "from-encounter",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.source == "encounter" and referral.source_reference == str(encounter.pk)
    assert referral.from_organization_id == encounter.organization_id
    assert referral.shared_details == {"reason": ["Asked for a same-day OAT start"]}


def test_another_organizations_encounter_is_404(client, outreach_worker, peer_worker, pg_team):  # noqa: F811
    encounter = record(outreach_worker, pg_team)
    client.force_login(peer_worker)
    assert client.get(f"/referrals/send/?encounter={encounter.pk}").status_code == 404
    response = client.post(
        "/api/v1/referrals",
        {
            "service_id": 1,
            "encounter_id": encounter.pk,
            "reason": "x",
            "consent": {"given": False},
        },
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["field"] == "encounter"
