"""The case pages as the ER nurse uses them: worklist → record → case → merge."""

import datetime as dt

from django.urls import reverse

from cairn.access.models import AuditEvent
from cairn.cases.models import Client, ClientMerge, EpisodeSource, OverdoseEpisode, RecordStatus
from cairn.cases.tests.conftest import make_client

BORN = dt.date(1988, 4, 9)


def new_person(**overrides) -> dict:
    data = {
        "given_name": "Alex",
        "family_name": "Testerson",
        "date_of_birth": "1988-04-09",
        "sex": "M",
        "health_number": "9999 012 345",
        "health_number_kind": "phn",
        "phone": "604 555 0123",
        "phone_safe_to_leave_message": "no",
        "idempotency_key": "form-1",
    }
    return {**data, **overrides}


def test_worklist_shows_the_visit_without_a_name(client, er_nurse, nurse_record):
    client.force_login(er_nurse)
    response = client.get(reverse("cases:worklist"))
    assert response.status_code == 200
    assert reverse("cases:source_record", args=[nurse_record.pk]) in response.content.decode()
    assert "Testerson" not in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")  # never cached


def test_worklist_filters_refuse_bad_values_clearly(client, er_nurse, nurse_record):
    client.force_login(er_nurse)
    for query in (
        {"source": "coroner"},
        {"days": "many"},
        {"days": "5"},
        {"community": "bc-lha-prince-george"},
    ):
        response = client.get(reverse("cases:worklist"), query)
        assert response.status_code == 400, query
        assert "Nothing was changed" in response.content.decode()


def test_worklist_partial_for_htmx(client, er_nurse, nurse_record):
    client.force_login(er_nurse)
    response = client.get(reverse("cases:worklist"), {"days": "7"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_record_page_shows_the_identity_and_opens_a_case_for_a_new_person(
    client, er_nurse, nurse_record
):
    client.force_login(er_nurse)
    page = client.get(reverse("cases:source_record", args=[nurse_record.pk]))
    assert page.status_code == 200
    assert "Testerson" in page.content.decode()  # the audited identity
    url = reverse("cases:open_from_record", args=[nurse_record.pk])
    response = client.post(url, new_person())
    client_record = Client.objects.get()
    assert response.status_code == 302
    assert response.url.startswith(reverse("cases:client_detail", args=[client_record.pk]))
    episode = OverdoseEpisode.objects.get()
    assert EpisodeSource.objects.get().event == nurse_record and episode.client == client_record
    # A double-submitted form makes nothing new.
    again = client.post(url, new_person())
    assert again.status_code == 302
    assert Client.objects.count() == 1 and OverdoseEpisode.objects.count() == 1


def test_record_page_offers_the_person_on_record(client, er_nurse, nurse_record):
    known = make_client(
        er_nurse,
        given_name="Alex",
        family_name="Testerson",
        date_of_birth=BORN,
        health_number="9999012345",
    )
    client.force_login(er_nurse)
    page = client.get(reverse("cases:source_record", args=[nurse_record.pk])).content.decode()
    assert "Same health number" in page
    assert f'name="client" value="{known.pk}"' in page
    response = client.post(
        reverse("cases:open_from_record", args=[nurse_record.pk]), {"client": known.pk}
    )
    assert response.status_code == 302
    assert OverdoseEpisode.objects.get().client == known
    # A new record with the same health number is refused with the candidate shown.
    other = client.post(reverse("cases:client_create"), new_person(idempotency_key="form-2"))
    assert other.status_code == 409
    assert "already exists" in other.content.decode()


def test_new_person_form_warns_of_a_possible_duplicate_then_allows_it(client, er_nurse):
    known = make_client(er_nurse, given_name="Alex", family_name="Testerson", date_of_birth=BORN)
    client.force_login(er_nurse)
    url = reverse("cases:client_create")
    data = new_person(given_name="Alec", family_name="Testersen", health_number="")
    warned = client.post(url, data)
    assert warned.status_code == 409
    body = warned.content.decode()
    assert "Possible duplicate" in body and "Same date of birth (1988-04-09)" in body
    assert Client.objects.count() == 1
    confirmed = client.post(
        url, {**data, "different_from": str(known.pk), "confirmed_different": "on"}
    )
    assert confirmed.status_code == 302
    assert Client.objects.count() == 2


def test_duplicate_check_while_typing_returns_a_partial(client, er_nurse):
    make_client(er_nurse, given_name="Alex", family_name="Testerson", date_of_birth=BORN)
    client.force_login(er_nurse)
    response = client.post(
        reverse("cases:duplicate_check"),
        {"given_name": "Alec", "family_name": "Testerson"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "possible duplicate" in response.content.decode()
    assert AuditEvent.objects.filter(action="cases.client.duplicate_check").exists()


def test_bad_input_on_the_new_person_form_is_explained(client, er_nurse):
    client.force_login(er_nurse)
    response = client.post(
        reverse("cases:client_create"), {"date_of_birth": "2999-01-01", "health_number": "12"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "cannot be in the future" in body
    assert "10 digits" in body
    assert "name or an alias" in body


def test_case_page_shows_the_timeline_and_adds_an_alias_with_htmx(client, er_nurse):
    person = make_client(er_nurse, given_name="Alex", family_name="Testerson")
    client.force_login(er_nurse)
    page = client.get(reverse("cases:client_detail", args=[person.pk]))
    assert page.status_code == 200 and "Record created" in page.content.decode()
    response = client.post(
        reverse("cases:client_add_name", args=[person.pk]),
        {"kind": "alias", "given_name": "Sparrow"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Sparrow" in response.content.decode()
    empty = client.post(reverse("cases:client_add_name", args=[person.pk]), {"kind": "alias"})
    assert empty.status_code == 400


def test_unknown_purpose_in_the_address_is_a_400(client, er_nurse):
    person = make_client(er_nurse, given_name="Alex", family_name="Testerson")
    client.force_login(er_nurse)
    response = client.get(reverse("cases:client_detail", args=[person.pk]), {"purpose": "x"})
    assert response.status_code == 400


def test_link_identity_page_records_consent(client, er_nurse):
    person = make_client(er_nurse, aliases=["Sparrow"])
    client.force_login(er_nurse)
    url = reverse("cases:client_link_identity", args=[person.pk])
    refused = client.post(url, {"given_name": "Robin", "family_name": "Testa"})
    assert refused.status_code == 400  # no consent given
    done = client.post(
        url, {"given_name": "Robin", "family_name": "Testa", "consent_method": "verbal"}
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.display_name == "Robin Testa"


def test_manual_episode_page(client, er_nurse, vancouver_centre_north):
    person = make_client(er_nurse, aliases=["Sparrow"])
    client.force_login(er_nurse)
    url = reverse("cases:episode_create", args=[person.pk])
    assert client.get(url).status_code == 200
    data = {
        "occurred_at": "2024-05-01T22:00",
        "community": vancouver_centre_north.code,
        "summary": "Told us at the drop-in",
        "idempotency_key": "e1",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert OverdoseEpisode.objects.get().community == vancouver_centre_north
    assert client.post(url, {**data, "occurred_at": "soon"}).status_code == 400


def test_merge_pages_and_undo(client, er_nurse):
    named = make_client(er_nurse, given_name="Alex", family_name="Testerson", date_of_birth=BORN)
    alias = make_client(
        er_nurse,
        given_name="Alec",
        family_name="Testersen",
        date_of_birth=BORN,
        different_from=[named.pk],
    )
    client.force_login(er_nurse)
    url = reverse("cases:client_merge", args=[named.pk])
    choose = client.get(url).content.decode()
    assert f"?other={alias.pk}" in choose
    review = client.get(url, {"other": alias.pk})
    assert review.status_code == 200 and "Are these one person?" in review.content.decode()
    assert client.post(url, {"other": alias.pk, "keep": "this"}).status_code == 400  # no reason
    done = client.post(url, {"other": alias.pk, "keep": "this", "reason": "Same person"})
    assert done.status_code == 302
    alias.refresh_from_db()
    assert alias.status == RecordStatus.MERGED
    merged_page = client.get(reverse("cases:client_detail", args=[alias.pk])).content.decode()
    assert "was merged into" in merged_page
    merge = ClientMerge.objects.get()
    undo = client.post(reverse("cases:merge_undo", args=[merge.pk]), {"reason": "Twins"})
    assert undo.status_code == 302
    alias.refresh_from_db()
    assert alias.status == RecordStatus.ACTIVE


def test_set_aside_from_the_record_page(client, er_nurse, nurse_record):
    client.force_login(er_nurse)
    url = reverse("cases:set_aside", args=[nurse_record.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Lives in Alberta; referred there"}).status_code == 302
    assert list(client.get(reverse("cases:worklist")).context["page"]) == []


def test_ids_beyond_any_record_answer_404_not_500(client, er_nurse):
    client.force_login(er_nurse)
    huge = "99999999999999999999999"
    assert client.get(f"/cases/clients/{huge}/").status_code == 404
    assert client.get(f"/cases/records/{huge}/").status_code == 404
    assert client.get(f"/api/v1/cases/clients/{huge}").status_code in (404, 422)
    long_query = client.get(reverse("cases:client_search"), {"q": "x" * 500})
    assert long_query.status_code == 400
