"""Issue 5, done when: a demo ED overdose visit becomes a case, is assessed, planned,
referred, followed up within the clock, and enters treatment, entirely through the
browser, as the ER nurse on a tablet.

The visit is one of the demo province's own (`cairn demo-data`, classified against the
case definitions, with the demo's clients and cases around it), not a fixture made for
the test. Screenshots of every page go to CAIRN_SCREENSHOT_DIR when it is set.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from cairn.cases.models import EpisodeSource
from cairn.cases.models.followups import FollowUp
from cairn.cases.models.plans import Referral, ReferralStatus
from cairn.cases.models.treatment import OatDispensing, OatEpisode
from cairn.demo import actions as demo_actions
from cairn.demo.cases import load_demo_cases
from cairn.demo.plan import RunSpec
from cairn.surveillance.classification.reclassify import (
    queue_reclassification,
    run_reclassification,
)
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models import Event, EventIdentity
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def demo_visit(personas):
    """The demo province (three days, tiny scale) with its cases; returns the newest ED
    overdose visit in the nurse's area that names someone, left on the worklist."""
    spec = RunSpec(
        seed=1,
        end=demo_actions.default_end_date(),
        scale="tiny",
        years=2,
        days=3,
        time_zone=settings.TIME_ZONE,
    )
    demo_actions.load_demo_data(spec=spec)
    load_default_definitions()
    run_reclassification(queue_reclassification(reason="demo data", requested_by="test"))
    visit = (
        Event.objects.filter(
            source="ed",
            community__path__startswith="bc/bc-ha-vancouver-coastal/",
            matches__definition__slug="all_drug",
            identity__given_name__gt="",
        )
        .exclude(disposition="died")
        .order_by("-occurred_at")
        .first()
    )
    assert visit is not None, "the demo has no ED overdose visit in the nurse's area"
    assert load_demo_cases(keep_waiting=[visit.pk]) is not None
    return visit


def test_a_demo_ed_overdose_visit_becomes_a_case_and_enters_treatment(
    page, demo_visit, screenshot_dir
):
    identity = EventIdentity.objects.get(event=demo_visit)
    name = f"{identity.given_name} {identity.family_name}"
    shots = []

    def look(label: str) -> None:
        if screenshot_dir:
            path = screenshot_dir / f"flow-{len(shots) + 1:02d}-{label}.png"
            page.screenshot(path=path, full_page=True)
            shots.append(path)

    page.set_viewport_size(TABLET)
    sign_in(page, "er.nurse")

    # 1. The ED worklist: the visit waits there, without a name.
    page.get_by_role("link", name="Cases").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "New overdose records to open as cases"
    )
    row = page.locator("tr", has=page.locator(f'a[href="/cases/records/{demo_visit.pk}/"]'))
    expect(row).to_contain_text(demo_visit.facility)
    expect(page.get_by_text(identity.family_name)).to_have_count(0)
    look("worklist")

    # 2. The record: who it names; open the case with a new record filled from the visit.
    row.get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name="Who the record names")).to_be_visible()
    expect(page.get_by_text(name).first).to_be_visible()
    expect(page.get_by_label("Given name")).to_have_value(identity.given_name)
    look("record")
    different = page.get_by_label("none of them is this person")
    if different.count():  # someone on record shares a name or birth date
        different.check()
    page.get_by_role("button", name="Create the record and open the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_text(f"Case opened for {name}.")).to_be_visible()
    episode = EpisodeSource.objects.get(event=demo_visit).episode
    client = episode.client
    card = page.locator(f"#episode-{episode.pk}")
    summary = page.locator("#care-summary")
    expect(summary).to_contain_text("Not assessed yet.")
    look("case")

    # 3. The acute risk assessment: high tier, 72 hours from the visit to reach the person
    # (the demo's newest visit is at most two days old, so the clock is still running).
    card.get_by_role("link", name="Assess risk for this episode").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Acute overdose risk: {name}")
    expect(page.locator("select#episode option:checked")).not_to_have_text(
        "Not tied to one episode"
    )
    for item, option in [
        ("prior_overdoses", "two_or_more"),  # 2 points
        ("prior_overdose_recency", "within_30_days"),  # 2
        ("using_alone", "usually"),  # 2
        ("current_oat", "no"),  # 0
    ]:
        page.locator(f'input[name="{item}"][value="{option}"]').check()
    look("assessment-form")
    page.get_by_role("button", name="Score and record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("High tier")
    look("assessment")
    page.get_by_role("link", name=name).first.click()
    due = timezone.localtime(demo_visit.occurred_at + dt.timedelta(hours=72))
    expect(summary).to_contain_text("High tier (6 points)")
    expect(summary).to_contain_text(f"first contact due {due:%Y-%m-%d %H:%M} (72 h)")

    # 4. The group, then the care plan: a goal and an action towards it.
    summary.get_by_label("Place in a group").select_option(label="Street-involved regular use")
    summary.get_by_label("Why (optional)").fill("Sleeps at the shelter; uses most days")
    summary.get_by_role("button", name="Save the group").click()
    expect(summary).to_contain_text("Group: Street-involved regular use")
    page.get_by_role("link", name="Care plan").click()
    plan = page.locator("#plan")
    page.get_by_label("A goal, in the person's words").fill("Start OAT and keep going")
    page.get_by_role("button", name="Add the goal").click()
    expect(plan.locator("li", has_text="Start OAT and keep going")).to_contain_text("Open")
    page.get_by_label("What will be done").fill("Go with the person to the clinic")
    page.get_by_label("Owner on the team").select_option(index=1)
    page.get_by_label("Due", exact=True).fill(
        (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    )
    page.get_by_label("Towards goal").select_option(label="Start OAT and keep going")
    page.get_by_role("button", name="Add the action").click()
    expect(plan.locator("li", has_text="Go with the person to the clinic")).to_contain_text(
        "goal: Start OAT and keep going"
    )

    # 5. A referral to treatment, moved along: sent, accepted by the clinic.
    page.get_by_label("Kind").select_option(label="Treatment (OAT)")
    page.get_by_label("To whom (organization or service)").fill("Rapid Access Addiction Clinic")
    page.get_by_role("button", name="Propose the referral").click()
    referral_row = plan.locator("li", has_text="Rapid Access Addiction Clinic")
    expect(referral_row).to_contain_text("Proposed")
    for step in ("Sent", "Accepted"):
        referral_row.get_by_role("button", name=step, exact=True).click()
        expect(referral_row.locator("strong").nth(1)).to_have_text(step)
    look("plan")
    referral = Referral.objects.get(client=client)
    assert referral.status == ReferralStatus.ACCEPTED
    assert [c.status for c in referral.changes.all()] == ["proposed", "sent", "accepted"]

    # 6. Follow-up before the clock runs out: reached the person.
    page.get_by_role("link", name=name).first.click()
    card.get_by_role("link", name="Follow-up", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Follow-up: {name}")
    page.get_by_label("Reached the person").check()
    page.get_by_label("How").select_option(label="Phone call")
    page.get_by_label("Note").fill("Talked about the clinic visit on Thursday; has naloxone")
    page.get_by_role("button", name="Record the attempt").click()
    expect(page.get_by_text("Attempt recorded.")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Contact made")
    look("follow-up")
    follow_up = FollowUp.objects.get(episode=episode)
    assert follow_up.contact_outcome == "reached"
    assert follow_up.contacted_at <= follow_up.due_at  # within the clock
    page.get_by_role("link", name="Follow-ups", exact=True).click()
    page.get_by_role("link", name="Contact made").click()
    expect(page.locator("tr", has_text=name)).to_contain_text("Contact made")
    look("follow-up-worklist")

    # 7. Treatment: the clinic starts buprenorphine/naloxone; the nurse records the episode
    # and the first witnessed dose, and the referral moves to "started".
    page.locator("tr", has_text=name).get_by_role("link", name=name).click()  # the follow-up
    page.locator("nav.breadcrumbs").get_by_role("link", name=name).click()  # the case
    treatment = page.locator("#treatment-section")
    expect(treatment.locator("#treatment-status")).to_have_text("No OAT on record")
    treatment.get_by_role("link", name="Treatment: episodes and dispensing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Opioid agonist treatment: {name}")
    today = timezone.localdate()
    page.locator("#episode-drug").select_option(label="Buprenorphine/naloxone")
    page.get_by_label("Start date").fill(today.isoformat())
    page.locator("#episode-prescriber").fill("Rapid Access Addiction Clinic")
    page.locator("#episode-pharmacy").fill("Main Street Pharmacy")
    page.get_by_role("button", name="Start the episode").click()
    episodes = page.locator("#treatment").get_by_role("list").first
    expect(episodes).to_contain_text("Buprenorphine/naloxone")
    expect(episodes).to_contain_text("ongoing")
    page.locator("#dispensing-drug").select_option(label="Buprenorphine/naloxone")
    page.get_by_label("Date dispensed").fill(today.isoformat())
    page.get_by_label("Dose (mg)").fill("8")
    page.get_by_label("Witnessed").select_option("yes")
    page.locator("#dispensing-pharmacy").fill("Main Street Pharmacy")
    page.get_by_role("button", name="Record the dispensing").click()
    dispensed = page.locator("#treatment table tbody tr").first
    expect(dispensed).to_contain_text(today.isoformat())
    expect(dispensed).to_contain_text("Buprenorphine/naloxone")
    expect(dispensed).to_contain_text("8 mg")
    expect(page.locator("#treatment-status")).to_contain_text(
        f"On OAT (Buprenorphine/naloxone) since {today.isoformat()}"
    )
    look("treatment")
    episode_row = OatEpisode.objects.get(client=client, origin="entered")
    assert (episode_row.drug, episode_row.started_on, episode_row.stopped_on) == (
        "bup_nx",
        today,
        None,
    )
    assert OatDispensing.objects.get(client=client).dose == 8

    page.get_by_role("link", name=name).first.click()
    page.get_by_role("link", name="Care plan").click()
    referral_row = page.locator("#plan li", has_text="Rapid Access Addiction Clinic")
    referral_row.get_by_role("button", name="Started", exact=True).click()
    expect(referral_row.locator("strong").nth(1)).to_have_text("Started")
    page.get_by_role("link", name=name).first.click()
    expect(page.locator("#treatment-status")).to_contain_text("On OAT (Buprenorphine/naloxone)")
    expect(page.locator(".timeline")).to_contain_text("Referral started")
    look("case-after")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.STARTED
