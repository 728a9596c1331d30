"""The case timeline shows treatment (episodes started and stopped, derived stops,
missed-dose runs), supporters' consents given and revoked, and care alerts, in order
with the rest of the record."""

import datetime as dt

import pytest
from django.utils import timezone

from cairn.cases import actions, care_alerts, queries, supporters
from cairn.cases.models import Client
from cairn.cases.tests.conftest import make_client
from cairn.cases.treatment import records

TODAY = timezone.localdate()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def person(er_nurse):
    return make_client(er_nurse, given_name="Robin", family_name="Cedar")


def _timeline(client):
    client = Client.objects.get(pk=client.pk)
    return queries.timeline_for(client, queries.episodes_of(client))


def test_treatment_supporters_and_alerts_appear_in_order(er_nurse, person):
    # Methadone dispensed days 60..51, then nothing: a derived episode that ended by the gap.
    for n in range(60, 50, -1):
        records.record_dispensing(
            actor=er_nurse, client=person, data={"drug": "methadone", "dispensed_on": ago(n)}
        )
    # Buprenorphine/naloxone started at a clinic 30 days ago, stopped 10 days ago.
    episode = records.start_episode(
        actor=er_nurse, client=person, drug="bup_nx", started_on=ago(30), prescriber="Dr. Lee"
    ).row
    records.stop_episode(
        actor=er_nurse,
        client=person,
        episode_id=episode.pk,
        stopped_on=ago(10),
        end_reason="person_chose",
    )
    for n in (22, 21, 20, 15):
        records.record_missed_dose(
            actor=er_nurse, client=person, data={"drug": "bup_nx", "missed_on": ago(n)}
        )
    supporter = supporters.add_supporter(
        actor=er_nurse, client=person, name="Jo Cedar", relationship="family"
    )
    consent = supporters.record_consent(
        actor=er_nurse,
        client=person,
        supporter_id=supporter.pk,
        purpose="see_care_plan",
        method="verbal",
        recorded_at=timezone.now() - dt.timedelta(days=5),
    )
    supporters.revoke_consent(
        actor=er_nurse,
        client=person,
        supporter_id=supporter.pk,
        consent_id=consent.pk,
        reason="The person asked",
    )
    alert = care_alerts.raise_care_alert(
        client=person,
        organization=person.holdings.get().organization,
        kind="oat_stopped",
        text="Opioid agonist treatment stopped",
        source_key="test:timeline:1",
        now=timezone.now() - dt.timedelta(days=9),
    )
    care_alerts.acknowledge(actor=er_nurse, alert_id=alert.pk)

    timeline = _timeline(person)
    titles = [e.title for e in timeline]
    at = {e.title: e.at for e in timeline}
    expected_oldest_first = [
        "OAT dispensing began: Methadone",
        "OAT ended (derived): Methadone",
        "OAT started: Buprenorphine/naloxone",
        "Missed doses: Buprenorphine/naloxone, 3 days in a row",
        "Missed dose: Buprenorphine/naloxone",
        "OAT stopped: Buprenorphine/naloxone",
        "Care alert: Opioid agonist treatment stopped",
        "Consent given: see the care plan",
    ]
    positions = [titles.index(t) for t in expected_oldest_first]
    assert positions == sorted(positions, reverse=True)  # newest first
    assert [e.at for e in timeline] == sorted((e.at for e in timeline), reverse=True)
    assert timezone.localdate(at["OAT ended (derived): Methadone"]) == ago(51)
    assert timezone.localdate(at["OAT stopped: Buprenorphine/naloxone"]) == ago(10)
    # Today's entries: the record, the supporter link, the revocation, the acknowledgement.
    for title in (
        "Consent revoked: see the care plan",
        "Care alert acknowledged: Opioid agonist treatment stopped",
        "Supporter linked",
        "Record created",
    ):
        assert timezone.localdate(at[title]) == TODAY
    details = {e.title: e.detail for e in timeline}
    assert "more than 4 days" in details["OAT ended (derived): Methadone"]
    assert "the person chose to stop" in details["OAT stopped: Buprenorphine/naloxone"]
    assert details["Missed doses: Buprenorphine/naloxone, 3 days in a row"] == (
        f"From {ago(22).isoformat()} to {ago(20).isoformat()}"
    )
    assert "The person asked" in details["Consent revoked: see the care plan"]
    assert all(
        e.link.endswith(f"/clients/{person.pk}/treatment/")
        for e in timeline
        if e.kind == "treatment"
    )


def test_a_merge_with_folded_rows_says_so_on_the_timeline(er_nurse, person):
    other = make_client(er_nurse, given_name="Rob", aliases=["Wren"], different_from=[person.pk])
    for client in (person, other):
        records.record_dispensing(
            actor=er_nurse, client=client, data={"drug": "methadone", "dispensed_on": ago(3)}
        )
    actions.merge_clients(actor=er_nurse, survivor=person, merged=other, reason="Same person")
    (merge_entry,) = [e for e in _timeline(person) if e.kind == "merge"]
    assert "1 record(s) held by both" in merge_entry.detail
    assert f"kept on record {other.pk}" in merge_entry.detail
    titles = [e.title for e in _timeline(person)]
    assert titles.count("OAT dispensing began: Methadone") == 1
