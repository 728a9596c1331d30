"""Consent decides what the receiving organization sees: a snapshot of only the allowed
details, never the client record; withdrawing consent blanks it; reads are audited."""

import pytest

from cairn.access.models import AuditEvent
from cairn.referrals import access, actions
from cairn.referrals.actions import ReferralError
from cairn.referrals.models import SharedDetail
from cairn.referrals.tests.conftest import send

pytestmark = pytest.mark.django_db

#: What the person's record holds, detail by detail, as it would appear on a page.
ON_RECORD = {
    "name": ["Robin", "Tallgrass"],
    "date_of_birth": ["1991-04-12"],
    "contact": ["604-555-0142", "before noon"],
}


def received_page(client, user, referral) -> str:
    client.force_login(user)
    response = client.get(f"/referrals/{referral.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def received_json(client, user, referral) -> dict:
    client.force_login(user)
    response = client.get(f"/api/v1/referrals/{referral.pk}")
    assert response.status_code == 200
    return response.json()


def test_consent_to_name_and_reason_shares_nothing_else(
    client, er_nurse, service_intake, clinic_service, plan_referral
):
    referral = send(
        er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["name", "reason"]
    )
    assert set(referral.shared_details) == {"name", "reason"}
    assert referral.shared_details["name"] == ["Robin Tallgrass"]
    page = received_page(client, service_intake, referral)
    assert "Robin Tallgrass" in page
    assert "Wants to start OAT this week" in page
    for hidden in ("1991-04-12", "604-555-0142", "before noon"):
        assert hidden not in page
    data = received_json(client, service_intake, referral)
    assert set(data["shared_details"]) == {"name", "reason"}
    assert data["reason"] is None and data["client_id"] is None and data["person_label"] is None
    assert "1991" not in str(data) and "604-555" not in str(data)


@pytest.mark.parametrize("detail", [d.value for d in SharedDetail])
def test_each_detail_alone_is_the_only_one_the_receiver_sees(
    client, er_nurse, service_intake, clinic_service, plan_referral, detail
):
    referral = send(er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=[detail])
    data = received_json(client, service_intake, referral)
    assert set(data["shared_details"]) <= {detail}
    text = str(data)
    for key, values in ON_RECORD.items():
        if key != detail:
            for value in values:
                assert value not in text, f"{value!r} shown with consent to {detail} only"


def test_every_detail_from_the_record_when_all_are_allowed(er_nurse, clinic_service, plan_referral):
    referral = send(
        er_nurse,
        clinic_service,
        plan_referral_id=plan_referral.pk,
        allows=[d.value for d in SharedDetail],
    )
    shared = referral.shared_details
    assert shared["name"] == ["Robin Tallgrass"]
    assert shared["date_of_birth"] == ["1991-04-12"]
    assert shared["contact"][0].startswith("Phone call: 604-555-0142; preferred")
    assert "do not leave a message" in shared["contact"][0]
    assert shared["contact"][1] == "Safe contact: Text first; do not call before noon."
    assert shared["treatment"] == ["No OAT on record"]


def test_without_consent_only_the_reason_and_a_code(
    client, er_nurse, service_intake, clinic_service, plan_referral
):
    referral = send(er_nurse, clinic_service, plan_referral_id=plan_referral.pk)
    assert referral.consent_given is False
    assert referral.shared_details == {"reason": ["Wants to start OAT this week"]}
    page = received_page(client, service_intake, referral)
    assert referral.reference in page
    assert "Robin" not in page and "Tallgrass" not in page


def test_typed_details_not_allowed_are_dropped(outreach_worker, clinic_service):
    referral = send(
        outreach_worker,
        clinic_service,
        allows=["name"],
        details={"name": "Sam", "contact": "250-555-0100", "substances": "fentanyl"},
        person_label="Sam from the encampment",
    )
    assert referral.shared_details == {"name": ["Sam"]}


def test_details_cannot_be_shared_without_consent(outreach_worker, clinic_service):
    with pytest.raises(ReferralError) as refused:
        send(outreach_worker, clinic_service, consent_given=False, allows=["name"])
    assert refused.value.field == "consent_allows"


def test_consent_needs_how_it_was_given(outreach_worker, clinic_service):
    with pytest.raises(ReferralError) as refused:
        send(outreach_worker, clinic_service, allows=["name"], how="")
    assert refused.value.field == "consent_how"


def test_the_person_label_is_never_shown_to_the_receiver(
    client, outreach_worker, service_intake, clinic_service
):
    referral = send(outreach_worker, clinic_service, person_label="Sam from the encampment")
    assert "encampment" not in received_page(client, service_intake, referral)
    client.force_login(outreach_worker)
    assert "encampment" in client.get(f"/referrals/{referral.pk}/").content.decode()


def test_withdrawn_consent_blanks_what_the_receiver_sees(
    client, er_nurse, service_intake, clinic_service, plan_referral
):
    referral = send(
        er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["name", "reason"]
    )
    actions.withdraw_consent(
        actor=er_nurse,
        referral=referral,
        sides=access.sides_of(er_nurse, referral),
        note="Asked us to stop sharing",
    )
    referral.refresh_from_db()
    assert referral.shared_details == {}
    page = received_page(client, service_intake, referral)
    assert "Robin Tallgrass" not in page
    assert "withdrew their consent" in page
    change = referral.changes.get(kind="consent_withdrawn")
    assert "name" in change.note and change.changed_by == "er.nurse"
    assert [c.status for c in referral.changes.filter(kind="status")] == ["sent", "received"]


def test_only_the_sender_records_a_withdrawal(
    er_nurse, service_intake, clinic_service, plan_referral
):
    referral = send(er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["name"])
    with pytest.raises(ReferralError):
        actions.withdraw_consent(
            actor=service_intake, referral=referral, sides=access.sides_of(service_intake, referral)
        )


def test_reads_with_personal_details_are_audited(
    client, er_nurse, service_intake, clinic_service, plan_referral
):
    referral = send(er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["name"])
    received_page(client, service_intake, referral)
    received_json(client, service_intake, referral)
    client.get("/referrals/received/?status=all")
    reads = AuditEvent.objects.filter(actor_username="clinic.intake")
    assert reads.filter(action="referrals.referral.read", target_id=str(referral.pk)).count() == 2
    assert reads.filter(action="referrals.referral.list_receiver").count() == 1


def test_an_anonymous_referral_read_is_not_an_audited_personal_read(
    client, outreach_worker, service_intake, clinic_service
):
    referral = send(outreach_worker, clinic_service)
    received_page(client, service_intake, referral)
    assert not AuditEvent.objects.filter(
        action="referrals.referral.read", actor_username="clinic.intake"
    ).exists()


def test_sending_from_a_case_audits_the_record_read(er_nurse, clinic_service, plan_referral):
    before = AuditEvent.objects.filter(action="cases.client.read").count()
    send(er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["name"])
    assert AuditEvent.objects.filter(action="cases.client.read").count() == before + 1
