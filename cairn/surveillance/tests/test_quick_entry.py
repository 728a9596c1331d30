"""First-responder quick entry: the phone form at /report/overdose/ and its JSON API."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.surveillance.models import Event

FORM_URL = "/report/overdose/"
API_URL = "/api/v1/reports/overdose"
PRINCE_GEORGE = "bc-lha-prince-george"
VANCOUVER = "bc-lha-vancouver-centre-north"
POINT_IN_PRINCE_GEORGE = {"latitude": "53.92", "longitude": "-122.75"}
POINT_IN_VANCOUVER = {"latitude": "49.2827", "longitude": "-123.1207"}
POINT_IN_THE_PACIFIC = {"latitude": "45.0", "longitude": "-140.0"}


def local_minute(**delta) -> str:
    when = timezone.localtime() - dt.timedelta(**delta)
    return when.strftime("%Y-%m-%dT%H:%M")


def form_data(**changes) -> dict:
    data = {
        "report_id": str(uuid.uuid4()),
        "occurred_at": local_minute(minutes=20),
        "reporting_service": "first_responder",
        "community": PRINCE_GEORGE,
        "latitude": "",
        "longitude": "",
        "fatal": "false",
        "naloxone_doses": "2",
        "substances": ["fentanyl", "stimulant"],
        "other_substance": "",
        "outcome": "transported",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def responder(client, first_responder):
    client.force_login(first_responder)
    return client


def test_urls():
    assert reverse("intake:overdose_report") == FORM_URL
    assert reverse("api:overdose_report") == API_URL


def test_the_form_offers_only_covered_communities_and_a_fresh_report_id(responder):
    response = responder.get(FORM_URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert [code for code, _ in form.community_choices()] == [PRINCE_GEORGE]
    assert uuid.UUID(form.initial["report_id"])
    assert responder.get(FORM_URL).context["form"].initial["report_id"] != form.initial["report_id"]
    assert b'name="report_id"' in response.content
    assert b"Use my location" in response.content  # revealed by script only


def test_a_report_is_stored_and_confirmed(responder, prince_george):
    data = form_data(other_substance="xylazine")
    response = responder.post(FORM_URL, data)

    assert response.status_code == 302
    assert response.url == f"/report/overdose/sent/{data['report_id']}/"
    event = Event.objects.get()
    assert event.source == "first_responder"
    assert event.community == prince_george
    assert event.placement == "code"
    assert event.fatal is False
    assert event.naloxone_doses == 2
    assert event.suspected_substances == ["fentanyl", "stimulant", "other:xylazine"]
    assert event.disposition == "transported"
    assert event.dedup_key == f"fr:{data['report_id']}"
    assert not hasattr(event, "identity") or event.identity is None
    page = responder.get(response.url)
    assert b"Report received" in page.content
    assert b"Prince George" in page.content
    assert b"Report another" in page.content


def test_sending_the_same_form_twice_stores_one_report(responder):
    data = form_data()
    responder.post(FORM_URL, data)
    again = responder.post(FORM_URL, data)

    assert again.status_code == 302
    assert Event.objects.count() == 1
    assert b"already received" in responder.get(again.url).content


def test_a_paramedic_service_reports_as_paramedic(responder):
    responder.post(FORM_URL, form_data(reporting_service="paramedic", outcome="refused_transport"))
    event = Event.objects.get()
    assert event.source == "paramedic"
    assert event.disposition == "left_ama"


def test_a_fatal_overdose(responder):
    responder.post(FORM_URL, form_data(fatal="true", outcome="died", naloxone_doses="0"))
    event = Event.objects.get()
    assert event.fatal is True
    assert event.disposition == "died"


def test_a_map_point_places_the_report(responder, prince_george):
    responder.post(FORM_URL, form_data(community="", **POINT_IN_PRINCE_GEORGE))
    event = Event.objects.get()
    assert event.community == prince_george
    assert event.placement == "point"


def test_a_point_in_no_community_goes_to_the_unknown_place_bucket(responder):
    response = responder.post(FORM_URL, form_data(community="", **POINT_IN_THE_PACIFIC))
    event = Event.objects.get()
    assert event.community is None
    assert event.placement == "unknown"
    page = responder.get(response.url)
    assert "unknown place" in page.content.decode()
    assert "outside every community boundary" in page.content.decode()


# Refusals: each keeps the input and says what is wrong next to the field.


def errors_of(response) -> dict:
    assert response.status_code == 400
    assert Event.objects.count() == 0
    return response.context["form"].errors


def test_a_community_outside_coverage_is_refused(responder):
    response = responder.post(FORM_URL, form_data(community=VANCOUVER))
    assert errors_of(response)["community"] == [
        "Your organization does not cover Vancouver - Centre North, so you cannot report "
        "overdoses there."
    ]


def test_an_unknown_community_code_is_refused(responder):
    response = responder.post(FORM_URL, form_data(community="atlantis"))
    assert "no community with the code" in errors_of(response)["community"][0]


def test_a_point_outside_coverage_is_refused(responder):
    response = responder.post(FORM_URL, form_data(community="", **POINT_IN_VANCOUVER))
    assert "which your organization does not cover" in errors_of(response)["latitude"][0]


def test_no_place_at_all_is_refused(responder):
    response = responder.post(FORM_URL, form_data(community=""))
    assert errors_of(response)["community"] == [
        "Choose the community, or use your location for a map point."
    ]


def test_half_a_point_is_refused(responder):
    response = responder.post(FORM_URL, form_data(community="", latitude="53.9"))
    assert errors_of(response)["latitude"] == ["Give both latitude and longitude, or neither."]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "91", "Ensure this value is less than or equal to 90."),
        ("longitude", "east", "Longitude is a number between -180 and 180."),
        ("occurred_at", "", "Give the date and time of the overdose."),
        ("occurred_at", "yesterday", "Enter a date and time like 2026-11-25 22:30."),
        ("fatal", "", "Say whether the overdose was fatal."),
        ("fatal", "maybe", "Select a valid choice. maybe is not one of the available choices."),
        ("naloxone_doses", "", "Give the number of naloxone doses (0 if none)."),
        ("naloxone_doses", "-1", "Naloxone doses cannot be negative."),
        ("naloxone_doses", "11", "Naloxone doses are at most 10."),
        ("naloxone_doses", "two", "Give the number of naloxone doses as a whole number."),
        ("outcome", "", "Choose what happened to the person."),
        ("reporting_service", "", "Choose your service."),
        ("report_id", "", "This report has no id; reload the form and try again."),
        ("report_id", "a b", "The report id must be 8 to 100 letters"),
    ],
)
def test_each_field_error_is_shown_and_the_input_kept(responder, field, value, message):
    data = form_data(**{field: value})
    if field in {"latitude", "longitude"}:
        data.update(community="", latitude="53.9", longitude="-122.7")
        data[field] = value
    response = responder.post(FORM_URL, data)
    errors = errors_of(response)
    assert errors[field][0].startswith(message), errors
    html = response.content.decode()
    assert message.split(".")[0].replace("'", "&#x27;") in html
    if field != "naloxone_doses":
        assert 'value="2"' in html  # the doses typed are kept
    assert 'value="fentanyl" checked' in html or "checked" in html


def test_an_unknown_substance_is_refused(responder):
    response = responder.post(FORM_URL, form_data(substances=["fentanyl", "glitter"]))
    assert "glitter is not one of the available choices" in errors_of(response)["substances"][0]


def test_a_time_in_the_future_is_refused(responder):
    response = responder.post(FORM_URL, form_data(occurred_at=local_minute(minutes=-60)))
    assert errors_of(response)["occurred_at"] == ["The date and time is in the future."]


def test_a_time_over_a_year_ago_is_refused(responder):
    response = responder.post(FORM_URL, form_data(occurred_at=local_minute(days=400)))
    assert "more than a year ago" in errors_of(response)["occurred_at"][0]


def test_died_but_non_fatal_is_refused(responder):
    response = responder.post(FORM_URL, form_data(fatal="false", outcome="died"))
    assert "choose Fatal" in errors_of(response)["fatal"][0]


def test_other_roles_are_refused(client, police_liaison):
    client.force_login(police_liaison)
    assert client.get(FORM_URL).status_code == 403
    assert client.post(FORM_URL, form_data()).status_code == 403
    assert Event.objects.count() == 0


def test_anonymous_is_sent_to_sign_in(client, bc_geography):
    response = client.post(FORM_URL, form_data())
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_the_dashboard_links_to_the_form(responder):
    assert FORM_URL.encode() in responder.get("/").content
