"""Supporters: linked with the person's consent per party and purpose; what a supporter
sees follows the consents in force; revoking cuts access at once; every step audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cairn.access.models import AuditEvent
from cairn.access.tests.factories import UserFactory
from cairn.cases import plans, supporters
from cairn.cases.access import get_client_for_supporter, supporter_links_for
from cairn.cases.models import SupporterConsent
from cairn.cases.tests.conftest import make_client


@pytest.fixture
def person(er_nurse):
    return make_client(er_nurse, given_name="Robin", family_name="Lake")


@pytest.fixture
def mother():
    return UserFactory(username="robin.mother")


def _link(er_nurse, person, **extra):
    fields = {"name": "Jo Lake", "relationship": "family", **extra}
    return supporters.add_supporter(actor=er_nurse, client=person, **fields)


def test_a_supporter_sees_nothing_until_the_person_consents(er_nurse, person, mother):
    supporter = _link(er_nurse, person, username=mother.username)
    assert supporter.user == mother and not supporter.consents.exists()
    assert list(supporter_links_for(mother)) == []
    with pytest.raises(Http404):
        get_client_for_supporter(mother, person.pk)


def test_what_a_supporter_sees_follows_each_purpose(er_nurse, person, mother, peer_worker):
    plans.add_goal(actor=er_nurse, client=person, text="Stay on treatment")
    plans.add_referral(actor=er_nurse, client=person, kind="housing", to_whom="BC Housing")
    family = _link(er_nurse, person, username=mother.username)
    peer = _link(er_nurse, person, name="Sam", relationship="peer", username="peer.worker")
    supporters.record_consent(
        actor=er_nurse,
        client=person,
        supporter_id=family.pk,
        purpose="see_care_plan",
        method="verbal",
        note="OK for my mum to see my plan",
    )
    supporters.record_consent(
        actor=er_nurse,
        client=person,
        supporter_id=peer.pk,
        purpose="see_appointments",
        method="written",
    )
    family_view = supporters.supporter_view_content(get_client_for_supporter(mother, person.pk))
    assert [g["text"] for g in family_view["goals"]] == ["Stay on treatment"]
    assert family_view["referrals"] is None and family_view["overdoses"] is None
    peer_view = supporters.supporter_view_content(get_client_for_supporter(peer_worker, person.pk))
    assert peer_view["goals"] is None and peer_view["actions"] is None
    assert [r["to_whom"] for r in peer_view["referrals"]] == ["BC Housing"]
    assert peer_view["treatment"] == "No OAT on record" and family_view["treatment"] is None
    assert [link.client_id for link in supporter_links_for(peer_worker)] == [person.pk]


def test_revoking_cuts_access_at_once_and_keeps_history(er_nurse, person, mother):
    supporter = _link(er_nurse, person, username=mother.username)
    consent = supporters.record_consent(
        actor=er_nurse,
        client=person,
        supporter_id=supporter.pk,
        purpose="see_care_plan",
        method="verbal",
    )
    again = supporters.record_consent(
        actor=er_nurse,
        client=person,
        supporter_id=supporter.pk,
        purpose="see_care_plan",
        method="verbal",
    )
    assert again.pk == consent.pk
    get_client_for_supporter(mother, person.pk)
    AuditEvent.objects.all().delete()
    supporters.revoke_consent(
        actor=er_nurse,
        client=person,
        supporter_id=supporter.pk,
        consent_id=consent.pk,
        reason="The person asked to stop sharing",
    )
    with pytest.raises(Http404):
        get_client_for_supporter(mother, person.pk)
    assert list(supporter_links_for(mother)) == []
    event = AuditEvent.objects.get(action="cases.supporter.revoke")
    assert event.details["purpose"] == "see_care_plan" and event.target_id == str(person.pk)
    # Consent given again is a new row: the full history stays.
    supporters.record_consent(
        actor=er_nurse,
        client=person,
        supporter_id=supporter.pk,
        purpose="see_care_plan",
        method="written",
    )
    rows = SupporterConsent.objects.filter(supporter=supporter).order_by("pk")
    assert [(c.method, c.revoked_at is None) for c in rows] == [
        ("verbal", False),
        ("written", True),
    ]
    assert rows[0].revocation_reason == "The person asked to stop sharing"
    assert rows[0].revoked_by == er_nurse.get_username()


def test_every_supporter_read_is_audited_with_purpose_and_consents(er_nurse, person, mother):
    supporter = _link(er_nurse, person, username=mother.username)
    for purpose in ("receive_overdose_alerts", "contact_about_follow_up"):
        supporters.record_consent(
            actor=er_nurse,
            client=person,
            supporter_id=supporter.pk,
            purpose=purpose,
            method="verbal",
        )
    AuditEvent.objects.all().delete()
    get_client_for_supporter(mother, person.pk)
    event = AuditEvent.objects.get(action="cases.client.supporter_read")
    assert event.actor_username == "robin.mother" and event.target_id == str(person.pk)
    assert event.details == {
        "purpose": "supporting",
        "supporter_id": supporter.pk,
        "consents": ["contact_about_follow_up", "receive_overdose_alerts"],
    }


def test_overdose_alerts_show_only_overdoses_since_consent(er_nurse, person, mother):
    from cairn.cases import actions

    actions.open_episode(
        actor=er_nurse, client=person, occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=9)
    )
    supporter = _link(er_nurse, person, username=mother.username)
    supporters.record_consent(
        actor=er_nurse,
        client=person,
        supporter_id=supporter.pk,
        purpose="receive_overdose_alerts",
        method="verbal",
    )
    content = supporters.supporter_view_content(get_client_for_supporter(mother, person.pk))
    assert content["overdoses"] == [] and content["goals"] is None
    actions.open_episode(actor=er_nurse, client=person, occurred_at=dt.datetime.now(dt.UTC))
    content = supporters.supporter_view_content(get_client_for_supporter(mother, person.pk))
    assert len(content["overdoses"]) == 1


def test_police_and_municipal_members_are_never_supporters(
    er_nurse, person, police_liaison, municipal_coordinator
):
    for user in (police_liaison, municipal_coordinator):
        with pytest.raises(supporters.SupporterError) as error:
            _link(er_nurse, person, username=user.username)
        assert error.value.field == "username"
        with pytest.raises(PermissionDenied):
            get_client_for_supporter(user, person.pk)


def test_bad_input_names_the_field(er_nurse, person, mother):
    cases = [
        ({"name": " "}, "name"),
        ({"relationship": "cousin"}, "relationship"),
        ({"contact_method": "pigeon", "contact_value": "x"}, "contact_method"),
        ({"contact_method": "phone"}, "contact_value"),
        ({"username": "nobody.here"}, "username"),
    ]
    for extra, field in cases:
        with pytest.raises(supporters.SupporterError) as error:
            _link(er_nurse, person, **extra)
        assert error.value.field == field, extra
    supporter = _link(er_nurse, person, username=mother.username)
    with pytest.raises(supporters.SupporterError) as error:
        _link(er_nurse, person, username=mother.username)
    assert error.value.field == "username"
    for purpose, method, field in (
        ("see_everything", "verbal", "purpose"),
        ("see_care_plan", "nod", "method"),
    ):
        with pytest.raises(supporters.SupporterError) as error:
            supporters.record_consent(
                actor=er_nurse,
                client=person,
                supporter_id=supporter.pk,
                purpose=purpose,
                method=method,
            )
        assert error.value.field == field
    consent = supporters.record_consent(
        actor=er_nurse,
        client=person,
        supporter_id=supporter.pk,
        purpose="see_care_plan",
        method="verbal",
    )
    with pytest.raises(supporters.SupporterError) as error:
        supporters.revoke_consent(
            actor=er_nurse,
            client=person,
            supporter_id=supporter.pk,
            consent_id=consent.pk,
            reason="",
        )
    assert error.value.field == "reason"


def test_another_care_team_cannot_link_supporters(er_nurse, other_clinician, person):
    with pytest.raises(PermissionDenied):
        _link(other_clinician, person)


def test_ending_a_link_revokes_every_consent_and_keeps_history(er_nurse, person, mother):
    supporter = _link(er_nurse, person, username=mother.username)
    for purpose in ("see_care_plan", "receive_overdose_alerts"):
        supporters.record_consent(
            actor=er_nurse,
            client=person,
            supporter_id=supporter.pk,
            purpose=purpose,
            method="verbal",
        )
    get_client_for_supporter(mother, person.pk)
    with pytest.raises(supporters.SupporterError) as error:
        supporters.end_link(actor=er_nurse, client=person, supporter_id=supporter.pk, reason="")
    assert error.value.field == "reason"
    AuditEvent.objects.all().delete()
    ended = supporters.end_link(
        actor=er_nurse, client=person, supporter_id=supporter.pk, reason="Robin's choice"
    )
    supporters.end_link(actor=er_nurse, client=person, supporter_id=supporter.pk, reason="again")
    assert ended.ended_by == "er.nurse" and ended.end_reason == "Robin's choice"
    event = AuditEvent.objects.get(action="cases.supporter.end")
    assert event.details["revoked"] == ["receive_overdose_alerts", "see_care_plan"]
    assert not SupporterConsent.objects.filter(supporter=supporter, revoked_at__isnull=True)
    with pytest.raises(Http404):
        get_client_for_supporter(mother, person.pk)
    with pytest.raises(supporters.SupporterError) as error:
        supporters.record_consent(
            actor=er_nurse,
            client=person,
            supporter_id=supporter.pk,
            purpose="see_care_plan",
            method="verbal",
        )
    assert error.value.field == "supporter"
    # The same account can be linked again later: a new link, the ended one kept.
    again = _link(er_nurse, person, username=mother.username)
    assert again.pk != supporter.pk and again.ended_at is None
