"""Issue 7, end to end, in a real browser: a campaign is planned; a material with a
stigmatizing term is flagged with a person-first suggestion and its reason, fixed,
approved and published; a pre/post survey is answered by members of the public on a
phone through invitation links and imported from a survey panel's CSV; the campaign
report shows the difference between the waves with its 95% confidence interval.

The expected difference is computed here from the answers the test itself gave (the
sample instrument's total is the mean of its eight items after reverse-scoring, 1–5), and
Welch's interval is worked out with SciPy, so the page is checked against numbers this
test did not take from Cairn.
"""

import csv
import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import pytest
from django.utils import timezone
from playwright.sync_api import expect
from scipy import stats

from cairn.campaigns.models import Campaign, Material, Response
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NAME = "Everyone knows someone"
PHONE = {"width": 390, "height": 800}
REVERSED = {"q1", "q2", "q3", "q5", "q6"}  # the sample instrument's respectful statements
ITEMS = [f"q{i}" for i in range(1, 9)]
LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}


def _score(answers: dict[str, int]) -> float:
    return float(np.mean([6 - v if k in REVERSED else v for k, v in answers.items()]))


def _panel_rows(rng, wave: str, level: float, n: int, first: int):
    """n panel respondents answering around a stigma level (1–5)."""
    rows = []
    for i in range(n):
        person = rng.normal(level, 0.5)
        answers = {}
        for code in ITEMS:
            stigma = int(np.clip(np.rint(person + rng.normal(0, 0.6)), 1, 5))
            answers[code] = 6 - stigma if code in REVERSED else stigma
        rows.append((wave, f"P{first + i:04d}", answers))
    return rows


def _links(page, survey_url: str, wave_label: str, count: int) -> list[str]:
    page.goto(survey_url)
    form = page.locator("form", has=page.get_by_role("button", name="Make invitations"))
    form.get_by_label("Wave").select_option(label=wave_label)
    form.get_by_label("How many").fill(str(count))
    form.get_by_role("button", name="Make invitations").click()
    expect(page.locator("body")).to_contain_text(wave_label)
    with page.expect_download() as download:
        page.get_by_role("link", name="All unanswered links (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    return re.findall(r"https?://[^\s,\"]+/survey/[\w-]+/", text)


def _answer_on_a_phone(browser, live_server, link: str, answers: dict[str, int]) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(30_000)
    phone = context.new_page()
    phone.goto(link.replace("http://testserver", live_server.url))
    expect(phone.locator("#consent-text")).to_be_visible()
    phone.get_by_role("button", name="I agree: start the survey").tap()
    for number, code in enumerate(ITEMS, start=1):
        question = phone.get_by_role("group", name=f"{number} of 8.")
        question.get_by_label(LABELS[answers[code]], exact=True).check()
    phone.get_by_role("button", name="Send my answers").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    context.close()


def test_a_campaign_from_its_plan_to_its_report(
    personas, page, browser, live_server, tmp_path, screenshot_dir
):
    page.set_default_timeout(30_000)
    today = timezone.localdate()
    starts, ends = today - dt.timedelta(days=70), today - dt.timedelta(days=14)
    sign_in(page, "comms.officer")

    # 1. Plan the campaign.
    page.goto("/campaigns/")
    page.get_by_role("link", name="Plan a campaign").click()
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Starts on").fill(starts.isoformat())
    page.get_by_label("Ends on").fill(ends.isoformat())
    page.get_by_label("Objective").fill("More people see drug use as a health issue.")
    page.get_by_label("Humanizing and anti-stigma").check()
    page.get_by_label("General public").check()
    page.get_by_label("Families and friends").check()
    page.get_by_label("Social media").check()
    page.get_by_label("Regions and communities").select_option("bc")
    page.get_by_role("button", name="Plan the campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    campaign = Campaign.objects.get(name=NAME)

    # 2. A material with a stigmatizing term: flagged with a suggestion and its reason,
    # fixed with the suggestion, approved, published.
    page.get_by_role("link", name="Add a material").click()
    page.get_by_label("Title").fill("Everyone knows someone")
    page.get_by_role("textbox", name="Text", exact=True).fill(
        "Your brother, your colleague, your coach: addicts are everywhere. Talk about it."
    )
    page.get_by_role("button", name="Add the material").click()
    page.get_by_role("button", name="Send to language review").click()
    panel = page.locator("#language-review")
    expect(panel).to_contain_text("1 finding to decide")
    expect(panel).to_contain_text("addicts")
    expect(panel).to_contain_text("Person-first")  # the reason, from the term list
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("alert")).to_contain_text("1 language finding still open")
    panel.get_by_role("button", name=re.compile(r"^Use ")).first.click()
    expect(panel).to_contain_text("1 suggestion accepted")
    material = Material.objects.get(campaign=campaign)
    assert "addicts" not in material.body.lower()
    page.reload()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#material-status")).to_have_text("Approved")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#material-status")).to_have_text("Published")

    # 3. A pre/post survey on Cairn's sample instrument.
    page.goto(f"/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="Add a survey").click()
    page.get_by_label("Title (respondents see it)").fill("What do you think?")
    page.get_by_label("Before and after the campaign (pre/post)").check()
    page.get_by_label("Instrument").select_option(index=1)
    page.get_by_role("button", name="Create survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What do you think?")
    survey = campaign.surveys.get()
    survey_url = page.url

    # 4. Members of the public answer on their phones, from invitation links, anonymously.
    web = {
        "pre": {"q1": 3, "q2": 3, "q3": 2, "q4": 4, "q5": 2, "q6": 3, "q7": 4, "q8": 4},
        "post": {"q1": 5, "q2": 5, "q3": 4, "q4": 2, "q5": 4, "q6": 5, "q7": 2, "q8": 2},
    }
    pre_links = _links(page, survey_url, "Before the campaign", 2)
    post_links = _links(page, survey_url, "After the campaign", 2)
    post_links = [link for link in post_links if link not in pre_links]
    _answer_on_a_phone(browser, live_server, pre_links[0], web["pre"])
    _answer_on_a_phone(browser, live_server, post_links[0], web["post"])
    assert Response.objects.filter(survey=survey, source="web").count() == 2

    # 5. The survey panel's answers, imported from CSV.
    rng = np.random.default_rng(7)
    panel_rows = _panel_rows(rng, "pre", 3.2, 40, 1) + _panel_rows(rng, "post", 2.7, 40, 101)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["wave", "panel_id", *ITEMS])
    for wave, panel_id, answers in panel_rows:
        writer.writerow([wave, panel_id, *[answers[c] for c in ITEMS]])
    panel_file = tmp_path / "panel.csv"
    panel_file.write_text(out.getvalue())
    page.goto(survey_url)
    page.get_by_role("link", name="Import a panel CSV").click()
    page.get_by_label("CSV file").set_input_files(str(panel_file))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("body")).to_contain_text("80")
    assert Response.objects.filter(survey=survey, source="csv").count() == 80

    # 6. The report shows the difference between the waves with its 95% interval.
    scores = {"pre": [_score(web["pre"])], "post": [_score(web["post"])]}
    for wave, _, answers in panel_rows:
        scores[wave].append(_score(answers))
    pre, post = np.array(scores["pre"]), np.array(scores["post"])
    welch = stats.ttest_ind(post, pre, equal_var=False)
    low, high = welch.confidence_interval(0.95)
    expected = f"{post.mean() - pre.mean():+.2f} (95% CI {low:.2f} to {high:.2f})"

    page.goto(f"/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="Campaign report").first.click()
    expect(page.get_by_role("heading", name=re.compile("^Campaign report"))).to_be_visible()
    surveys = page.locator("section[aria-labelledby=report-surveys]")
    expect(surveys).to_contain_text("What do you think?")
    row = surveys.locator("tr", has_text="Total score").first
    expect(row).to_contain_text(expected)
    expect(row).to_contain_text("41 and 41")
    expect(page.locator("body")).to_contain_text(re.compile("association, not proof", re.I))
    materials = page.locator("body")
    expect(materials).to_contain_text("Everyone knows someone")
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "campaign-end-to-end-report.png"), full_page=True)
