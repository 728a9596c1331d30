"""The language review of a material: what it records, how decisions are made and kept,
and how it holds approval until every term to change is decided."""

import pytest
from django.core.exceptions import PermissionDenied

from cairn.access.models import AuditEvent
from cairn.campaigns import materials as workflow
from cairn.campaigns.language import review as reviewing
from cairn.campaigns.language.terms import TermData, save_new_version, term_data_of
from cairn.campaigns.models.language import LanguageReview
from cairn.campaigns.planning import CampaignError
from cairn.campaigns.tests.language_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db


def findings(material):
    return list(reviewing.latest_review(material).findings.order_by("start"))


def test_sending_to_review_records_each_finding_with_suggestion_and_reason(poster_in_review):
    found = findings(poster_in_review)
    assert [(f.field, f.matched, f.suggestion, f.severity) for f in found] == [
        ("body", "Addicts", "person with a substance use disorder", "avoid"),
        ("body", "Relapse", "return to use", "avoid"),
        ("body", "overdose", "drug poisoning", "consider"),
    ]
    assert found[0].reason.startswith("Person-first")
    assert found[0].sentence == "Addicts are our neighbours."
    assert found[0].review.term_list.version == 1
    # Shane's own words, in quotes, are not a finding.
    assert "junkie" not in {f.matched for f in found}


def test_open_findings_are_the_terms_to_change_without_a_decision(poster_in_review):
    assert [f.matched for f in reviewing.open_findings(poster_in_review)] == [
        "Addicts",
        "Relapse",
    ]


def test_approval_waits_for_every_term_to_change(poster_in_review, communications_officer):
    with pytest.raises(CampaignError, match="2 language findings still open"):
        workflow.approve(poster_in_review, communications_officer)


def test_checking_the_same_revision_again_changes_nothing(poster_in_review, communications_officer):
    again = reviewing.review_material(poster_in_review, communications_officer)
    assert len(again) == 3
    assert LanguageReview.objects.filter(material=poster_in_review).count() == 1


def test_override_needs_a_reason(poster_in_review, communications_officer):
    relapse = findings(poster_in_review)[1]
    with pytest.raises(reviewing.ReviewError, match="Reason") as refused:
        reviewing.decide(relapse, communications_officer, "overridden", "  ")
    assert refused.value.field == "reason"
    reviewing.decide(
        relapse, communications_officer, "overridden", "The speaker's own word, with consent."
    )
    relapse.refresh_from_db()
    assert relapse.decision == "overridden"
    assert relapse.decided_by_name == "comms.officer"
    assert AuditEvent.objects.filter(action="campaigns.language.decision").exists()


def test_accepting_puts_the_suggestion_in_the_text_and_checks_the_new_revision(
    poster_in_review, communications_officer
):
    addicts = findings(poster_in_review)[0]
    reviewing.decide(addicts, communications_officer, "accepted")
    poster_in_review.refresh_from_db()
    assert poster_in_review.body.startswith(
        "People with a substance use disorder are our neighbours."
    )
    assert poster_in_review.revision == 2
    assert poster_in_review.status == "in_review"
    assert [f.matched for f in reviewing.open_findings(poster_in_review)] == ["Relapse"]
    addicts.refresh_from_db()
    assert (addicts.decision, addicts.replacement) == (
        "accepted",
        "People with a substance use disorder",
    )


def test_accepting_an_alternative(poster_in_review, communications_officer):
    addicts = findings(poster_in_review)[0]
    reviewing.decide(
        addicts, communications_officer, "accepted", replacement="person who uses drugs"
    )
    poster_in_review.refresh_from_db()
    assert poster_in_review.body.startswith("People who use drugs are our neighbours.")
    # The same click again changes nothing; the old finding cannot be decided otherwise.
    reviewing.decide(addicts, communications_officer, "accepted")
    with pytest.raises(reviewing.ReviewError, match="earlier check"):
        reviewing.decide(addicts, communications_officer, "overridden", "Changed my mind.")


def test_a_replacement_must_be_one_of_the_suggestions(poster_in_review, communications_officer):
    addicts = findings(poster_in_review)[0]
    with pytest.raises(reviewing.ReviewError, match="Replacement") as refused:
        reviewing.decide(addicts, communications_officer, "accepted", replacement="folks")
    assert refused.value.field == "replacement"


def test_a_kept_wording_stays_kept_on_the_next_revision(poster_in_review, communications_officer):
    relapse = findings(poster_in_review)[1]
    reviewing.decide(relapse, communications_officer, "overridden", "Quoted from the clinic.")
    addicts = findings(poster_in_review)[0]
    reviewing.decide(addicts, communications_officer, "accepted")
    poster_in_review.refresh_from_db()
    now = findings(poster_in_review)
    relapse_now = next(f for f in now if f.term_key == "relapse")
    assert relapse_now.decision == "overridden"
    assert relapse_now.carried_from_id == relapse.pk
    assert reviewing.open_findings(poster_in_review).count() == 0
    workflow.approve(poster_in_review, communications_officer)


def test_a_term_changed_by_hand_is_marked_fixed(poster_in_review, communications_officer):
    body = poster_in_review.body.replace("Relapse", "A return to use")
    workflow.update_material_texts(poster_in_review, communications_officer, {"body": body})
    poster_in_review.refresh_from_db()
    old = LanguageReview.objects.get(material=poster_in_review, revision=1)
    relapse = old.findings.get(term_key="relapse")
    assert relapse.decision == "fixed"
    assert [f.matched for f in reviewing.open_findings(poster_in_review)] == ["Addicts"]
    outcome = reviewing.review_outcome(poster_in_review)
    assert (outcome["fixed"], outcome["open"], outcome["consider"]) == (1, 1, 1)


def test_only_the_campaigns_organization_decides(poster_in_review, municipal_coordinator):
    with pytest.raises(PermissionDenied):
        reviewing.decide(findings(poster_in_review)[0], municipal_coordinator, "accepted")


def test_a_new_list_version_is_used_for_the_next_check_and_named(
    poster_in_review, communications_officer, administrator, shipped_terms
):
    terms = [term_data_of(t) for t in shipped_terms.terms.all() if t.key != "relapse"]
    save_new_version(administrator, terms, "Relapse is discussed with the clinic's team.")
    found = reviewing.review_material(poster_in_review, communications_officer)
    assert [f.matched for f in found] == ["Addicts", "overdose"]
    assert reviewing.latest_review(poster_in_review).term_list.version == 2
    # The first check keeps the version it was made with.
    assert LanguageReview.objects.get(material=poster_in_review, term_list__version=1)


def test_the_panel_before_review_is_a_preview(poster, communications_officer):
    panel = reviewing.review_panel_context(poster, communications_officer)
    assert panel["preview"] is True
    assert panel["may_decide"] is False
    assert panel["open_count"] == 2
    (body,) = [f for f in panel["fields"] if f.name == "body"]
    marked = [part for part, finding in body.segments if finding is not None]
    assert marked == ["Addicts", "Relapse", "overdose"]


def test_organizations_and_partners_names_are_not_flagged(
    campaign, communications_officer, shipped_terms
):
    campaign.partners = "Clean Slate Runners"
    campaign.save()
    material = workflow.create_material(
        campaign,
        communications_officer,
        kind="text",
        title="Our partners",
        body="Thanks to Clean Slate Runners, I stayed on my feet.",
    )
    workflow.submit_for_review(material, communications_officer)
    assert reviewing.open_findings(material).count() == 0


def test_term_data_is_validated(administrator, shipped_terms):
    from cairn.campaigns.language.terms import TermError

    bad = TermData(
        key="Bad Key", label="", variants="x", preferred="y", category="person", reason="r"
    )
    with pytest.raises(TermError, match="key") as refused:
        save_new_version(administrator, [bad], "try")
    assert refused.value.field == "key"
