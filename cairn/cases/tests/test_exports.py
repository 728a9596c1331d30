"""CSV exports of the ED worklist and the follow-up worklist: care team only, the same
rows and filters as the pages, formulas neutralised, every export audited."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.access.personas import PERSONAS
from cairn.cases import actions, exports, followups
from cairn.cases.tests.conftest import make_client, make_record

NOT_CARE_TEAM = sorted(set(PERSONAS) - {"er_nurse"})
HOUR = dt.timedelta(hours=1)


def _rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_worklist_export_has_the_page_rows_without_names(
    client, er_nurse, vancouver_centre_north, prince_george, case_definitions
):
    visit = make_record(
        vancouver_centre_north,
        complaint="=HYPERLINK(1) found down, suspected fentanyl OD",
        identity={"given_name": "Robin", "family_name": "Mockett"},
    )
    make_record(prince_george)  # not the nurse's communities
    make_record(vancouver_centre_north, complaint="ankle sprain after fall", codes=["S93.4"])
    client.force_login(er_nurse)
    AuditEvent.objects.all().delete()
    response = client.get(reverse("cases:worklist_export"), {"days": "7"})
    rows = _rows(response)
    assert [r["record_id"] for r in rows] == [str(visit.pk)]
    row = rows[0]
    assert row["chief_complaint"] == "'=HYPERLINK(1) found down, suspected fentanyl OD"
    assert row["community"] == vancouver_centre_north.name
    assert row["occurred_at"] == timezone.localtime(visit.occurred_at).isoformat("T", "minutes")
    assert "Mockett" not in response.content.decode()
    event = AuditEvent.objects.get(action="cases.worklist.export")
    assert (event.actor_username, event.details["event_ids"]) == ("er.nurse", [visit.pk])
    assert event.details["days"] == 7


def test_the_worklist_export_refuses_bad_filters(client, er_nurse):
    client.force_login(er_nurse)
    response = client.get(reverse("cases:worklist_export"), {"days": "5"})
    assert response.status_code == 400 and "last 3, 7" in response.content.decode()
    assert not AuditEvent.objects.filter(action="cases.worklist.export").exists()


def test_the_follow_up_export_lists_the_team_follow_ups_and_is_audited(client, er_nurse):
    person = make_client(er_nurse, given_name="Morgan", family_name="Bay", aliases=["Mo"])
    episode = actions.open_episode(
        actor=er_nurse, client=person, occurred_at=timezone.now() - 80 * HOUR
    ).episode
    follow_up = episode.follow_up
    followups.escalate_overdue()
    client.force_login(er_nurse)
    AuditEvent.objects.all().delete()
    rows = _rows(client.get(reverse("cases:follow_up_export"), {"state": "overdue"}))
    assert len(rows) == 1
    row = rows[0]
    assert (row["follow_up_id"], row["client_record_id"], row["person"]) == (
        str(follow_up.pk),
        str(person.pk),
        "Morgan Bay",
    )
    assert (row["state"], row["hours_allowed"]) == ("overdue", "72")
    assert row["due_at"] == exports.when(follow_up.due_at)
    assert row["escalated_at"] != "" and row["contacted_at"] == ""
    event = AuditEvent.objects.get(action="cases.client.follow_up_export")
    assert event.details["client_ids"] == [person.pk]
    assert _rows(client.get(reverse("cases:follow_up_export"), {"state": "contacted"})) == []
    bad = client.get(reverse("cases:follow_up_export"), {"state": "someday"})
    assert bad.status_code == 400 and "Unknown state" in bad.content.decode()


@pytest.mark.parametrize("persona", NOT_CARE_TEAM)
def test_no_one_off_the_care_team_exports(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("cases:worklist_export")).status_code == 403
    assert client.get(reverse("cases:follow_up_export")).status_code == 403
    assert not AuditEvent.objects.filter(action__contains="export").exists()


def test_formula_text_is_neutralised():
    assert [exports.text(v) for v in ("=1+1", "+1", "-2", "@x", "plain", None)] == [
        "'=1+1",
        "'+1",
        "'-2",
        "'@x",
        "plain",
        "",
    ]
