"""The send page: choosing a service, what a service without a partner offers instead,
consent and what to share, and refused input kept with its error."""

import pytest

from cairn.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_the_search_finds_services_and_marks_those_without_a_partner(
    client, outreach_worker, clinic_service, unpartnered_service
):
    client.force_login(outreach_worker)
    page = client.get("/referrals/send/?q=treatment").content.decode()
    assert clinic_service.name in page
    assert f"?service={clinic_service.pk}" in page
    page = client.get("/referrals/send/?q=shelter").content.decode()
    assert "no closed-loop referrals: contact it directly" in page
    partial = client.get("/referrals/send/services/?q=shelter", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "Emergency shelter beds" in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_a_service_without_a_partner_offers_its_contact_details(
    client, outreach_worker, unpartnered_service
):
    client.force_login(outreach_worker)
    page = client.get(f"/referrals/send/?service={unpartnered_service.pk}").content.decode()
    assert "cannot take closed-loop referrals" in page
    assert "Phone: 250-555-0199 (front desk)" in page
    assert "beds@shelter.example" in page
    assert 'id="send-form"' not in page


def test_a_partner_service_shows_the_form_with_every_detail_to_choose(
    client, outreach_worker, clinic_service
):
    client.force_login(outreach_worker)
    page = client.get(f"/referrals/send/?service={clinic_service.pk}").content.decode()
    assert 'id="send-form"' in page
    assert "Received by <strong>Prince George Rapid Access Addiction Clinic</strong>" in page
    for value in ("name", "date_of_birth", "contact", "reason", "substances", "treatment", "group"):
        assert f'name="consent_allows" value="{value}"' in page


def test_from_a_case_the_plan_referral_is_preselected(
    client, er_nurse, clinic_service, plan_referral
):
    client.force_login(er_nurse)
    page = client.get(
        f"/referrals/send/?service={clinic_service.pk}&plan_referral={plan_referral.pk}"
    ).content.decode()
    assert "From the care plan of <strong>Robin Tallgrass</strong>" in page
    assert f'name="plan_referral" value="{plan_referral.pk}"' in page
    assert 'name="detail_name"' not in page  # details come from the record


def test_refused_input_is_kept_with_its_error(client, outreach_worker, clinic_service):
    client.force_login(outreach_worker)
    response = client.post(
        "/referrals/send/",
        {
            "service": clinic_service.pk,
            "reason": "Needs a same-day start",
            "consent_given": "yes",
            "consent_allows": ["name"],
            "detail_name": "Sam",
            "idempotency_key": "kept-key",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="consent_how"' in page
    assert "Needs a same-day start" in page
    assert 'value="kept-key"' in page
    assert 'value="name" checked' in page
    assert Referral.objects.count() == 0


def test_sending_from_the_page_with_consent(client, outreach_worker, clinic_service):
    client.force_login(outreach_worker)
    response = client.post(
        "/referrals/send/",
        {
            "service": clinic_service.pk,
            "reason": "Needs a same-day start",
            "consent_given": "yes",
            "consent_how": "written",
            "consent_allows": ["name", "reason"],
            "detail_name": "Sam",
            "detail_contact": "250-555-0100",
            "idempotency_key": "page-1",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == f"/referrals/{referral.pk}/"
    assert referral.shared_details == {"name": ["Sam"], "reason": ["Needs a same-day start"]}
    assert referral.consent_how == "written" and referral.consent_recorded_by == "outreach.worker"


def test_steps_on_the_page_under_htmx(client, outreach_worker, service_intake, clinic_service):
    client.force_login(outreach_worker)
    client.post(
        "/referrals/send/",
        {
            "service": clinic_service.pk,
            "reason": "x",
            "consent_given": "no",
            "idempotency_key": "h",
        },
    )
    referral = Referral.objects.get()
    client.force_login(service_intake)
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert 'value="accept"' in page and 'value="decline"' in page
    response = client.post(
        f"/referrals/{referral.pk}/step/", {"step": "decline"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert 'data-field="note"' in response.content.decode()
    response = client.post(
        f"/referrals/{referral.pk}/step/", {"step": "accept"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'data-status="accepted"' in response.content.decode()


def test_an_unknown_plan_referral_in_the_address_is_404(client, er_nurse):
    client.force_login(er_nurse)
    assert client.get("/referrals/send/?plan_referral=abc").status_code == 404
    assert client.get("/referrals/send/?plan_referral=999999").status_code == 404


def test_a_typed_date_of_birth_must_be_a_date(client, outreach_worker, clinic_service):
    client.force_login(outreach_worker)
    response = client.post(
        "/referrals/send/",
        {
            "service": clinic_service.pk,
            "reason": "x",
            "consent_given": "yes",
            "consent_how": "verbal",
            "consent_allows": ["date_of_birth"],
            "detail_date_of_birth": "spring 1990",
        },
    )
    assert response.status_code == 400
    assert 'data-field="details.date_of_birth"' in response.content.decode()


def test_long_lists_come_a_page_at_a_time(client, outreach_worker, clinic_service):
    from cairn.referrals.queries import LIST_LIMIT
    from cairn.referrals.tests.conftest import send

    first = send(outreach_worker, clinic_service)
    for _ in range(LIST_LIMIT):
        send(outreach_worker, clinic_service)
    client.force_login(outreach_worker)
    page = client.get("/referrals/sent/").content.decode()
    assert page.count('class="pill pill-status"') == LIST_LIMIT
    assert "Older referrals" in page and first.reference not in page
    older = client.get("/referrals/sent/?status=open&page=2").content.decode()
    assert first.reference in older and "Older referrals" not in older


def test_an_inactive_service_offers_no_form(client, outreach_worker, clinic_service):
    clinic_service.status = "temporarily closed"
    clinic_service.save()
    client.force_login(outreach_worker)
    page = client.get(f"/referrals/send/?service={clinic_service.pk}").content.decode()
    assert "This service is temporarily closed" in page
    assert 'id="send-form"' not in page
