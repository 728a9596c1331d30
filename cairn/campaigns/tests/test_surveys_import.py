"""Survey-panel CSV import: good rows kept, each bad one named by line and column,
panel ids never stored, and importing the same rows again adds nothing twice."""

import pytest

from cairn.campaigns.models.surveys import Answer, Response, SurveyImport
from cairn.campaigns.surveys.importing import ImportRefused, import_panel_csv
from cairn.campaigns.tests import surveys_fixtures

pre_post_survey = surveys_fixtures.pre_post_survey
sample_instrument = surveys_fixtures.sample_instrument

HEADER = "wave,group,segment,panel_id,q1,q2,q3,q4,q5,q6,q7,q8\n"
GOOD = "pre,,,P-001,1,1,1,1,1,1,1,1\npost,,,P-001,5,5,5,1,5,5,1,1\npre,,,P-002,3,3,3,3,3,3,3,3\n"


def run(user, survey, text, name="panel.csv"):
    return import_panel_csv(user=user, survey=survey, content=text.encode(), file_name=name)


def test_good_rows_are_stored_scored_and_paired_by_a_hashed_panel_id(
    communications_officer, pre_post_survey
):
    batch = run(communications_officer, pre_post_survey, HEADER + GOOD)
    assert (batch.rows_read, batch.rows_added, batch.rows_refused) == (3, 3, 0)
    pre, post = (
        Response.objects.filter(panel_key__isnull=False, source="csv")
        .exclude(scores__moral_view=3.0)
        .order_by("wave__position")
    )
    assert pre.panel_key == post.panel_key != ""
    assert "P-001" not in pre.panel_key
    assert (pre.total_score, post.total_score) == (pytest.approx(3.5), 1.0)
    assert pre.import_batch == batch
    assert Answer.objects.count() == 24


def test_bad_rows_are_named_by_line_and_column_and_the_good_ones_kept(
    communications_officer, pre_post_survey
):
    text = (
        HEADER
        + "pre,,,P-001,1,1,1,1,1,1,1,1\n"
        + "during,,,P-002,1,1,1,1,1,1,1,1\n"
        + "pre,maybe,,P-003,1,1,1,1,1,1,1,7\n"
        + "post,,,P-004,1,,1,1,1,1,1,1\n"
    )
    batch = run(communications_officer, pre_post_survey, text)
    assert (batch.rows_read, batch.rows_added, batch.rows_refused) == (4, 2, 2)
    problems = [(p["line"], p["column"]) for p in batch.errors]
    assert problems == [(3, "wave"), (4, "group"), (4, "q8")]
    assert batch.errors[0]["message"] == "“during” is not a wave of this survey (pre, post)."
    assert batch.errors[2]["message"] == "“7” is not an answer value (1, 2, 3, 4, 5, or empty)."
    skipped = Response.objects.get(wave__key="post")
    assert skipped.scores["moral_view"] == pytest.approx((5 + 5 + 1) / 3)  # q2 not answered


def test_importing_the_same_file_again_adds_nothing(communications_officer, pre_post_survey):
    run(communications_officer, pre_post_survey, HEADER + GOOD)
    again = run(
        communications_officer, pre_post_survey, HEADER + GOOD + "post,,,P-002,2,2,2,2,2,2,2,2\n"
    )
    assert (again.rows_added, again.rows_already_imported) == (1, 3)
    assert Response.objects.count() == 4
    assert SurveyImport.objects.count() == 2


def test_rows_without_a_panel_id_are_recognized_by_their_content_and_order(
    communications_officer, pre_post_survey
):
    rows = "wave,q1,q2,q3,q4,q5,q6,q7,q8\n" + "pre,2,2,2,2,2,2,2,2\n" * 2 + "pre,3,3,3,3,3,3,3,3\n"
    first = run(communications_officer, pre_post_survey, rows)
    assert first.rows_added == 3  # two people may answer alike
    second = run(communications_officer, pre_post_survey, rows)
    assert (second.rows_added, second.rows_already_imported) == (0, 3)


def test_the_same_panel_member_twice_in_one_wave_counts_once(
    communications_officer, pre_post_survey
):
    text = HEADER + "pre,,,P-9,1,1,1,1,1,1,1,1\n" + "pre,,,P-9,2,2,2,2,2,2,2,2\n"
    batch = run(communications_officer, pre_post_survey, text)
    assert batch.rows_added == 1
    assert batch.errors == [
        {
            "line": 3,
            "column": "panel_id",
            "message": "This panel id already answered this wave on line 2.",
        }
    ]


def test_a_file_missing_an_item_column_is_refused_naming_it(
    communications_officer, pre_post_survey
):
    with pytest.raises(ImportRefused) as refused:
        run(communications_officer, pre_post_survey, "wave,q1,q2\npre,1,1\n")
    assert refused.value.problems[0] == {
        "line": 1,
        "column": "q3",
        "message": "The column “q3” is missing.",
    }
    assert not Response.objects.exists()


def test_unknown_columns_are_reported_and_ignored(communications_officer, pre_post_survey):
    text = "wave,age_band,q1,q2,q3,q4,q5,q6,q7,q8\npre,35-44,1,1,1,1,1,1,1,1\n"
    batch = run(communications_officer, pre_post_survey, text)
    assert batch.rows_added == 1
    assert batch.errors[0]["column"] == "age_band"


def test_the_page_shows_the_outcome_and_refusals(
    client, communications_officer, municipal_coordinator, pre_post_survey
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(communications_officer)
    url = f"/campaigns/surveys/{pre_post_survey.pk}/import/"
    upload = SimpleUploadedFile(
        "panel.csv", (HEADER + GOOD + "pre,,,P-5,1,1,x,1,1,1,1,1\n").encode(), "text/csv"
    )
    done = client.post(url, {"file": upload})
    assert done.status_code == 302
    page = client.get(done.url)
    text = page.content.decode()
    assert "4 rows read: 3 added, 0 already imported, 1 refused." in text
    assert '<td class="num">5</td><td>q3</td>' in text
    client.force_login(municipal_coordinator)  # reads the campaign, does not run it
    assert client.get(done.url).status_code == 403
    client.force_login(communications_officer)
    refused = client.post(url, {"file": SimpleUploadedFile("x.csv", b"q1\n1\n", "text/csv")})
    assert refused.status_code == 400
    assert "Line 1, column wave: The column “wave” is missing." in refused.content.decode()
