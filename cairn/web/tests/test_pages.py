import re

from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from cairn.access.tests.factories import UserFactory


def test_healthz_answers_ok_without_touching_the_database(client):
    # No `db` fixture: any query would fail this test.
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_unknown_page_gets_the_friendly_404(client, db):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert "/no/such/page/" in html


def test_pages_are_accessible_layout(client, police_liaison):
    client.force_login(police_liaison)

    html = client.get(reverse("home")).content.decode()

    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert "<footer" in html
    assert "Contains information licensed under the" in html
    assert "Open Government Licence – British Columbia" in html
    assert 'lang="en-CA"' in html


def test_pages_load_no_asset_from_another_site(client, police_liaison, prince_george):
    pages = [client.get(reverse("login"))]
    client.force_login(police_liaison)
    for url in [
        reverse("home"),
        reverse("community_list"),
        reverse("community_detail", args=["bc-lha-prince-george"]),
    ]:
        pages.append(client.get(url))

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        for attribute in ('src="http', 'src="//', 'href="//', "@import", "url(http"):
            assert attribute not in html
        assert '<link rel="stylesheet" href="/static/cairn/cairn.css">' in html
        assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in html


def test_no_page_uses_stigmatizing_words(client, personas, prince_george):
    # Whole words: "addiction" is a preferred clinical term (a "Rapid Access Addiction
    # Clinic"), "addict" is not.
    words = ["addicts?", "abusers?", "junkies?", "drug users?", "substance abuse"]
    for key, user in personas.items():
        client.force_login(user)
        for url in [reverse("home"), reverse("community_list")]:
            html = client.get(url).content.decode().lower()
            for word in words:
                assert not re.search(rf"\b{word}\b", html), (key, url, word)


def test_sign_in_page_is_labelled(client, db):
    html = client.get(reverse("login")).content.decode()

    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'autocomplete="current-password"' in html


def test_account_without_role_gets_403_page_not_500_on_community(client, prince_george):
    client.force_login(UserFactory(username="newcomer"))

    response = client.get(reverse("community_detail", args=["bc-lha-prince-george"]))

    assert response.status_code == 403


def test_expired_form_gets_a_friendly_page(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "That form had expired" in response.content.decode()


def test_server_error_page_renders_without_a_request():
    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html
    assert "/static/cairn/cairn.css" in html
