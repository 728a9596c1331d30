"""Survey pages of a campaign: start a survey with its design, add waves, make
invitations and download their links; who may see and change what."""

import csv
import io

from cairn.campaigns.models.surveys import Invitation, Survey
from cairn.campaigns.tests import surveys_fixtures

pre_post_survey = surveys_fixtures.pre_post_survey
sample_instrument = surveys_fixtures.sample_instrument
exposure_survey = surveys_fixtures.exposure_survey


def test_a_planner_starts_a_pre_post_survey_with_a_segment_question(
    client, communications_officer, campaign, sample_instrument
):
    client.force_login(communications_officer)
    form = client.get(f"/campaigns/{campaign.pk}/surveys/new/")
    assert form.status_code == 200
    assert "Attitudes toward people who use drugs (Cairn sample, 8 items)" in form.content.decode()
    made = client.post(
        f"/campaigns/{campaign.pk}/surveys/new/",
        {
            "title": "Your views",
            "design": "pre_post",
            "instrument": str(sample_instrument.pk),
            "consent_text": "Anonymous and voluntary.",
            "segment_question": "Which describes you best?",
            "segment_choices": "family | A family member\nworker | A health-care worker",
        },
    )
    survey = Survey.objects.get()
    assert made.url == f"/campaigns/surveys/{survey.pk}/"
    assert list(survey.waves.values_list("key", "label")) == [
        ("pre", "Before the campaign"),
        ("post", "After the campaign"),
    ]
    assert survey.segment_choices == [
        ["family", "A family member"],
        ["worker", "A health-care worker"],
    ]


def test_problems_are_named_and_nothing_is_made(
    client, communications_officer, campaign, sample_instrument
):
    client.force_login(communications_officer)
    page = client.post(
        f"/campaigns/{campaign.pk}/surveys/new/",
        {"title": "", "design": "exposed_unexposed", "instrument": "", "consent_text": ""},
    )
    assert page.status_code == 400
    text = page.content.decode()
    for message in (
        "Give the survey a title (respondents see it).",
        "Write the consent text respondents read first.",
        "Choose an instrument.",
        "Exposed vs not exposed needs the exposure question.",
    ):
        assert message in text
    assert not Survey.objects.exists()


def test_repeated_waves_grow_one_at_a_time(
    client, communications_officer, campaign, sample_instrument
):
    survey = surveys_fixtures.make_survey(
        communications_officer, campaign, sample_instrument, design="waves"
    )
    client.force_login(communications_officer)
    client.post(f"/campaigns/surveys/{survey.pk}/waves/", {"label": ""})
    client.post(f"/campaigns/surveys/{survey.pk}/waves/", {"label": "Spring 2026"})
    assert list(survey.waves.values_list("key", "label")) == [
        ("wave_1", "Wave 1"),
        ("wave_2", "Wave 2"),
        ("wave_3", "Spring 2026"),
    ]


def test_invitations_come_in_batches_and_their_links_as_csv(
    client, communications_officer, pre_post_survey
):
    client.force_login(communications_officer)
    base = f"/campaigns/surveys/{pre_post_survey.pk}"
    assert client.post(f"{base}/invitations/", {"wave": "pre", "count": "5"}).status_code == 302
    assert client.post(f"{base}/invitations/", {"wave": "post", "count": "3"}).status_code == 302
    assert Invitation.objects.count() == 8
    refused = client.post(f"{base}/invitations/", {"wave": "pre", "count": "lots"})
    assert refused.status_code == 400
    assert "Give the number of invitations as a whole number." in refused.content.decode()
    assert client.post(f"{base}/invitations/", {"wave": "during", "count": "1"}).status_code == 400
    rows = list(
        csv.reader(io.StringIO(client.get(f"{base}/invitations.csv?batch=2").content.decode()))
    )
    assert rows[0] == ["wave", "batch", "link"]
    assert len(rows) == 4 and {r[0] for r in rows[1:]} == {"post"}
    token = Invitation.objects.filter(batch=2).first().token
    assert f"http://testserver/survey/{token}/" in {r[2] for r in rows[1:]}
    page = client.get(f"{base}/").content.decode()
    assert "Batch" in page and "Links (CSV)" in page


def test_the_campaign_page_partial_lists_the_surveys(rf, communications_officer, pre_post_survey):
    from django.template.loader import render_to_string

    html = render_to_string(
        "campaigns/surveys/_campaign_surveys.html",
        {"campaign": pre_post_survey.campaign, "may_manage": True},
    )
    assert "What do you think?" in html
    assert "Before and after the campaign (pre/post)" in html
    assert f"/campaigns/{pre_post_survey.campaign_id}/surveys/new/" in html


def test_a_partner_organization_reads_the_survey_but_cannot_change_it(
    client, municipal_coordinator, pre_post_survey
):
    client.force_login(municipal_coordinator)
    base = f"/campaigns/surveys/{pre_post_survey.pk}"
    page = client.get(f"{base}/")
    assert page.status_code == 200
    assert "Make invitations" not in page.content.decode()
    assert client.post(f"{base}/invitations/", {"wave": "pre", "count": "5"}).status_code == 403
    assert client.get(f"{base}/invitations.csv").status_code == 403
    assert client.get(f"{base}/import/").status_code == 403
    assert client.get(f"/campaigns/{pre_post_survey.campaign_id}/surveys/new/").status_code == 403


def test_people_outside_campaigns_get_nothing(client, personas, pre_post_survey):
    base = f"/campaigns/surveys/{pre_post_survey.pk}/"
    client.force_login(personas["er_nurse"])
    assert client.get(base).status_code == 403
    client.force_login(personas["first_nations_partner"])  # not addressed to First Nations
    assert client.get(base).status_code == 404


def test_a_wave_gets_its_opening_and_closing_days(client, communications_officer, pre_post_survey):
    client.force_login(communications_officer)
    url = f"/campaigns/surveys/{pre_post_survey.pk}/waves/post/dates/"
    client.post(url, {"opens_on": "2026-04-01", "closes_on": "2026-04-30"})
    wave = pre_post_survey.waves.get(key="post")
    assert (str(wave.opens_on), str(wave.closes_on)) == ("2026-04-01", "2026-04-30")
    refused = client.post(url, {"opens_on": "2026-04-30", "closes_on": "2026-04-01"})
    assert refused.status_code == 400
    assert "The wave closes before it opens." in refused.content.decode()
    assert (
        "Write the opening day like 2026-03-31."
        in client.post(url, {"opens_on": "April"}).content.decode()
    )


def test_the_texts_change_but_a_segment_answer_already_given_stays(
    client, communications_officer, exposure_survey
):
    token = surveys_fixtures.make_tokens(communications_officer, exposure_survey, "post", 1)[0]
    client.post(
        f"/survey/{token}/",
        {"consent": "yes", **surveys_fixtures.ALL_DISAGREE, "exposure": "yes", "segment": "family"},
    )
    client.force_login(communications_officer)
    url = f"/campaigns/surveys/{exposure_survey.pk}/edit/"
    assert "family | A family member" in client.get(url).content.decode()
    form = {
        "title": "Did you notice it?",
        "consent_text": "Anonymous.",
        "exposure_question": "Did you see the posters?",
        "segment_question": "Which describes you best?",
        "segment_choices": "other | Other",
    }
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "Responses already gave the segment answer family" in refused.content.decode()
    saved = client.post(url, {**form, "segment_choices": "family | Family\nother | Other"})
    assert saved.status_code == 302
    exposure_survey.refresh_from_db()
    assert exposure_survey.title == "Did you notice it?"
    assert exposure_survey.segment_labels == {"family": "Family", "other": "Other"}
    assert exposure_survey.exposure_question == "Did you see the posters?"
