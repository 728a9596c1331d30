# ruff: noqa: F811  (fixtures imported from teams_fixtures are used as arguments)
"""The funder's progress report: the plan with status and indicator progress, funding,
members by organization (no person's name), outreach counts suppressed; PDF and CSV agree."""

import csv
import io

import pytest

from cairn.outreach import teams as team_plan
from cairn.outreach.reports import progress_report, report_pdf
from cairn.outreach.tests.teams_fixtures import (  # noqa: F401
    PG_MEMBERS,
    northern_clinician,
    pg_team,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_plan(pg_team):
    team_plan.set_goal_status(
        actor="test", team=pg_team, goal_id=pg_team.goal.pk, status="in_progress"
    )
    team_plan.add_goal(
        actor="test",
        team=pg_team,
        title="Drug checking at the shelter",
        area="drug_supply",
        groups=["street_involved"],
    )
    team_plan.add_action(
        actor="test",
        team=pg_team,
        title="Peer navigators at the ED",
        area="proactive_support",
        groups=["first_nations"],
    )
    return pg_team


def _rows(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def test_the_csv_holds_plan_status_indicators_and_funding(client, police_liaison, full_plan):
    client.force_login(police_liaison)
    response = client.get(f"/teams/{full_plan.slug}/report.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert "# Team: Prince George Community Action Team" in text
    rows = _rows(text)
    plan = {(r["kind"], r["title"]): r for r in rows if r["section"] == "plan"}
    goal = plan[("goal", "More naloxone in the hands of people who use alone")]
    assert goal["status"] == "In progress" and goal["area"] == "Naloxone"
    assert goal["groups"] == "Recreational or occasional use, High-functioning, hidden regular use"
    action = plan[("action", "Naloxone kits at every downtown business")]
    assert action["owner"] == "Prince George Police Detachment" and action["due_on"] == "2026-06-30"
    assert plan[("action", "Peer navigators at the ED")]["groups"] == "First Nations"
    indicator = next(r for r in rows if r["section"] == "indicator")
    assert (
        indicator["indicator"],
        indicator["target"],
        indicator["actual"],
        indicator["percent_of_target"],
    ) == ("Kits placed", "200", "90", "45")
    progress = [(r["date"], r["value"]) for r in rows if r["section"] == "progress"]
    assert progress == [("2026-03-01", "40"), ("2026-06-01", "90")]
    funding = next(r for r in rows if r["section"] == "funding")
    assert funding["title"] == "Community Action Initiative: Community Action Team grant, Stream 1"
    assert funding["actual"] == "100,000" and funding["unit"] == "CAD"
    members = {r["title"] for r in rows if r["section"] == "member"}
    assert "Downtown Prince George Business Association" in members
    for _, name in PG_MEMBERS.values():  # people's names stay in Cairn
        assert name not in text


def test_the_pdf_reads_as_a_report(client, municipal_coordinator, full_plan):
    client.force_login(municipal_coordinator)
    response = client.get(f"/teams/{full_plan.slug}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    readable = report_pdf(progress_report(full_plan), compress=False)
    for text in [
        b"Community action team progress report",
        b"Prince George Community Action Team",
        b"Community Action Initiative",
        b"CAD 100,000.00",
        b"More naloxone in the hands",
        b"In progress",
        b"Kits placed: 90 of 200 kits \\(45% of target\\)",
        b"The unsafe drug supply, including drug checking",
        b"Proactive support for people at risk",
        b"Outreach",
    ]:
        assert text in readable, text
    assert b"Cst. Sam Police" not in readable


def test_outreach_counts_in_the_report_are_suppressed_for_everyone(northern_clinician, pg_team):
    report = progress_report(pg_team)
    if report.encounters is not None:  # the encounters part is installed
        assert report.encounters.full is False


def test_a_bad_period_answers_400(client, police_liaison, pg_team):
    client.force_login(police_liaison)
    response = client.get(f"/teams/{pg_team.slug}/report.csv?start=last-year")
    assert response.status_code == 400
    assert "start" in response.content.decode()


def test_outsiders_cannot_download_it(client, er_nurse, pg_team):
    client.force_login(er_nurse)
    assert client.get(f"/teams/{pg_team.slug}/report.pdf").status_code == 403
