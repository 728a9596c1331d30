"""The language pages, persona by persona: check a text, the term list and its versions,
an administrator's edit, and the review panel on a material's page."""

import pytest
from django.urls import reverse

from cairn.campaigns.language import review as reviewing
from cairn.campaigns.models.language import TermList
from cairn.campaigns.tests.language_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


# Check a text ---------------------------------------------------------------------------


def test_anyone_signed_in_checks_a_text(client, outreach_worker, shipped_terms):
    response = signed_in(client, outreach_worker).post(
        reverse("campaigns:language_check"),
        {"text": "Junkies and addicts are welcome at the drop-in."},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 terms to change" in page
    assert "person with a substance use disorder" in page
    assert "Slang with strong negative connotation" in page
    assert '<mark class="finding finding-avoid"' in page


def test_checking_with_htmx_answers_the_results_only(client, outreach_worker, shipped_terms):
    response = signed_in(client, outreach_worker).post(
        reverse("campaigns:language_check"),
        {"text": "Naloxone saves lives."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"No stigmatizing terms found." in response.content
    assert b"<html" not in response.content
    assert "HX-Request" in response["Vary"]


def test_an_empty_text_is_refused_with_a_message(client, outreach_worker, shipped_terms):
    response = signed_in(client, outreach_worker).post(reverse("campaigns:language_check"), {})
    assert response.status_code == 400
    assert b"Text: paste or type the text to check." in response.content


# The term list ----------------------------------------------------------------------------


def test_the_term_list_shows_terms_suggestions_reasons_and_versions(
    client, er_nurse, shipped_terms
):
    response = signed_in(client, er_nurse).get(reverse("campaigns:term_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="term-addict"' in page
    assert "withdrawal management" in page
    assert "Version 1 (current)" in page
    assert "Add a term" not in page  # only administrators change the list


def test_an_administrator_changes_a_term_as_a_new_version(client, administrator, shipped_terms):
    signed_in(client, administrator)
    form = client.get(reverse("campaigns:term_edit", kwargs={"key": "relapse"}))
    assert form.status_code == 200
    values = {
        "key": "relapse",
        "label": "relapse",
        "variants": "relapse; relapser",
        "inflect": "both",
        "preferred": "return to use; recurrence of use",
        "category": "treatment",
        "reason": "Implies a moral failing.",
        "severity": "avoid",
        "context_words": "",
        "window": "3",
        "exceptions": "",
        "sources": "VA;HD;CPYD",
        "confidence": "confirmed",
        "note": "Return to use first: Toward the Heart's wording.",
    }
    response = client.post(reverse("campaigns:term_edit", kwargs={"key": "relapse"}), values)
    assert response.status_code == 302
    assert response.url.endswith(
        reverse("campaigns:term_version", kwargs={"version": 2}) + "#terms"
    )
    current = TermList.current()
    assert current.version == 2
    assert current.created_by == administrator
    relapse = current.terms.get(key="relapse")
    assert relapse.variants == "relapse; relapser"
    assert current.terms.count() == shipped_terms.terms.count()
    # Version 1 is kept, and readable.
    assert TermList.objects.get(version=1).terms.get(key="relapse").variants == "relapse"
    old = client.get(reverse("campaigns:term_version", kwargs={"version": 1}))
    assert b"an earlier version" in old.content


def test_a_bad_term_is_refused_naming_the_field(client, administrator, shipped_terms):
    signed_in(client, administrator)
    response = client.post(
        reverse("campaigns:term_new"),
        {
            "key": "frequent-flyer",
            "variants": "frequent flyer",
            "preferred": "",
            "category": "person",
            "reason": "Mocks people who need care often.",
            "severity": "avoid",
            "inflect": "noun",
            "window": "3",
            "note": "ER slang.",
        },
    )
    assert response.status_code == 400
    assert b'data-field="preferred"' in response.content
    assert TermList.current().version == 1


def test_adding_and_removing_terms(client, administrator, shipped_terms):
    signed_in(client, administrator)
    added = client.post(
        reverse("campaigns:term_new"),
        {
            "key": "frequent-flyer",
            "label": "frequent flyer",
            "variants": "frequent flyer",
            "preferred": "person who visits often",
            "category": "person",
            "reason": "Mocks people who need care often.",
            "severity": "avoid",
            "inflect": "noun",
            "window": "3",
            "note": "ER slang.",
        },
    )
    assert added.status_code == 302
    assert TermList.current().terms.filter(key="frequent-flyer").exists()
    removed = client.post(
        reverse("campaigns:term_remove", kwargs={"key": "frequent-flyer"}),
        {"note": "Covered by the training instead."},
    )
    assert removed.status_code == 302
    assert TermList.current().version == 3
    assert not TermList.current().terms.filter(key="frequent-flyer").exists()


def test_only_administrators_change_the_list(client, communications_officer, shipped_terms):
    signed_in(client, communications_officer)
    assert client.get(reverse("campaigns:term_new")).status_code == 403
    response = client.post(reverse("campaigns:term_edit", kwargs={"key": "addict"}), {})
    assert response.status_code == 403


# The panel on the material's page ----------------------------------------------------------


def test_the_material_page_shows_the_findings_to_decide(
    client, communications_officer, poster_in_review
):
    response = signed_in(client, communications_officer).get(
        reverse("campaigns:material_detail", kwargs={"material_id": poster_in_review.pk})
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 findings to decide" in page
    assert "Use “People with a substance use disorder”" in page
    assert "Keep the wording" in page


def test_overriding_from_the_panel(client, communications_officer, poster_in_review):
    relapse = reviewing.open_findings(poster_in_review).get(term_key="relapse")
    signed_in(client, communications_officer)
    refused = client.post(
        reverse("campaigns:language_decide", kwargs={"finding_id": relapse.pk}),
        {"decision": "overridden", "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 200  # htmx swaps only 2xx: the message is in the panel
    assert b'data-field="reason"' in refused.content
    assert reviewing.open_findings(poster_in_review).count() == 2
    kept = client.post(
        reverse("campaigns:language_decide", kwargs={"finding_id": relapse.pk}),
        {"decision": "overridden", "reason": "Quoted from the clinic's own poster."},
        HTTP_HX_REQUEST="true",
    )
    assert kept.status_code == 200
    assert b"Kept, with a reason" in kept.content
    assert b"1 finding to decide" in kept.content


def test_accepting_from_the_panel_changes_the_text(
    client, communications_officer, poster_in_review
):
    addicts = reviewing.open_findings(poster_in_review).get(term_key="addict")
    signed_in(client, communications_officer)
    response = client.post(
        reverse("campaigns:language_decide", kwargs={"finding_id": addicts.pk}),
        {"decision": "accepted", "replacement": "person who uses drugs"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].endswith("?revision=2#language-review")
    poster_in_review.refresh_from_db()
    assert poster_in_review.body.startswith("People who use drugs are our neighbours.")


def test_without_javascript_a_decision_returns_to_the_material(
    client, communications_officer, poster_in_review
):
    addicts = reviewing.open_findings(poster_in_review).get(term_key="addict")
    response = signed_in(client, communications_officer).post(
        reverse("campaigns:language_decide", kwargs={"finding_id": addicts.pk}),
        {"decision": "accepted"},
    )
    assert response.status_code == 302
    assert response.url.endswith("#language-review")


def test_others_cannot_decide(client, municipal_coordinator, outreach_worker, poster_in_review):
    addicts = reviewing.open_findings(poster_in_review).get(term_key="addict")
    url = reverse("campaigns:language_decide", kwargs={"finding_id": addicts.pk})
    # The Prince George coordinator sees the ministry's province-wide campaign, read-only.
    coordinator = signed_in(client, municipal_coordinator)
    assert coordinator.post(url, {"decision": "accepted"}).status_code == 403
    assert signed_in(client, outreach_worker).post(url, {"decision": "accepted"}).status_code == 403
    assert reviewing.open_findings(poster_in_review).count() == 2


def test_checking_a_draft_from_the_panel_records_a_review(client, communications_officer, poster):
    response = signed_in(client, communications_officer).post(
        reverse("campaigns:language_review", kwargs={"material_id": poster.pk}),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"checked with version 1" in response.content
    assert reviewing.latest_review(poster) is not None


def test_a_reader_sees_the_findings_without_the_buttons(
    client, municipal_coordinator, poster_in_review
):
    # The Prince George coordinator reads the ministry's province-wide campaign.
    response = signed_in(client, municipal_coordinator).get(
        reverse("campaigns:material_detail", kwargs={"material_id": poster_in_review.pk})
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 findings to decide" in page
    assert "Keep the wording" not in page
    assert "Check the current text" not in page
