"""A double tap sends the same encounter twice at the same moment: it is stored once."""

import threading
import uuid

import pytest
from django.db import connection

from cairn.outreach.encounters import record_encounter
from cairn.outreach.models import Encounter
from cairn.outreach.tests import encounter_fixtures
from cairn.outreach.tests.encounter_fixtures import details

northern_nurse = encounter_fixtures.northern_nurse
pg_team = encounter_fixtures.pg_team


@pytest.mark.django_db(transaction=True)
def test_the_same_encounter_sent_twice_at_once_is_stored_once(outreach_worker, pg_team):
    key = str(uuid.uuid4())
    data = details(pg_team, naloxone_kits=1)
    start = threading.Barrier(2)
    results, errors = [], []

    def send():
        try:
            start.wait()
            results.append(
                record_encounter(
                    actor=outreach_worker, team=pg_team, details=dict(data), idempotency_key=key
                )
            )
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
    assert sorted(r.created for r in results) == [False, True]
    assert len({r.encounter.pk for r in results}) == 1
    assert Encounter.objects.count() == 1
