"""Surveys with scored responses for the evaluation tests, written straight to the tables
(the evaluation reads stored scores; how they are scored is the surveys part's test)."""

import datetime
import hashlib

import numpy as np
import pytest

from cairn.campaigns.models.surveys import (
    Design,
    Instrument,
    InstrumentItem,
    Response,
    ResponseOption,
    Subscale,
    Survey,
    SurveyWave,
)

HIGHER_MEANS = "more stigmatizing attitudes (scores run from 1 to 5)"
STARTING_WAVES = {
    Design.PRE_POST: [("pre", "Before the campaign"), ("post", "After the campaign")],
    Design.EXPOSED_UNEXPOSED: [("post", "After the campaign")],
    Design.WAVES: [("wave_1", "Wave 1"), ("wave_2", "Wave 2"), ("wave_3", "Wave 3")],
}


def make_instrument() -> Instrument:
    instrument = Instrument.objects.create(
        name="Attitudes (test)", higher_means=HIGHER_MEANS, total_scoring="mean"
    )
    for value in range(1, 6):
        ResponseOption.objects.create(instrument=instrument, value=value, label=str(value))
    items = [
        InstrumentItem.objects.create(instrument=instrument, code=f"q{i}", position=i)
        for i in range(1, 5)
    ]
    for position, (key, name, members) in enumerate(
        [
            ("health", "Drug use as a health issue", items[:2]),
            ("distance", "Social distance", items[2:]),
        ]
    ):
        subscale = Subscale.objects.create(
            instrument=instrument, key=key, name=name, position=position
        )
        subscale.items.set(members)
    return instrument


def make_survey(campaign, user, design=Design.PRE_POST, segments=()) -> Survey:
    survey = Survey.objects.create(
        campaign=campaign,
        instrument=make_instrument(),
        title="What do you think about drug use?",
        design=design,
        consent_text="Anonymous and voluntary.",
        segment_question="Which describes you best?" if segments else "",
        segment_choices=[list(s) for s in segments],
        created_by=user,
    )
    for position, (key, label) in enumerate(STARTING_WAVES[design], start=1):
        SurveyWave.objects.create(survey=survey, key=key, label=label, position=position)
    return survey


def add_responses(
    survey,
    wave_key,
    totals,
    *,
    group="",
    segment="",
    panel_ids=None,
    subscale_shift=0.0,
    on=datetime.date(2026, 2, 1),
):
    """One response per total score; subscales are the total ± `subscale_shift`."""
    wave = survey.waves.get(key=wave_key)
    rows = []
    for index, total in enumerate(totals):
        panel = panel_ids[index] if panel_ids is not None else ""
        rows.append(
            Response(
                survey=survey,
                wave=wave,
                group=group,
                segment=segment,
                submitted_on=on,
                source="csv" if panel else "web",
                panel_key=hashlib.sha256(panel.encode()).hexdigest() if panel else "",
                total_score=None if total is None else float(total),
                scores={
                    "health": None if total is None else float(total) + subscale_shift,
                    "distance": None if total is None else float(total) - subscale_shift,
                },
            )
        )
    Response.objects.bulk_create(rows, batch_size=5000)


def scores(n, mean, sd=0.6, seed=1):
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(mean, sd, n), 1, 5).round(3).tolist()


@pytest.fixture
def pre_post_survey(campaign, communications_officer):
    survey = make_survey(campaign, communications_officer)
    add_responses(survey, "pre", scores(120, 3.2, seed=1))
    add_responses(survey, "post", scores(110, 2.9, seed=2))
    return survey


def add_answer_sheets(survey, wave_key, sheets, *, group=""):
    """Responses with their answers ({item code: value}), scores left empty."""
    from cairn.campaigns.models.surveys import Answer

    wave = survey.waves.get(key=wave_key)
    items = {item.code: item for item in survey.instrument.items.all()}
    for sheet in sheets:
        response = Response.objects.create(
            survey=survey,
            wave=wave,
            group=group,
            submitted_on=datetime.date(2026, 2, 1),
            source="web",
        )
        Answer.objects.bulk_create(
            Answer(response=response, item=items[code], value=value)
            for code, value in sheet.items()
        )
