"""The report's sections with real content: a material whose stigmatizing words were fixed
or kept with a reason, reach figures, a pre/post survey with its differences and intervals."""

import datetime as dt

import pytest

from cairn.campaigns import materials as workflow
from cairn.campaigns.language import review
from cairn.campaigns.language.terms import install_shipped_terms
from cairn.campaigns.models.reach import ReachMetric
from cairn.campaigns.report import build_report, render_report_pdf
from cairn.campaigns.tests.evaluation_fixtures import add_responses, make_survey, scores

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def reviewed_material(campaign, communications_officer):
    install_shipped_terms()
    material = workflow.create_material(
        campaign,
        communications_officer,
        kind="text",
        title="Families",
        body="Every addict is someone's child. Junkie is a word that hurts.",
    )
    workflow.submit_for_review(material, communications_officer)
    findings = {f.matched.lower(): f for f in review.open_findings(material)}
    review.decide(findings["addict"], communications_officer, "accepted")
    material.refresh_from_db()  # the accepted suggestion changed the text: a new revision
    findings = {f.matched.lower(): f for f in review.open_findings(material)}
    review.decide(
        findings["junkie"],
        communications_officer,
        "overridden",
        "The sentence names the word to say that it hurts.",
    )
    return material


@pytest.fixture
def full_campaign(campaign, communications_officer, reviewed_material):
    ReachMetric.objects.create(
        campaign=campaign,
        channel="social_media",
        period_start=dt.date(2026, 1, 12),
        period_end=dt.date(2026, 3, 29),
        metric="impressions",
        value=500_000,
        updated_by=communications_officer,
    )
    ReachMetric.objects.create(
        campaign=campaign,
        channel="posters",
        period_start=dt.date(2026, 1, 12),
        period_end=dt.date(2026, 3, 29),
        metric="naloxone_kit_requests",
        value=340,
        updated_by=communications_officer,
    )
    survey = make_survey(campaign, communications_officer)
    add_responses(survey, "pre", scores(120, 3.2, seed=1))
    add_responses(survey, "post", scores(110, 2.9, seed=2))
    return campaign


def test_the_materials_section_counts_what_the_language_review_did(full_campaign):
    report = build_report(full_campaign, today=TODAY)
    (line,) = report.materials
    assert line.title == "Families" and line.checked
    assert line.fixed == 1
    assert line.kept == [("Junkie", "The sentence names the word to say that it hurts.")]
    assert line.open == 0


def test_reach_totals_and_the_cost_per_thousand_impressions(full_campaign):
    report = build_report(full_campaign, today=TODAY)
    assert [(r.channel, r.metric, r.value) for r in report.reach] == [
        ("Posters", "Naloxone kit requests", 340),
        ("Social media", "Impressions", 500_000),
    ]
    assert str(report.cost_per_thousand) == "500.00"  # $250,000 / 500,000 × 1,000


def test_the_survey_difference_comes_with_its_interval_and_chart(full_campaign):
    report = build_report(full_campaign, today=TODAY)
    (section,) = report.surveys
    assert section.n_responses == 230
    label, difference, effect, n = section.rows[0]
    assert "After the campaign vs Before the campaign" in label
    assert "95% CI" in difference and effect.startswith("d = ")
    assert n == "110 and 120"
    assert "<svg" in section.chart_svg and "95%" in section.chart_svg
    assert any("association" in sentence for sentence in section.analysis.summary)


def test_the_pdf_carries_every_section(full_campaign):
    text = render_report_pdf(build_report(full_campaign, today=TODAY), compress=False)
    for words in (b"Families", b"kept with a reason", b"Cost per 1,000 impressions", b"95% CI"):
        assert words in text, words


def test_the_report_page_shows_the_review_outcome(client, full_campaign, communications_officer):
    client.force_login(communications_officer)
    html = client.get(f"/campaigns/{full_campaign.pk}/report/").content.decode()
    assert "1 fixed, 1 kept with a reason, 0 open" in html
    assert "The sentence names the word to say that it hurts." in html
    assert "$500.00" in html


def test_a_survey_without_enough_answers_is_withheld_not_an_error(campaign, communications_officer):
    survey = make_survey(campaign, communications_officer)
    add_responses(survey, "pre", scores(4, 3.2, seed=1))
    report = build_report(campaign, today=TODAY)
    (section,) = report.surveys
    assert section.chart_svg == ""
    assert all("too few" in difference.lower() for _, difference, _, _ in section.rows)
    assert render_report_pdf(report).startswith(b"%PDF")


def test_a_comparison_of_scores_that_do_not_vary_is_written_without_nan():
    from types import SimpleNamespace

    from cairn.campaigns.evaluation.stats import cohens_d, welch_difference
    from cairn.campaigns.report.build import _difference_text, _effect_text

    same = [3.0] * 12
    difference = welch_difference(same, same)
    effect = cohens_d(same, same)
    result = SimpleNamespace(estimate=difference.estimate, low=difference.low, high=difference.high)

    assert _effect_text(effect) == "not defined (the scores do not vary)"
    nan_interval = SimpleNamespace(estimate=0.0, low=float("nan"), high=float("nan"))
    assert _difference_text(nan_interval) == "+0.00 (no interval: the scores do not vary)"
    assert "nan" not in _difference_text(result) + _effect_text(effect)
