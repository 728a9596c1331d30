"""The public survey page: no sign-in, consent first, one response per invitation,
errors that name the question, and nothing that links a response to anyone."""

import threading

import pytest
from django.db import connection
from django.test import Client

from cairn.campaigns.models.surveys import Answer, Invitation, Response
from cairn.campaigns.surveys import responses
from cairn.campaigns.tests import surveys_fixtures
from cairn.campaigns.tests.surveys_fixtures import ALL_DISAGREE, make_survey, make_tokens, sheet

exposure_survey = surveys_fixtures.exposure_survey
pre_post_survey = surveys_fixtures.pre_post_survey
pre_tokens = surveys_fixtures.pre_tokens
sample_instrument = surveys_fixtures.sample_instrument


def url(token):
    return f"/survey/{token}/"


def answered(**changes):
    return {"consent": "yes", **ALL_DISAGREE, **changes}


def test_the_consent_text_comes_first_without_signing_in(client, pre_post_survey, pre_tokens):
    page = client.get(url(pre_tokens[0]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Before you start" in text
    assert "It is anonymous" in text
    assert 'name="q1"' not in text  # no question before consent
    questions = client.get(url(pre_tokens[0]) + "?consent=yes")
    assert questions.status_code == 200
    assert "Drug use is a health issue, not a moral failing." in questions.content.decode()
    assert 'name="q8"' in questions.content.decode()


def test_answers_are_stored_once_with_their_scores_and_the_invitation_used(
    client, pre_post_survey, pre_tokens
):
    sent = client.post(url(pre_tokens[0]), answered())
    assert sent.status_code == 302 and sent.url == url(pre_tokens[0])
    response = Response.objects.get()
    assert (response.wave.key, response.source, response.group) == ("pre", "web", "")
    assert response.total_score == pytest.approx(3.5)
    assert response.scores == {"moral_view": 4.0, "social_distance": 3.0}
    assert Answer.objects.filter(response=response).count() == 8
    assert Invitation.objects.get(token=pre_tokens[0]).used_on == response.submitted_on
    thanks = client.get(url(pre_tokens[0]))
    assert "Thank you" in thanks.content.decode()


def test_a_second_submission_with_the_same_invitation_stores_nothing(
    client, pre_post_survey, pre_tokens
):
    client.post(url(pre_tokens[0]), answered())
    again = client.post(url(pre_tokens[0]), answered(q1="5"))
    assert again.status_code == 200
    assert "has been answered with this invitation" in again.content.decode()
    assert Response.objects.count() == 1
    assert Response.objects.get().scores["moral_view"] == 4.0  # the first answers


def test_each_problem_names_its_question_and_keeps_the_answers_given(
    client, pre_post_survey, pre_tokens
):
    page = client.post(url(pre_tokens[0]), answered(q3="", q6="9"))
    assert page.status_code == 400
    text = page.content.decode()
    assert (
        "Question 6 (“I would be comfortable working alongside a person in recovery.”): "
        "choose one of the answers shown." in text
    )
    assert "Question 3" not in text  # skipping a question is allowed
    assert 'name="q1" value="1" checked' in text
    assert not Response.objects.exists()
    assert Invitation.objects.get(token=pre_tokens[0]).used_on is None


def test_any_question_may_be_skipped_and_the_scores_follow_the_minimums(
    client, pre_post_survey, pre_tokens
):
    client.post(url(pre_tokens[0]), answered(q1="", q2=""))
    response = Response.objects.get()
    assert response.scores == {"moral_view": None, "social_distance": 3.0}  # 2 of 4: too few
    assert response.total_score == 3.0  # (5 + 1 + 5 + 5 + 1 + 1) / 6: six answered, enough
    assert response.answers.filter(value__isnull=True).count() == 2
    empty = client.post(url(pre_tokens[1]), {"consent": "yes"})
    assert empty.status_code == 400
    assert "Answer at least one question, or close this page" in empty.content.decode()


def test_answers_without_consent_are_refused(client, pre_post_survey, pre_tokens):
    page = client.post(url(pre_tokens[0]), {**ALL_DISAGREE})
    assert page.status_code == 400
    assert "Please confirm that you agree to take part." in page.content.decode()
    assert not Response.objects.exists()


def test_an_unknown_token_is_not_found(client, db):
    page = client.get(url("no-such-token"))
    assert page.status_code == 404
    assert "Survey not found" in page.content.decode()


def test_a_closed_wave_takes_no_answers(client, pre_post_survey, pre_tokens):
    import datetime as dt

    pre_post_survey.waves.filter(key="pre").update(closes_on=dt.date(2020, 1, 1))
    page = client.post(url(pre_tokens[0]), answered())
    assert page.status_code == 410
    assert not Response.objects.exists()


def test_the_exposure_question_places_the_respondent_in_a_group_and_the_segment_is_kept(
    client, communications_officer, exposure_survey
):
    first, second, third = make_tokens(communications_officer, exposure_survey, "post", 3)
    missing = client.post(url(first), answered())
    assert (
        "“In the last month, did you see or hear this campaign?”: choose Yes, No or Not sure."
        in missing.content.decode()
    )
    client.post(url(first), answered(exposure="yes", segment="family"))
    client.post(url(second), answered(exposure="no", segment="prefer_not"))
    client.post(url(third), answered(exposure="not_sure"))
    groups = sorted(Response.objects.values_list("group", "segment"))
    assert groups == [("", ""), ("exposed", "family"), ("unexposed", "")]


def test_a_response_keeps_nothing_that_could_link_it_to_a_person(
    client, pre_post_survey, pre_tokens
):
    client.post(url(pre_tokens[0]), answered(), REMOTE_ADDR="203.0.113.9")
    fields = {f.name for f in Response._meta.get_fields()}
    assert fields == {
        "id",
        "survey",
        "wave",
        "group",
        "segment",
        "submitted_on",
        "source",
        "panel_key",
        "import_batch",
        "dedup_key",
        "total_score",
        "scores",
        "answers",
    }
    assert not any(f.name == "response" for f in Invitation._meta.get_fields())
    response = Response.objects.get()
    values = " ".join(str(v) for v in Response.objects.values().get().values())
    assert pre_tokens[0] not in values and "203.0.113.9" not in values
    assert response.panel_key == "" and response.dedup_key is None
    assert "sessionid" not in client.cookies


def test_no_sign_in_needed_and_a_signed_in_person_is_not_recorded(
    client, personas, pre_post_survey, pre_tokens
):
    client.force_login(personas["er_nurse"])
    client.post(url(pre_tokens[0]), answered())
    assert Response.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_click_sending_twice_at_once_stores_one_response(
    communications_officer, campaign, sample_instrument
):
    survey = make_survey(communications_officer, campaign, sample_instrument)
    token = make_tokens(communications_officer, survey)[0]
    start = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            start.wait()
            responses.submit_response(sheet(token), answered())
            outcomes.append("stored")
        except responses.AlreadyAnswered:
            outcomes.append("already answered")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already answered", "stored"]
    assert Response.objects.count() == 1
    # And through the page, with a fresh client: the second post is told it is done.
    second = Client().post(url(token), answered())
    assert second.status_code == 200
    assert Response.objects.count() == 1


def test_an_open_link_gives_each_person_who_agrees_a_fresh_invitation(client, pre_post_survey):
    from cairn.campaigns.surveys.invitations import open_link_key

    wave = pre_post_survey.waves.get(key="post")
    link = f"/survey/open/{open_link_key(wave)}/"
    consent = client.get(link)
    assert consent.status_code == 200 and "Before you start" in consent.content.decode()
    assert not Invitation.objects.exists()  # a link preview makes nothing
    started = client.post(link)
    invitation = Invitation.objects.get()
    assert (invitation.wave, invitation.batch) == (wave, 0)
    assert started.url == f"/survey/{invitation.token}/?consent=yes"
    client.post(url(invitation.token), answered())
    assert Response.objects.get().wave == wave
    assert client.get(f"/survey/open/{wave.pk}.made-up/").status_code == 404
