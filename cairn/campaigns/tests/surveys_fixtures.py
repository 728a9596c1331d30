"""Fixtures for the survey tests: the sample instrument, a pre/post survey of the
ministry's campaign, and invitations to it. Import the ones a test module uses."""

import pytest

from cairn.campaigns.models.surveys import Design
from cairn.campaigns.surveys import catalogue, designs, invitations
from cairn.campaigns.surveys.responses import load_invitation

#: A sheet of answers to the sample instrument: every item "Strongly disagree" (1).
ALL_DISAGREE = {f"q{n}": "1" for n in range(1, 9)}


@pytest.fixture
def sample_instrument(db):
    return catalogue.install_sample_instrument()


def make_survey(user, campaign, instrument, *, design=Design.PRE_POST, **extra):
    data = {
        "title": "What do you think?",
        "design": design,
        "consent_text": designs.DEFAULT_CONSENT,
        "exposure_question": designs.DEFAULT_EXPOSURE_QUESTION,
        **extra,
    }
    return designs.create_survey(user=user, campaign=campaign, data=data, instrument=instrument)


@pytest.fixture
def pre_post_survey(communications_officer, campaign, sample_instrument):
    return make_survey(communications_officer, campaign, sample_instrument)


@pytest.fixture
def exposure_survey(communications_officer, campaign, sample_instrument):
    return make_survey(
        communications_officer,
        campaign,
        sample_instrument,
        design=Design.EXPOSED_UNEXPOSED,
        title="Did you see it?",
        segment_question="Which describes you best?",
        segment_choices=[
            ["family", "A family member of a person who uses drugs"],
            ["other", "Other"],
        ],
    )


def make_tokens(user, survey, wave_key="pre", count=3) -> list[str]:
    wave = survey.waves.get(key=wave_key)
    batch = invitations.generate_invitations(user=user, survey=survey, wave=wave, count=count)
    return list(wave.invitations.filter(batch=batch).values_list("token", flat=True))


@pytest.fixture
def pre_tokens(communications_officer, pre_post_survey):
    return make_tokens(communications_officer, pre_post_survey)


def sheet(token):
    return load_invitation(token)
