"""A referral's steps: sent → received → accepted or declined → completed or no-show,
cancelled by the sender before acceptance; every step a change row; the care plan's
referral kept in step."""

import pytest

from cairn.access.models import AuditEvent
from cairn.cases.models.plans import ReferralStatus as PlanStatus
from cairn.referrals import access, actions
from cairn.referrals.actions import ReferralError
from cairn.referrals.models import ReferralSource
from cairn.referrals.tests.conftest import consent, send

pytestmark = pytest.mark.django_db


def sides(user, referral):
    return access.sides_of(user, referral)


def step(user, referral, name, note=""):
    return actions.take_step(
        actor=user, referral=referral, sides=sides(user, referral), step=name, note=note
    )


def test_sent_directly_is_addressed_to_the_services_partner(
    outreach_worker, service_intake, clinic_service
):
    referral = send(outreach_worker, clinic_service, person_label="Met at the shelter")
    assert referral.status == "sent"
    assert referral.source == ReferralSource.DIRECT
    assert referral.to_organization.name == "Prince George Rapid Access Addiction Clinic"
    assert referral.from_organization.name == "Prince George Community Action Team"
    assert referral.reference.startswith("R-") and len(referral.reference) == 11
    assert [c.status for c in referral.changes.all()] == ["sent"]
    assert (referral.respond_by - referral.sent_at).days == 2
    assert AuditEvent.objects.filter(action="referrals.referral.send", target_id=str(referral.pk))


def test_receiver_opening_it_marks_it_received_once(
    client, outreach_worker, service_intake, clinic_service
):
    referral = send(outreach_worker, clinic_service)
    client.force_login(service_intake)
    assert client.get(f"/referrals/{referral.pk}/").status_code == 200
    client.get(f"/referrals/{referral.pk}/")
    referral.refresh_from_db()
    assert referral.status == "received"
    assert referral.received_at is not None
    assert [c.status for c in referral.changes.all()] == ["sent", "received"]


def test_sender_opening_it_does_not_mark_it_received(client, outreach_worker, clinic_service):
    referral = send(outreach_worker, clinic_service)
    client.force_login(outreach_worker)
    client.get(f"/referrals/{referral.pk}/")
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_accepted_then_completed_by_the_receiver(outreach_worker, service_intake, clinic_service):
    referral = send(outreach_worker, clinic_service)
    referral = step(service_intake, referral, "accept")
    assert referral.status == "accepted"
    assert (referral.complete_by - referral.answered_at).days == 30
    referral = step(service_intake, referral, "complete", "Started on buprenorphine")
    assert referral.status == "completed"
    # Accepting before opening the page records "received" first.
    assert [c.status for c in referral.changes.all()] == [
        "sent",
        "received",
        "accepted",
        "completed",
    ]
    assert referral.changes.last().note == "Started on buprenorphine"


def test_no_show_after_acceptance(outreach_worker, service_intake, clinic_service):
    referral = step(service_intake, send(outreach_worker, clinic_service), "accept")
    assert step(service_intake, referral, "no_show").status == "no_show"


def test_decline_needs_a_reason(outreach_worker, service_intake, clinic_service):
    referral = send(outreach_worker, clinic_service)
    with pytest.raises(ReferralError) as refused:
        step(service_intake, referral, "decline")
    assert refused.value.field == "note"
    referral = step(
        service_intake, referral, "decline", "No capacity this month; try the Fort St. John clinic"
    )
    assert referral.status == "declined"
    assert referral.outcome_note.startswith("No capacity")


def test_a_repeated_step_records_one_change(outreach_worker, service_intake, clinic_service):
    referral = send(outreach_worker, clinic_service)
    step(service_intake, referral, "accept")
    step(service_intake, referral, "accept")
    assert referral.changes.filter(status="accepted").count() == 1


def test_only_the_receiver_answers_and_only_the_sender_cancels(
    outreach_worker, service_intake, clinic_service
):
    referral = send(outreach_worker, clinic_service)
    with pytest.raises(ReferralError) as refused:
        step(outreach_worker, referral, "accept")
    assert refused.value.field == "step"
    with pytest.raises(ReferralError):
        step(service_intake, referral, "cancel", "not ours to cancel")


def test_sender_cancels_before_acceptance_not_after(
    outreach_worker, service_intake, clinic_service
):
    referral = send(outreach_worker, clinic_service)
    assert step(outreach_worker, referral, "cancel", "The person moved away").status == "cancelled"
    other = step(service_intake, send(outreach_worker, clinic_service), "accept")
    with pytest.raises(ReferralError) as refused:
        step(outreach_worker, other, "cancel", "changed our mind")
    assert "accepted referral cannot be cancelled" in str(refused.value)


def test_final_statuses_take_no_more_steps(outreach_worker, service_intake, clinic_service):
    referral = step(service_intake, send(outreach_worker, clinic_service), "accept")
    referral = step(service_intake, referral, "complete")
    with pytest.raises(ReferralError) as refused:
        step(service_intake, referral, "no_show")
    assert "final" in str(refused.value)


def test_unknown_step_names_the_field(outreach_worker, service_intake, clinic_service):
    referral = send(outreach_worker, clinic_service)
    with pytest.raises(ReferralError) as refused:
        step(service_intake, referral, "approve")
    assert refused.value.field == "step"


def test_a_service_without_a_partner_cannot_take_one(outreach_worker, unpartnered_service):
    with pytest.raises(ReferralError) as refused:
        send(outreach_worker, unpartnered_service)
    assert refused.value.field == "service"
    assert "no Cairn partner" in str(refused.value)


def test_an_inactive_service_cannot_take_one(outreach_worker, clinic_service):
    clinic_service.status = "temporarily closed"
    clinic_service.save()
    with pytest.raises(ReferralError) as refused:
        send(outreach_worker, clinic_service)
    assert refused.value.field == "service"


def test_the_outreach_interface_sends_from_an_encounter(outreach_worker, clinic_service):
    """What "enc" calls: send_referral with source="encounter"."""
    organization = access.sending_organization_for(outreach_worker)
    referral = actions.send_referral(
        actor=outreach_worker,
        from_organization=organization,
        service=clinic_service,
        reason="Asked about starting treatment",
        consent=consent(),
        source="encounter",
        source_reference="4711",
        person_label="Encounter 4711",
        creation_key="enc-4711",
    )
    again = actions.send_referral(
        actor=outreach_worker,
        from_organization=organization,
        service=clinic_service,
        reason="Asked about starting treatment",
        consent=consent(),
        source="encounter",
        source_reference="4711",
        creation_key="enc-4711",
    )
    assert again.pk == referral.pk
    assert referral.source == "encounter" and referral.source_reference == "4711"
    assert referral.shared_details == {"reason": ["Asked about starting treatment"]}


# The care plan -----------------------------------------------------------------------


def test_the_care_plan_referral_follows_every_step(
    er_nurse, service_intake, clinic_service, plan_referral
):
    referral = send(
        er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["name", "reason"]
    )
    assert referral.source == "case" and referral.client_id == plan_referral.client_id
    plan_referral.refresh_from_db()
    assert plan_referral.status == PlanStatus.SENT
    step(service_intake, referral, "accept")
    plan_referral.refresh_from_db()
    assert plan_referral.status == PlanStatus.ACCEPTED
    step(service_intake, referral, "complete")
    plan_referral.refresh_from_db()
    assert plan_referral.status == PlanStatus.COMPLETED
    notes = [c.note for c in plan_referral.changes.all()]
    assert any(referral.reference in note and "completed" in note for note in notes)


def test_a_cancelled_referral_lets_the_plan_referral_be_sent_again(
    er_nurse, clinic_service, plan_referral
):
    first = send(er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["reason"])
    with pytest.raises(ReferralError) as refused:
        send(er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["reason"])
    assert refused.value.field == "plan_referral"
    step(er_nurse, first, "cancel", "Wrong clinic")
    plan_referral.refresh_from_db()
    assert plan_referral.status == PlanStatus.PROPOSED
    second = send(er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["reason"])
    assert second.pk != first.pk


def test_the_plan_page_links_to_sending_and_shows_the_status(
    client, er_nurse, service_intake, clinic_service, plan_referral
):
    client.force_login(er_nurse)
    page = client.get(f"/cases/clients/{plan_referral.client_id}/plan/").content.decode()
    assert f"/referrals/send/?plan_referral={plan_referral.pk}" in page
    referral = send(er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["reason"])
    step(service_intake, referral, "accept")
    page = client.get(f"/cases/clients/{plan_referral.client_id}/plan/").content.decode()
    assert referral.reference in page
    assert '<strong class="closed-loop-status">accepted</strong>' in page
    assert f"/referrals/send/?plan_referral={plan_referral.pk}" not in page
