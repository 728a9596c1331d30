"""A double click sends the same request twice at the same moment: one campaign, one
material move."""

import threading

import pytest
from django.db import connection

from cairn.campaigns import materials as workflow
from cairn.campaigns import planning
from cairn.campaigns.models import Campaign
from cairn.campaigns.models.materials import MaterialTransition

from .plan_fixtures import CAMPAIGN_FORM


def twice_at_once(call):
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(call())
        except Exception as error:  # reported below, with the thread's error
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_the_same_plan_sent_twice_at_once_makes_one_campaign(communications_officer):
    results, errors = twice_at_once(
        lambda: planning.create_campaign(
            actor=communications_officer, idempotency_key="same", **CAMPAIGN_FORM
        )
    )
    assert errors == []
    assert len({c.pk for c in results}) == 1
    assert Campaign.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_move_sent_twice_at_once_is_recorded_once(campaign, communications_officer):
    material = workflow.create_material(
        campaign, communications_officer, kind="text", title="Carry naloxone", body="Anyone can."
    )
    results, errors = twice_at_once(
        lambda: workflow.transition(material, communications_officer, "in_review")
    )
    assert errors == []
    assert [t.to_status for t in MaterialTransition.objects.filter(material=material)] == [
        "draft",
        "in_review",
    ]
