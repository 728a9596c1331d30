"""The alerts API: lists and details scoped to the user, suppression, the lifecycle, the inbox."""

import datetime as dt
import json

import pytest

from cairn.surveillance.alerts.testing import definitions, make_alert
from cairn.surveillance.models.alerts import AlertNotification

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 6, 12)


@pytest.fixture
def defs(bc_geography):
    return definitions()


@pytest.fixture
def alerts(defs, prince_george, abbotsford, personas):
    return {
        "small": make_alert(prince_george, defs["opioid"], DAY, observed=3, expected=1.2),
        "large": make_alert(abbotsford, defs["fentanyl"], DAY, observed=17, expected=6.5),
    }


def get(client, user, path, **params):
    client.force_login(user)
    return client.get(path, params)


def post(client, user, path, body=None):
    client.force_login(user)
    return client.post(
        path, data=json.dumps(body) if body is not None else "", content_type="application/json"
    )


def test_list_is_scoped_to_the_users_communities(client, alerts, police_liaison, epidemiologist):
    mine = get(client, police_liaison, "/api/v1/alerts").json()
    assert mine["count"] == 1
    assert mine["alerts"][0]["community"]["code"] == "bc-lha-prince-george"

    everywhere = get(client, epidemiologist, "/api/v1/alerts", definition="fentanyl").json()
    assert [a["id"] for a in everywhere["alerts"]] == [alerts["large"].pk]


def test_small_counts_are_null_for_the_aggregate_tier(
    client, alerts, police_liaison, epidemiologist
):
    police = get(client, police_liaison, f"/api/v1/alerts/{alerts['small'].pk}").json()
    assert police["observed"] is None and police["expected"] is None
    assert police["suppressed"] is True
    assert police["records_visible"] is False
    assert police["signals"][0]["observed"] is None

    epi = get(client, epidemiologist, f"/api/v1/alerts/{alerts['small'].pk}").json()
    assert (epi["observed"], epi["expected"], epi["suppressed"]) == (3, 1.2, False)
    assert epi["records_visible"] is True


def test_an_alert_elsewhere_is_not_found(client, alerts, police_liaison):
    response = get(client, police_liaison, f"/api/v1/alerts/{alerts['large'].pk}")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_lifecycle_over_the_api(client, alerts, regional_epidemiologist):
    path = f"/api/v1/alerts/{alerts['large'].pk}"

    acknowledged = post(client, regional_epidemiologist, f"{path}/acknowledge")
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged"
    assert acknowledged.json()["acknowledged_by"] == "fraser.epidemiologist"

    again = post(client, regional_epidemiologist, f"{path}/acknowledge")
    assert again.status_code == 409
    assert "only a new alert can be acknowledged" in again.json()["detail"]

    no_reason = post(client, regional_epidemiologist, f"{path}/dismiss", {"reason": " "})
    assert no_reason.status_code == 422
    dismissed = post(client, regional_epidemiologist, f"{path}/dismiss", {"reason": "Test feed"})
    assert dismissed.status_code == 200
    assert dismissed.json()["dismissal_reason"] == "Test feed"


def test_action_with_a_note_and_bad_bodies(client, alerts, epidemiologist):
    path = f"/api/v1/alerts/{alerts['small'].pk}/action"
    client.force_login(epidemiologist)
    bad = client.post(path, data="{not json", content_type="application/json")
    assert bad.status_code == 400 and "not valid JSON" in bad.json()["detail"]
    wrong = post(client, epidemiologist, path, {"note": 5})
    assert wrong.status_code == 422

    done = post(client, epidemiologist, path, {"note": "Drug alert issued"})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["action_note"]) == ("actioned", "Drug alert issued")


def test_transitions_need_manage_alerts(client, alerts, police_liaison, er_nurse):
    path = f"/api/v1/alerts/{alerts['small'].pk}/acknowledge"
    assert post(client, police_liaison, path).status_code == 403
    assert post(client, er_nurse, path).status_code == 404  # Prince George is not theirs


def test_inbox_over_the_api(client, alerts, outreach_worker):
    entry = AlertNotification.objects.create(
        user=outreach_worker, alert=alerts["small"], reason="action_team"
    )

    inbox = get(client, outreach_worker, "/api/v1/inbox").json()
    assert inbox["unread"] == 1
    assert inbox["entries"][0]["alert"]["observed"] is None  # suppressed
    assert inbox["entries"][0]["reason"] == "action_team"

    read = post(client, outreach_worker, f"/api/v1/inbox/{entry.pk}/read")
    assert read.status_code == 200 and read.json()["read_at"]
    assert get(client, outreach_worker, "/api/v1/inbox", unread_only="true").json()["entries"] == []
