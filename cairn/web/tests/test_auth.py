from django.urls import reverse

from cairn.access.models import AuditEvent
from conftest import PERSONA_PASSWORD


def test_sign_in_is_audited(client, police_liaison):
    response = client.post(
        reverse("login"), {"username": "police.liaison", "password": PERSONA_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor_id == police_liaison.pk
    assert event.actor_username == "police.liaison"


def test_failed_sign_in_is_audited_with_the_username_but_not_the_password(client, police_liaison):
    response = client.post(
        reverse("login"), {"username": "police.liaison", "password": "wrong-guess-123"}
    )

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.details == {
        "username": "police.liaison",
        "account": "police.liaison",
        "address": "127.0.0.1",
    }
    assert event.actor_id is None
    assert "wrong-guess-123" not in str(event.details) + event.summary


def test_failed_sign_in_of_an_unknown_name_is_audited(client, db):
    client.post(reverse("login"), {"username": "nobody", "password": "x"})

    assert AuditEvent.objects.filter(
        action="auth.login_failed", details__username="nobody"
    ).exists()


def test_sign_in_returns_to_the_page_asked_for(client, police_liaison):
    response = client.post(
        f"{reverse('login')}?next=/communities/",
        {"username": "police.liaison", "password": PERSONA_PASSWORD, "next": "/communities/"},
    )

    assert response["Location"] == "/communities/"


def test_sign_in_never_redirects_to_another_site(client, police_liaison):
    response = client.post(
        reverse("login"),
        {
            "username": "police.liaison",
            "password": PERSONA_PASSWORD,
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == reverse("home")


def test_sign_out_is_audited_and_ends_the_session(client, police_liaison):
    client.force_login(police_liaison)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    event = AuditEvent.objects.get(action="auth.logout")
    assert event.actor_id == police_liaison.pk
    assert client.get(reverse("home")).status_code == 302


def test_sign_out_needs_a_post(client, police_liaison):
    client.force_login(police_liaison)

    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200
    assert not AuditEvent.objects.filter(action="auth.logout").exists()


def test_signed_in_visitor_skips_the_sign_in_page(client, police_liaison):
    client.force_login(police_liaison)

    response = client.get(reverse("login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
