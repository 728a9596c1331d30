"""A double tap sends the same report twice at the same moment: it is stored once."""

import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from cairn.access.personas import create_personas
from cairn.surveillance.intake.quick_entry import QuickReportForm, submit_quick_report
from cairn.surveillance.models import Event
from conftest import PERSONA_PASSWORD


@pytest.mark.django_db(transaction=True)
def test_the_same_report_sent_twice_at_once_is_stored_once(bc_geography):
    user = create_personas(password=PERSONA_PASSWORD)["first_responder"]
    data = {
        "report_id": str(uuid.uuid4()),
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "reporting_service": "first_responder",
        "community": "bc-lha-prince-george",
        "fatal": "false",
        "naloxone_doses": "1",
        "outcome": "treated_on_scene",
    }
    start = threading.Barrier(2)
    results, errors = [], []

    def send():
        try:
            form = QuickReportForm(data, user=user)
            assert form.is_valid(), form.errors
            start.wait()
            results.append(submit_quick_report(user=user, form=form))
        except Exception as error:  # reported below, with the thread's error
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(r.status for r in results) == ["created", "duplicate"]
    assert len({r.event_id for r in results}) == 1
    assert Event.objects.count() == 1
