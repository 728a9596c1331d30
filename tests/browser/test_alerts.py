"""An outreach worker finds a spike alert in their inbox on a phone; an epidemiologist
acknowledges it, and cannot dismiss it without saying why."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cairn.geography.models import Jurisdiction
from cairn.surveillance.alerts.notify import notify_pending_alerts
from cairn.surveillance.alerts.testing import definitions, local, make_alert, overdose_events
from cairn.surveillance.models.alerts import Alert, AlertNotification
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
HEADLINE = "Spike of all drug overdose events in Prince George"


@pytest.fixture
def spike_alert(personas):
    prince_george = Jurisdiction.objects.get(code="bc-lha-prince-george")
    all_drug = definitions()["all_drug"]  # before the events, so that they are classified
    day = timezone.localdate() - dt.timedelta(days=1)
    overdose_events(prince_george, [local(day, 14) + dt.timedelta(minutes=9 * i) for i in range(9)])
    alert = make_alert(
        prince_george,
        all_drug,
        day,
        method="spike_rule",
        observed=9,
        expected=1.8,
        upperbound=8,
    )
    notify_pending_alerts()
    return alert


def test_outreach_worker_opens_an_alert_from_the_inbox_on_a_phone(
    page, spike_alert, screenshot_dir
):
    page.set_viewport_size(PHONE)
    sign_in(page, "outreach.worker")

    page.get_by_role("link", name="Your alerts inbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your alerts inbox")
    expect(page.get_by_text("1 unread.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "alerts-inbox-phone.png", full_page=True)

    page.get_by_role("link", name=HEADLINE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(page.get_by_role("img")).to_have_count(1)  # the series chart
    expect(page.get_by_text("Your role sees the counts")).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if screenshot_dir:
        page.screenshot(path=screenshot_dir / "alert-detail-phone.png", full_page=True)
    entry = AlertNotification.objects.get(user__username="outreach.worker")
    assert entry.read_at is not None  # opening the alert read it


def test_epidemiologist_acknowledges_then_dismisses_with_a_reason(page, spike_alert):
    sign_in(page, "epidemiologist")
    page.goto("/alerts/")
    page.get_by_label("Status").select_option("new")
    page.get_by_role("link", name="All drug overdose in Prince George").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(page.locator('a[href^="/surveillance/events/"]')).to_have_count(9)  # the records

    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("heading", name="Status: Acknowledged")).to_be_visible()
    assert Alert.objects.get().status == "acknowledged"

    page.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("alert")).to_contain_text("a reason is required")
    assert Alert.objects.get().status == "acknowledged"

    page.get_by_label("Note or reason").fill("Drug checking found nothing unusual; a data repeat.")
    page.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("heading", name="Status: Dismissed")).to_be_visible()
    expect(page.get_by_text("a data repeat.").first).to_be_visible()
    assert Alert.objects.get().dismissal_reason.startswith("Drug checking")
