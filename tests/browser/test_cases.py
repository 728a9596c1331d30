"""The ER nurse on a tablet: opens a case from an ED overdose visit on the worklist, and
is warned of a possible duplicate when creating a record for someone already known."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cairn.cases import actions
from cairn.cases.actions import ClientInput
from cairn.cases.models import Client, EpisodeSource
from cairn.geography.models import Jurisdiction
from cairn.surveillance.classification import classify_and_store
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models import Event, EventIdentity
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def ed_visit(personas):
    load_default_definitions()
    event = Event.objects.create(
        source="ed",
        occurred_at=timezone.now() - dt.timedelta(hours=5),
        community=Jurisdiction.objects.get(code="bc-lha-vancouver-centre-north"),
        age_band="30-34",
        sex="F",
        chief_complaint="found down, suspected fentanyl OD, narcan x2",
        diagnosis_codes=["T40.4X1A"],
        disposition="discharged",
        facility="St. Paul's Hospital ED",
        source_record_id="V004821",
        dedup_key="browser:cases:1",
    )
    EventIdentity.objects.create(
        event=event,
        given_name="Robin",
        family_name="Mockett",
        date_of_birth=dt.date(1991, 6, 14),
        health_number="9999 004 821",
    )
    classify_and_store([event])
    return event


def test_er_nurse_opens_a_case_from_an_ed_visit_on_a_tablet(page, ed_visit, screenshot_dir):
    page.set_viewport_size(TABLET)
    sign_in(page, "er.nurse")
    page.goto("/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "New overdose records to open as cases"
    )
    expect(page.get_by_text("1 record waiting.")).to_be_visible()
    expect(page.get_by_text("Mockett")).to_have_count(0)  # no names on the worklist
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "cases-worklist-tablet.png", full_page=True)

    page.get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name="Who the record names")).to_be_visible()
    expect(page.get_by_text("Robin Mockett")).to_be_visible()
    expect(
        page.get_by_text("No one held by your organizations looks like this person.")
    ).to_be_visible()
    expect(page.get_by_label("Given name")).to_have_value("Robin")  # filled from the visit
    expect(page.get_by_label("Health number", exact=True)).to_have_value("9999004821")
    page.get_by_label("Aliases or street names").fill("Robbie")
    page.get_by_label("Housing").select_option(label="Emergency shelter")
    button = page.get_by_role("button", name="Create the record and open the case")
    assert button.bounding_box()["height"] >= 44
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "cases-record-tablet.png", full_page=True)
    button.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Robin Mockett")
    expect(page.get_by_text("Case opened for Robin Mockett.")).to_be_visible()
    expect(
        page.get_by_role("link", name=f"Emergency department visit {ed_visit.pk}")
    ).to_be_visible()
    expect(page.get_by_text("Overdose: emergency department visit")).to_be_visible()  # timeline
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "cases-client-tablet.png", full_page=True)
    client = Client.objects.get()
    assert EpisodeSource.objects.get().event == ed_visit
    assert [n.text for n in client.names.order_by("kind")] == ["Robbie", "Robin Mockett"]

    # The alias form on the case page works in place (htmx).
    page.get_by_text("Add an alias or another name").click()
    page.get_by_label("Name", exact=True).fill("Birdie")
    page.get_by_role("button", name="Add the name").click()
    expect(page.locator("#names").get_by_text("Birdie")).to_be_visible()

    page.goto("/cases/")
    expect(page.get_by_text("Nothing waiting")).to_be_visible()


def test_creating_a_similar_person_shows_the_duplicate_warning(page, personas, screenshot_dir):
    known = actions.create_client(
        actor=personas["er_nurse"],
        details=ClientInput(
            given_name="Alex", family_name="Testerson", date_of_birth=dt.date(1988, 4, 9)
        ),
    ).client
    page.set_viewport_size(TABLET)
    sign_in(page, "er.nurse")
    page.goto("/cases/clients/new/")
    page.get_by_label("Given name").fill("Alec")
    page.get_by_label("Family name").fill("Testersen")
    page.get_by_label("Date of birth").fill("1988-04-09")
    page.get_by_label("Date of birth").blur()

    # While typing: the panel beside the form shows the record already held.
    panel = page.locator("#duplicates")
    expect(panel.get_by_text("1 possible duplicate.")).to_be_visible()
    expect(panel.get_by_text("Alex Testerson", exact=True)).to_be_visible()
    expect(panel.get_by_text("Same date of birth (1988-04-09)")).to_be_visible()
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "cases-duplicate-tablet.png", full_page=True)

    # Creating anyway is stopped until the nurse says it is a different person.
    page.get_by_role("button", name="Create the record").click()
    expect(page.get_by_role("alert")).to_contain_text("may be this person")
    assert Client.objects.count() == 1
    page.get_by_label("none of them is this person").check()
    page.get_by_role("button", name="Create the record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alec Testersen")
    assert Client.objects.exclude(pk=known.pk).get().display_name == "Alec Testersen"


def test_er_nurse_assesses_risk_and_records_the_follow_up(page, ed_visit, screenshot_dir):
    """Open a case from the ED visit, record a risk assessment, see the tier and the
    follow-up due, then record a follow-up attempt that reached the person."""
    page.set_viewport_size(TABLET)
    sign_in(page, "er.nurse")
    page.goto("/cases/")
    page.get_by_role("link", name="Review").click()
    page.get_by_role("button", name="Create the record and open the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Robin Mockett")
    episode = EpisodeSource.objects.get(event=ed_visit).episode
    card = page.locator(f"#episode-{episode.pk}")
    summary = page.locator("#care-summary")
    # The clock started with the case, at the ED visit: 72 hours before any assessment.
    visit_due = timezone.localtime(ed_visit.occurred_at + dt.timedelta(hours=72))
    expect(summary).to_contain_text(f"first contact due {visit_due:%Y-%m-%d %H:%M} (72 h)")
    expect(summary).to_contain_text("Not assessed yet.")

    card.get_by_role("link", name="Assess risk for this episode").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acute overdose risk: Robin Mockett")
    expect(page.locator("select#episode option:checked")).not_to_have_text(
        "Not tied to one episode"
    )
    for item, option in [
        ("prior_overdoses", "two_or_more"),  # 2 points
        ("prior_overdose_recency", "within_30_days"),  # 2
        ("using_alone", "usually"),  # 2
        ("benzodiazepines", "yes"),  # 2
        ("housing", "without_housing"),  # 2
    ]:
        page.locator(f'input[name="{item}"][value="{option}"]').check()
    page.get_by_role("button", name="Score and record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Highest tier")
    expect(page.get_by_role("heading", level=1)).to_contain_text("(10 points)")

    page.get_by_role("link", name="Robin Mockett").first.click()
    expect(summary).to_contain_text("Highest tier (10 points)")
    # The highest tier shortens the time allowed to 24 hours from the visit.
    due = timezone.localtime(ed_visit.occurred_at + dt.timedelta(hours=24))
    expect(summary).to_contain_text(f"first contact due {due:%Y-%m-%d %H:%M} (24 h)")
    expect(card).to_contain_text(f"first contact due {due:%Y-%m-%d %H:%M} (24 h)")
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "cases-care-tablet.png", full_page=True)

    card.get_by_role("link", name="Follow-up", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow-up: Robin Mockett")
    page.get_by_label("Reached the person").check()
    page.get_by_label("How").select_option(label="Phone call")
    page.get_by_label("Note").fill("Connected with the outreach team for naloxone")
    page.get_by_role("button", name="Record the attempt").click()
    expect(page.get_by_text("Attempt recorded.")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Contact made")
    follow_up = episode.follow_up
    follow_up.refresh_from_db()
    assert (follow_up.contact_outcome, follow_up.hours_allowed) == ("reached", 24)

    page.get_by_role("link", name="Robin Mockett").click()
    expect(page.locator(".timeline")).to_contain_text("Follow-up attempt: reached the person")
    expect(page.locator(".timeline")).to_contain_text("Risk assessed: highest tier")
    expect(card).to_contain_text("contact made")
