"""Merging two records moves treatment, supporters, care alerts and the care plan to the
survivor; rows once per person and day that clash are folded, never lost; an undo
puts back exactly what moved and what was changed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.access.tests.factories import UserFactory
from cairn.cases import actions, plans, supporters
from cairn.cases.care_alerts import raise_care_alert
from cairn.cases.models import Client, SupporterConsent
from cairn.cases.models.treatment import (
    OatDispensing,
    OatEpisode,
    OatMissedDose,
    OudDiagnosis,
)
from cairn.cases.tests.conftest import make_client
from cairn.cases.treatment import records

TODAY = timezone.localdate()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def dispense(actor, client, days_ago, drug="methadone", **extra):
    data = {"drug": drug, "dispensed_on": ago(days_ago).isoformat(), **extra}
    return records.record_dispensing(actor=actor, client=client, data=data).row


@pytest.fixture
def mother():
    return UserFactory(username="robin.mother")


@pytest.fixture
def pair(er_nurse):
    named = make_client(er_nurse, given_name="Robin", family_name="Cedar")
    alias = make_client(er_nurse, given_name="Rob", aliases=["Wren"], different_from=[named.pk])
    return named, alias


def _fresh(client):
    return Client.objects.get(pk=client.pk)


def test_treatment_moves_and_overlapping_days_are_folded_then_undone(er_nurse, pair):
    named, alias = pair
    # The survivor: methadone days 20..11 (day 12 without a dose on record).
    for n in range(20, 10, -1):
        dispense(er_nurse, named, n, dose="60" if n != 12 else "")
    # The merged record: methadone days 12..1 (days 12 and 11 overlap), carries on day 11.
    for n in range(12, 0, -1):
        extra = {"dose": "70", "pharmacy": "Main St Pharmacy"}
        if n == 11:
            extra["carry_days"] = 2
        dispense(er_nurse, alias, n, **extra)
    records.record_missed_dose(
        actor=er_nurse, client=named, data={"drug": "methadone", "missed_on": ago(30)}
    )
    records.record_missed_dose(
        actor=er_nurse,
        client=alias,
        data={"drug": "methadone", "missed_on": ago(30), "pharmacy": "Main St Pharmacy"},
    )
    records.record_missed_dose(
        actor=er_nurse, client=alias, data={"drug": "methadone", "missed_on": ago(40)}
    )
    records.record_diagnosis(actor=er_nurse, client=named, diagnosed_on=ago(50))
    records.record_diagnosis(actor=er_nurse, client=alias, diagnosed_on=ago(400), basis="GP")
    entered = records.start_episode(
        actor=er_nurse, client=alias, drug="bup_nx", started_on=ago(100)
    ).row
    survivor_day12 = OatDispensing.objects.get(client=named, dispensed_on=ago(12))
    survivor_day11 = OatDispensing.objects.get(client=named, dispensed_on=ago(11))
    alias_rows = set(OatDispensing.objects.filter(client=alias).values_list("pk", flat=True))

    merge = actions.merge_clients(actor=er_nurse, survivor=named, merged=alias, reason="Same")

    # Ten of the merged record's twelve days moved; the two overlapping days stayed with it
    # and their information went into the survivor's rows.
    assert OatDispensing.objects.filter(client=named).count() == 20
    assert OatDispensing.objects.filter(client=alias).count() == 2
    survivor_day12.refresh_from_db()
    survivor_day11.refresh_from_db()
    assert survivor_day12.dose == Decimal("70")  # blank: filled from the other record
    assert survivor_day12.pharmacy == "Main St Pharmacy"
    assert survivor_day11.dose == Decimal("60")  # the survivor's own value is kept
    assert survivor_day11.carry_days == 2  # the larger coverage
    assert {e["other"] for e in merge.moved["kept_apart"] if e["label"] == "oat_dispensing"} == {
        OatDispensing.objects.get(client=alias, dispensed_on=ago(12)).pk,
        OatDispensing.objects.get(client=alias, dispensed_on=ago(11)).pk,
    }
    assert (
        set(merge.moved["oat_dispensing"])
        | {e["other"] for e in merge.moved["kept_apart"] if e["label"] == "oat_dispensing"}
        == alias_rows
    )
    # Missed doses: the new day moved, the same day folded.
    assert set(OatMissedDose.objects.filter(client=named).values_list("missed_on", flat=True)) == {
        ago(30),
        ago(40),
    }
    assert OatMissedDose.objects.get(client=named, missed_on=ago(30)).pharmacy == (
        "Main St Pharmacy"
    )
    # The diagnosis is known since the earlier date.
    diagnosis = OudDiagnosis.objects.get(client=named)
    assert diagnosis.diagnosed_on == ago(400) and diagnosis.basis == "GP"
    # Entered episodes move; derived ones are derived again from all the dispensing.
    assert OatEpisode.objects.get(pk=entered.pk).client_id == named.pk
    (derived,) = OatEpisode.objects.filter(client=named, origin="derived")
    assert derived.started_on == ago(20) and derived.stopped_on is None
    assert derived.dispensings == 20
    assert not OatEpisode.objects.filter(client=alias, origin="derived", stopped_on=None).exists()
    audit = AuditEvent.objects.filter(action="cases.client.merge").first()
    assert audit.details["moved"]["oat_dispensing"] == 10
    assert audit.details["moved"]["kept_apart"] == 4  # 2 days, 1 missed dose, 1 diagnosis

    actions.undo_merge(actor=er_nurse, merge=merge, reason="Two people")

    assert set(OatDispensing.objects.filter(client=alias).values_list("pk", flat=True)) == (
        alias_rows
    )
    assert OatDispensing.objects.filter(client=named).count() == 10
    survivor_day12.refresh_from_db()
    survivor_day11.refresh_from_db()
    assert survivor_day12.dose is None and survivor_day12.pharmacy == ""
    assert survivor_day11.carry_days == 0
    assert OatMissedDose.objects.get(client=named, missed_on=ago(30)).pharmacy == ""
    assert OatMissedDose.objects.filter(client=alias).count() == 2
    diagnosis.refresh_from_db()
    assert diagnosis.diagnosed_on == ago(50) and diagnosis.basis == ""
    assert OudDiagnosis.objects.get(client=alias).diagnosed_on == ago(400)
    assert OatEpisode.objects.get(pk=entered.pk).client_id == alias.pk
    (mine,) = OatEpisode.objects.filter(client=named, origin="derived")
    (theirs,) = OatEpisode.objects.filter(client=alias, origin="derived")
    assert (mine.started_on, mine.last_covered_on) == (ago(20), ago(11))
    assert (theirs.started_on, theirs.last_covered_on) == (ago(12), ago(1))


def test_supporters_consents_alerts_and_plan_move_and_come_back(er_nurse, pair, mother):
    named, alias = pair
    organization = named.holdings.get().organization
    # The same account linked on both records; the survivor's link already has consent
    # to see the care plan.
    kept = supporters.add_supporter(
        actor=er_nurse, client=named, name="Jo", relationship="family", username="robin.mother"
    )
    other = supporters.add_supporter(
        actor=er_nurse, client=alias, name="Jo C", relationship="family", username="robin.mother"
    )
    friend = supporters.add_supporter(
        actor=er_nurse, client=alias, name="Sam", relationship="friend"
    )
    in_force_on_both = supporters.record_consent(
        actor=er_nurse, client=named, supporter_id=kept.pk, purpose="see_care_plan", method="verbal"
    )
    clashing = supporters.record_consent(
        actor=er_nurse,
        client=alias,
        supporter_id=other.pk,
        purpose="see_care_plan",
        method="verbal",
    )
    appointments = supporters.record_consent(
        actor=er_nurse,
        client=alias,
        supporter_id=other.pk,
        purpose="see_appointments",
        method="written",
    )
    friend_consent = supporters.record_consent(
        actor=er_nurse,
        client=alias,
        supporter_id=friend.pk,
        purpose="see_care_plan",
        method="verbal",
    )
    alert = raise_care_alert(
        client=alias,
        organization=organization,
        kind="other",
        text="Check in after the weekend",
        source_key="test:merge:1",
    )
    goal = plans.add_goal(actor=er_nurse, client=alias, text="Stay on treatment")

    merge = actions.merge_clients(actor=er_nurse, survivor=named, merged=alias, reason="Same")

    friend.refresh_from_db()
    alert.refresh_from_db()
    goal.refresh_from_db()
    assert friend.client_id == named.pk and alert.client_id == named.pk
    assert goal.client_id == named.pk
    assert SupporterConsent.objects.get(pk=friend_consent.pk).supporter_id == friend.pk
    # The same account: one link on the survivor; its consent for appointments moved there,
    # the clashing consent in force stays with the merged record's link, listed.
    other.refresh_from_db()
    assert other.client_id == alias.pk
    assert SupporterConsent.objects.get(pk=appointments.pk).supporter_id == kept.pk
    assert SupporterConsent.objects.get(pk=clashing.pk).supporter_id == other.pk
    (entry,) = [e for e in merge.moved["kept_apart"] if e["label"] == "supporters"]
    assert (entry["kept"], entry["other"], entry["consents"]) == (
        kept.pk,
        other.pk,
        [appointments.pk],
    )
    assert set(kept.consents.filter(revoked_at=None).values_list("purpose", flat=True)) == {
        "see_care_plan",
        "see_appointments",
    }
    assert in_force_on_both.pk in kept.consents.values_list("pk", flat=True)

    actions.undo_merge(actor=er_nurse, merge=merge, reason="Two people")

    friend.refresh_from_db()
    alert.refresh_from_db()
    goal.refresh_from_db()
    assert friend.client_id == alias.pk and alert.client_id == alias.pk
    assert goal.client_id == alias.pk
    assert SupporterConsent.objects.get(pk=appointments.pk).supporter_id == other.pk
    assert list(kept.consents.values_list("pk", flat=True)) == [in_force_on_both.pk]
    assert _fresh(alias).status == "active"


def test_merging_records_without_treatment_still_works_and_undoes(er_nurse, pair):
    named, alias = pair
    dispense(er_nurse, alias, 3)
    merge = actions.merge_clients(actor=er_nurse, survivor=named, merged=alias, reason="Same")
    assert merge.moved["kept_apart"] == [] and len(merge.moved["oat_dispensing"]) == 1
    assert OatEpisode.objects.filter(client=named, origin="derived").count() == 1
    actions.undo_merge(actor=er_nurse, merge=merge, reason="No")
    assert OatEpisode.objects.filter(client=named).count() == 0
    assert OatEpisode.objects.filter(client=alias, origin="derived").count() == 1
