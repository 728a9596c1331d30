"""Merging two records of one person keeps full history, and can be undone."""

import datetime as dt

import pytest
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.cases import actions, queries
from cairn.cases.models import (
    Client,
    ClientHolding,
    ClientMatchKey,
    ClientMerge,
    IdentityStatus,
    RecordStatus,
)
from cairn.cases.tests.conftest import make_client, make_record

BORN = dt.date(1988, 4, 9)


@pytest.fixture
def pair(er_nurse, vancouver_centre_north, case_definitions):
    """The same person on record twice: once by name, once by an alias with an episode."""
    named = make_client(
        er_nurse,
        given_name="Alex",
        family_name="Testerson",
        date_of_birth=BORN,
        health_number="9999012345",
        contacts=[{"method": "phone", "value": "604 555 0123"}],
    )
    alias = make_client(
        er_nurse,
        given_name="Alec",
        family_name="Testersen",
        date_of_birth=BORN,
        aliases=["Sparrow"],
        sex="M",
        housing_status="shelter",
        different_from=[named.pk],
    )
    record = make_record(vancouver_centre_north)
    episode = actions.open_episode_from_record(actor=er_nurse, event=record, client=alias).episode
    return named, alias, episode


def test_merge_moves_everything_and_keeps_the_merged_record(er_nurse, pair):
    named, alias, episode = pair
    merge = actions.merge_clients(
        actor=er_nurse,
        survivor=named,
        merged=alias,
        reason="Same person: confirmed with them by phone",
    )
    named.refresh_from_db()
    alias.refresh_from_db()
    assert alias.status == RecordStatus.MERGED and alias.merged_into == named
    assert Client.objects.filter(pk=alias.pk).exists()  # kept, for the history
    assert {n.text for n in named.names.all()} == {"Alex Testerson", "Alec Testersen", "Sparrow"}
    assert list(named.episodes.all()) == [episode]
    assert named.housing_status == "shelter"  # filled from the merged record
    assert named.sex == "M"
    assert merge.moved["episodes"] == [episode.pk]
    assert not ClientMatchKey.objects.filter(client=alias).exists()
    # Searching finds the survivor by the merged record's alias, never the merged record.
    found = queries.search_clients(er_nurse, queries.parse_search("Sparrow"))
    assert [c.client for c in found.candidates] == [named]
    assert AuditEvent.objects.filter(action="cases.client.merge").count() == 2  # one per record


def test_undo_puts_back_exactly_what_moved(er_nurse, pair):
    named, alias, episode = pair
    merge = actions.merge_clients(actor=er_nurse, survivor=named, merged=alias, reason="Same")
    later = actions.add_name(
        actor=er_nurse, client=Client.objects.get(pk=named.pk), kind="alias", given_name="Sunny"
    )
    actions.undo_merge(actor=er_nurse, merge=merge, reason="Two brothers, not one person")
    named.refresh_from_db()
    alias.refresh_from_db()
    assert alias.status == RecordStatus.ACTIVE and alias.merged_into is None
    assert {n.text for n in alias.names.all()} == {"Alec Testersen", "Sparrow"}
    assert {n.text for n in named.names.all()} == {"Alex Testerson", "Sunny"}  # added later: stays
    assert later.pk in named.names.values_list("pk", flat=True)
    assert list(alias.episodes.all()) == [episode]
    assert named.housing_status == "" and named.sex == "U"  # restored
    merge.refresh_from_db()
    assert merge.undone_by == "er.nurse" and merge.undo_reason.startswith("Two brothers")
    assert ClientMatchKey.objects.filter(client=alias).exists()
    assert ClientHolding.objects.filter(client=alias).exists()


def test_merging_again_returns_the_same_merge(er_nurse, pair):
    named, alias, _ = pair
    first = actions.merge_clients(actor=er_nurse, survivor=named, merged=alias, reason="Same")
    alias.refresh_from_db()
    again = actions.merge_clients(actor=er_nurse, survivor=named, merged=alias, reason="Same")
    assert again == first and ClientMerge.objects.count() == 1


def test_a_survivor_merged_again_must_be_separated_first(er_nurse, pair):
    named, alias, _ = pair
    third = make_client(
        er_nurse,
        given_name="Alexander",
        family_name="Testerson",
        date_of_birth=BORN,
        different_from=[named.pk, alias.pk],
    )
    first = actions.merge_clients(actor=er_nurse, survivor=named, merged=alias, reason="Same")
    named.refresh_from_db()
    actions.merge_clients(actor=er_nurse, survivor=third, merged=named, reason="Same again")
    with pytest.raises(actions.CaseActionError, match="undo that merge first"):
        actions.undo_merge(actor=er_nurse, merge=first, reason="Oops")


def test_joining_an_anonymous_record_to_an_identified_one_needs_consent(er_nurse):
    named = make_client(er_nurse, given_name="Robin", family_name="Testa", date_of_birth=BORN)
    anonymous = make_client(er_nurse, aliases=["Sparrow"])
    with pytest.raises(actions.CaseActionError, match="consent"):
        actions.merge_clients(actor=er_nurse, survivor=anonymous, merged=named, reason="Same")
    merge = actions.merge_clients(
        actor=er_nurse,
        survivor=anonymous,
        merged=named,
        reason="Told us their name",
        consent_method="verbal",
    )
    anonymous.refresh_from_db()
    assert anonymous.identity_status == IdentityStatus.IDENTIFIED
    assert anonymous.date_of_birth == BORN
    assert anonymous.identity_links.get().merge == merge


def test_a_record_cannot_be_merged_into_itself_or_without_a_reason(er_nurse, pair):
    named, alias, _ = pair
    with pytest.raises(actions.CaseActionError, match="itself"):
        actions.merge_clients(actor=er_nurse, survivor=named, merged=named, reason="x")
    with pytest.raises(actions.CaseActionError, match="why"):
        actions.merge_clients(actor=er_nurse, survivor=named, merged=alias, reason="  ")


def test_the_timeline_shows_the_merge_on_both_records(er_nurse, pair):
    named, alias, _ = pair
    actions.merge_clients(actor=er_nurse, survivor=named, merged=alias, reason="Same person")
    named.refresh_from_db()
    alias.refresh_from_db()
    titles = [e.title for e in queries.timeline_for(named, queries.episodes_of(named))]
    assert f"Record {alias.pk} merged into this record" in titles
    assert "Overdose: emergency department visit" in titles
    alias_titles = [e.title for e in queries.timeline_for(alias, [])]
    assert f"Merged into record {named.pk}" in alias_titles
    assert timezone.now()


def test_merge_moves_care_records_and_undo_puts_them_back(er_nurse, pair):
    from cairn.cases import followups
    from cairn.cases.assessment import groups, records
    from cairn.cases.models.assessments import RiskAssessment
    from cairn.cases.models.followups import FollowUp
    from cairn.cases.models.groups import GroupPlacement
    from cairn.cases.tests.test_assessment_records import HIGHEST, LOWER

    named, alias, episode = pair
    kept = records.record_assessment(actor=er_nurse, client=named, answers=LOWER)
    assessed = records.record_assessment(actor=er_nurse, client=alias, answers=HIGHEST)
    placed = groups.place_client(actor=er_nurse, client=alias, group="street_involved")
    follow_up = FollowUp.objects.get(episode=episode)  # started when the episode was opened
    followups.record_attempt(actor=er_nurse, follow_up=follow_up, outcome="reached", method="phone")

    merge = actions.merge_clients(actor=er_nurse, survivor=named, merged=alias, reason="Same")
    assert set(RiskAssessment.objects.filter(client=named)) == {kept, assessed}
    assert list(GroupPlacement.objects.filter(client=named)) == [placed]
    assert list(FollowUp.objects.filter(client=named)) == [follow_up]
    assert not RiskAssessment.objects.filter(client=alias).exists()
    assert (merge.moved["risk_assessments"], merge.moved["follow_ups"]) == (
        [assessed.pk],
        [follow_up.pk],
    )
    assert "Follow-up attempt: reached the person" in [
        e.title for e in queries.timeline_for(named, queries.episodes_of(named))
    ]

    actions.undo_merge(actor=er_nurse, merge=merge, reason="Two people")
    assert list(RiskAssessment.objects.filter(client=named)) == [kept]
    assert list(RiskAssessment.objects.filter(client=alias)) == [assessed]
    assert list(GroupPlacement.objects.filter(client=alias)) == [placed]
    assert not GroupPlacement.objects.filter(client=named).exists()
    assert list(FollowUp.objects.filter(client=alias)) == [follow_up]
    assert follow_up.attempts.count() == 1
