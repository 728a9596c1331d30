"""The four groups: placing a person, the catalogue the care plan proposes, the partial."""

import pytest
from django.urls import reverse

from cairn.access.models import AuditEvent
from cairn.access.personas import PERSONAS
from cairn.cases.assessment import groups
from cairn.cases.models.groups import CareGroup, GroupPlacement, GroupSupport
from cairn.cases.tests.conftest import make_client

NOT_CARE_TEAM = sorted(set(PERSONAS) - {"er_nurse"})


@pytest.fixture
def person(er_nurse):
    return make_client(er_nurse, given_name="Ari", family_name="Stone", aliases=["Ari"])


def test_the_catalogue_is_seeded_once_for_each_of_the_four_groups(db):
    added = groups.seed_group_catalogue()
    assert added > 0
    assert groups.seed_group_catalogue() == 0
    seeded = set(GroupSupport.objects.values_list("group", flat=True))
    assert seeded == {"recreational", "street_involved", "hidden_regular", "first_nations"}
    for support in GroupSupport.objects.all():
        assert support.basis, support.title  # every entry says where it comes from


def test_a_person_not_assessed_gets_no_proposals(person):
    assert groups.current_group(person) == CareGroup.NOT_ASSESSED
    assert groups.proposals_for(CareGroup.NOT_ASSESSED) == []


def test_placing_a_person_keeps_history_and_proposes_the_groups_supports(er_nurse, person):
    groups.place_client(actor=er_nurse, client=person, group="recreational")
    groups.place_client(
        actor=er_nurse, client=person, group="street_involved", note="Sleeps outside"
    )
    assert groups.current_group(person) == "street_involved"
    assert GroupPlacement.objects.filter(client=person).count() == 2
    titles = [s.title for s in groups.proposals_for("street_involved")]
    assert "Rapid access to opioid agonist treatment" in titles
    assert all(s.group == "street_involved" for s in groups.proposals_for("street_involved"))
    assert (
        AuditEvent.objects.filter(action="cases.group.place", target_id=str(person.pk)).count() == 2
    )


def test_an_unknown_group_is_refused(er_nurse, person):
    with pytest.raises(groups.GroupError, match="Unknown group 'party'"):
        groups.place_client(actor=er_nurse, client=person, group="party")


def test_the_first_nations_entries_speak_of_structural_risk_not_blame(db):
    groups.seed_group_catalogue()
    text = " ".join(
        GroupSupport.objects.filter(group="first_nations").values_list("description", flat=True)
    )
    assert "structural" in text and "never the person's failing" in text


def test_the_catalogue_is_editable_and_a_stopped_entry_is_not_proposed(er_nurse):
    groups.seed_group_catalogue()
    added = groups.save_support(
        actor=er_nurse,
        group="hidden_regular",
        kind="support",
        title="Evening OAT clinic",
        basis="Local service list",
    )
    assert added in groups.proposals_for("hidden_regular")
    groups.save_support(
        actor=er_nurse,
        support=added,
        group=added.group,
        kind=added.kind,
        title=added.title,
        active=False,
    )
    assert added not in groups.proposals_for("hidden_regular")
    actions = list(
        AuditEvent.objects.filter(action__startswith="cases.group_support").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["cases.group_support.add", "cases.group_support.change"]
    with pytest.raises(groups.GroupError, match="four groups"):
        groups.save_support(actor=er_nurse, group="not_assessed", kind="support", title="x")


def test_the_care_partial_shows_the_proposals_and_audits_the_read(client, er_nurse, person):
    client.force_login(er_nurse)
    url = reverse("cases:client_care", args=[person.pk])
    response = client.post(
        url, {"group": "hidden_regular", "note": "Works in trades"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="care-summary"' in html and "<html" not in html
    assert "Discreet, flexible contact" in html
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "High-functioning, hidden regular use" in partial
    assert (
        AuditEvent.objects.filter(action="cases.client.read", target_id=str(person.pk)).count() == 2
    )


def test_the_catalogue_page_adds_an_entry(client, er_nurse):
    client.force_login(er_nurse)
    url = reverse("cases:group_catalogue")
    assert "Approaches and supports by group" in client.get(url).content.decode()
    response = client.post(
        url, {"group": "recreational", "kind": "approach", "title": "Festival outreach"}
    )
    assert response.status_code == 302
    assert GroupSupport.objects.filter(title="Festival outreach").exists()
    assert (
        client.post(url, {"group": "recreational", "kind": "approach", "title": ""}).status_code
        == 400
    )


@pytest.mark.parametrize("persona", NOT_CARE_TEAM)
def test_no_one_off_the_care_team_sees_or_edits_groups(client, personas, er_nurse, person, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("cases:client_care", args=[person.pk])).status_code == 403
    assert (
        client.post(
            reverse("cases:client_care", args=[person.pk]), {"group": "recreational"}
        ).status_code
        == 403
    )
    assert client.get(reverse("cases:group_catalogue")).status_code == 403
    assert not GroupPlacement.objects.exists()


def test_another_organizations_clinician_gets_not_found(client, other_clinician, person):
    client.force_login(other_clinician)
    assert client.get(reverse("cases:client_care", args=[person.pk])).status_code == 404


def test_the_care_page_without_htmx_places_and_redirects(client, er_nurse, person):
    client.force_login(er_nurse)
    url = reverse("cases:client_care", args=[person.pk])
    response = client.post(url, {"group": "first_nations"})
    assert response.status_code == 302 and response.url == url
    page = client.get(url).content.decode()
    assert "<html" in page and "Group history" in page and "Culturally safe" in page
    bad = client.post(url, {"group": "party"})
    assert bad.status_code == 400 and "Nothing was changed" in bad.content.decode()
