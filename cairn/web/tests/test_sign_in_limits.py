"""Failed sign-ins are limited per account and address, and per address: past a limit
the password is not checked until the oldest counted failure is older than the window."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.access.models import AuditEvent
from conftest import PERSONA_PASSWORD

NURSE_HOME = "198.51.100.7"
ELSEWHERE = "203.0.113.50"


def sign_in(client, username, password, address=NURSE_HOME):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, username, times, address=NURSE_HOME):
    for attempt in range(times):
        response = sign_in(client, username, f"wrong-guess-{attempt}", address)
        assert response.status_code == 200


@pytest.fixture(autouse=True)
def limits(settings):
    settings.CAIRN_SIGN_IN_ACCOUNT_LIMIT = 5
    settings.CAIRN_SIGN_IN_ADDRESS_LIMIT = 12
    settings.CAIRN_SIGN_IN_WINDOW_MINUTES = 15


def test_four_failures_still_let_the_right_password_in(client, police_liaison):
    fail(client, "police.liaison", 4)

    assert sign_in(client, "police.liaison", PERSONA_PASSWORD).status_code == 302


def test_after_five_failures_even_the_right_password_is_refused_and_audited(client, police_liaison):
    fail(client, "police.liaison", 5)

    response = sign_in(client, "police.liaison", PERSONA_PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins for this account" in page
    assert "_auth_user_id" not in client.session
    refused = AuditEvent.objects.get(action="auth.login_refused")
    assert refused.details == {
        "username": "police.liaison",
        "account": "police.liaison",
        "address": NURSE_HOME,
        "limit": "account",
    }
    # The refused try is not a failure of its own: it does not extend the wait.
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 5


def test_the_refusal_names_when_to_try_again(client, police_liaison):
    fail(client, "police.liaison", 5)
    first = AuditEvent.objects.filter(action="auth.login_failed").order_by("created_at")[0]

    page = sign_in(client, "police.liaison", "wrong").content.decode()

    until = timezone.localtime(first.created_at + timedelta(minutes=15)).strftime("%H:%M")
    assert f"Try again after {until}" in page


def test_the_account_limit_counts_the_name_however_it_is_typed(client, police_liaison):
    fail(client, "Police.Liaison", 3)
    fail(client, " police.liaison", 2)

    assert sign_in(client, "police.liaison", PERSONA_PASSWORD).status_code == 429


def test_failures_elsewhere_do_not_lock_the_person_out(client, police_liaison):
    fail(client, "police.liaison", 5, address=ELSEWHERE)

    assert sign_in(client, "police.liaison", PERSONA_PASSWORD, NURSE_HOME).status_code == 302
    client.post(reverse("logout"))
    assert sign_in(client, "police.liaison", PERSONA_PASSWORD, ELSEWHERE).status_code == 429


def test_the_account_may_try_again_once_the_failures_leave_the_window(client, police_liaison):
    fail(client, "police.liaison", 5)
    AuditEvent.objects.filter(action="auth.login_failed").update(
        created_at=timezone.now() - timedelta(minutes=16)
    )

    assert sign_in(client, "police.liaison", PERSONA_PASSWORD).status_code == 302


def test_one_failure_leaving_the_window_frees_one_try(client, police_liaison):
    fail(client, "police.liaison", 5)
    oldest = AuditEvent.objects.filter(action="auth.login_failed").order_by("created_at")[0]
    AuditEvent.objects.filter(pk=oldest.pk).update(
        created_at=timezone.now() - timedelta(minutes=16)
    )

    assert sign_in(client, "police.liaison", "wrong-again").status_code == 200
    assert sign_in(client, "police.liaison", PERSONA_PASSWORD).status_code == 429


def test_a_successful_sign_in_starts_the_count_again(client, police_liaison):
    fail(client, "police.liaison", 4)
    assert sign_in(client, "police.liaison", PERSONA_PASSWORD).status_code == 302
    client.post(reverse("logout"))

    fail(client, "police.liaison", 4)

    assert sign_in(client, "police.liaison", PERSONA_PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_stopped(client, police_liaison):
    for number in range(12):
        fail(client, f"someone.{number}", 1)

    response = sign_in(client, "police.liaison", PERSONA_PASSWORD)

    assert response.status_code == 429
    assert "Too many failed sign-ins from this network" in response.content.decode()
    assert AuditEvent.objects.get(action="auth.login_refused").details["limit"] == "address"
    assert sign_in(client, "police.liaison", PERSONA_PASSWORD, ELSEWHERE).status_code == 302


def test_the_refusal_page_keeps_the_name_and_asks_again(client, police_liaison):
    fail(client, "police.liaison", 5)

    page = sign_in(client, "police.liaison", PERSONA_PASSWORD).content.decode()

    assert 'value="police.liaison"' in page
    assert 'name="password"' in page
    assert "Please enter a correct username and password" not in page
