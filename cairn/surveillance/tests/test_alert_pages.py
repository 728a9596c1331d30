"""The alert pages: who sees which alert, with which counts and records, and who acts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.surveillance.alerts.testing import definitions, local, make_alert, overdose_events
from cairn.surveillance.models.alerts import AlertNotification, AlertSubscription, SpikeRule

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - dt.timedelta(days=3)


@pytest.fixture
def defs(bc_geography):
    return definitions()


@pytest.fixture
def pg_alert(defs, prince_george, personas):
    overdose_events(prince_george, [local(DAY, h) for h in (2, 3)])
    return make_alert(
        prince_george, defs["opioid"], DAY, observed=3, expected=1.37, upperbound=3.82
    )


def page(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def test_alert_list_shows_only_alerts_of_visible_communities(
    client, defs, pg_alert, abbotsford, outreach_worker, regional_epidemiologist, epidemiologist
):
    other = make_alert(abbotsford, defs["opioid"], DAY)
    url = reverse("alerts:alert_list")

    mine = page(client, outreach_worker, url).content.decode()
    assert reverse("alerts:alert_detail", args=[pg_alert.pk]) in mine
    assert reverse("alerts:alert_detail", args=[other.pk]) not in mine

    fraser = page(client, regional_epidemiologist, url).content.decode()
    assert reverse("alerts:alert_detail", args=[other.pk]) in fraser
    assert reverse("alerts:alert_detail", args=[pg_alert.pk]) not in fraser

    everywhere = page(client, epidemiologist, url).content.decode()
    assert "Prince George" in everywhere and "Abbotsford" in everywhere


def test_alert_list_filters_and_sorts(client, defs, pg_alert, prince_george, epidemiologist):
    make_alert(prince_george, defs["fentanyl"], DAY, observed=40)
    url = reverse("alerts:alert_list")

    only_fentanyl = page(client, epidemiologist, url, data={"definition": "fentanyl"})
    assert only_fentanyl.content.decode().count("/alerts/") >= 1
    assert "Opioid overdose in Prince George" not in only_fentanyl.content.decode()
    by_events = page(client, epidemiologist, url, data={"sort": "observed"}).content.decode()
    assert by_events.index("Fentanyl overdose in") < by_events.index("Opioid overdose in")
    partial = page(client, epidemiologist, url, data={"status": "new"}, HTTP_HX_REQUEST="true")
    assert "<h1>" not in partial.content.decode()
    assert partial["Vary"] and "HX-Request" in partial["Vary"]
    assert page(client, epidemiologist, url, data={"status": "<bad>"}).status_code == 200
    by_method = page(
        client, epidemiologist, url, data={"method": "spike_rule", "sort": "community"}
    )
    assert (
        by_method.status_code == 200
        and "No alert matches these filters" in by_method.content.decode()
    )


def test_alert_of_another_region_is_not_found(client, pg_alert, er_nurse, regional_epidemiologist):
    url = reverse("alerts:alert_detail", args=[pg_alert.pk])
    assert page(client, er_nurse, url).status_code == 404
    assert page(client, regional_epidemiologist, url).status_code == 404


def test_aggregate_tier_sees_suppressed_counts_and_no_records(client, pg_alert, police_liaison):
    response = page(client, police_liaison, reverse("alerts:alert_detail", args=[pg_alert.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "fewer than 5" in html
    assert "<dd>1.4</dd>" not in html and "<dd>3.8</dd>" not in html
    assert "<dd>under 5</dd>" in html
    assert "/surveillance/events/" not in html
    assert "Your role sees the counts" in html
    assert "<svg" in html  # the series chart
    assert 'name="action"' not in html  # no lifecycle buttons


def test_line_list_tier_sees_counts_and_the_records_behind(client, pg_alert, epidemiologist):
    html = page(client, epidemiologist, reverse("alerts:alert_detail", args=[pg_alert.pk]))
    html = html.content.decode()

    assert "fewer than 5" not in html
    assert "<dd>3</dd>" in html and "<dd>1.4</dd>" in html and "<dd>3.8</dd>" in html
    assert html.count("/surveillance/events/") == 2
    assert 'value="acknowledge"' in html


def test_opening_an_alert_marks_its_inbox_entry_read(client, pg_alert, outreach_worker):
    entry = AlertNotification.objects.create(
        user=outreach_worker, alert=pg_alert, reason="action_team"
    )

    page(client, outreach_worker, reverse("alerts:alert_detail", args=[pg_alert.pk]))

    entry.refresh_from_db()
    assert entry.read_at is not None


def test_acknowledge_from_the_page(client, pg_alert, epidemiologist):
    client.force_login(epidemiologist)
    url = reverse("alerts:alert_transition", args=[pg_alert.pk])

    response = client.post(url, {"action": "acknowledge"})

    assert response.status_code == 302
    pg_alert.refresh_from_db()
    assert pg_alert.status == "acknowledged"
    followed = client.get(response.url).content.decode()
    assert "Acknowledged" in followed and "by epidemiologist" in followed


def test_dismiss_without_a_reason_is_refused_with_a_message(client, pg_alert, epidemiologist):
    client.force_login(epidemiologist)
    url = reverse("alerts:alert_transition", args=[pg_alert.pk])

    response = client.post(url, {"action": "dismiss", "text": ""})
    assert response.status_code == 400
    assert "a reason is required" in response.content.decode()
    htmx = client.post(url, {"action": "dismiss"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and "a reason is required" in htmx.content.decode()
    pg_alert.refresh_from_db()
    assert pg_alert.status == "new"

    done = client.post(
        url, {"action": "dismiss", "text": "Known event: a festival"}, HTTP_HX_REQUEST="true"
    )
    assert done["HX-Redirect"] == reverse("alerts:alert_detail", args=[pg_alert.pk])
    pg_alert.refresh_from_db()
    assert pg_alert.status == "dismissed"


def test_people_without_manage_alerts_cannot_post_a_transition(
    client, pg_alert, outreach_worker, er_nurse
):
    url = reverse("alerts:alert_transition", args=[pg_alert.pk])
    client.force_login(outreach_worker)
    assert client.post(url, {"action": "acknowledge"}).status_code == 403
    client.force_login(er_nurse)  # may manage alerts, not in Prince George
    assert client.post(url, {"action": "acknowledge"}).status_code == 404
    pg_alert.refresh_from_db()
    assert pg_alert.status == "new"


def test_inbox_lists_entries_and_marks_them_read(client, pg_alert, outreach_worker, police_liaison):
    entry = AlertNotification.objects.create(
        user=outreach_worker, alert=pg_alert, reason="action_team"
    )

    html = page(client, outreach_worker, reverse("alerts:inbox")).content.decode()
    assert "1 unread" in html and "Opioid overdose events" in html.replace("opioid", "Opioid")
    assert "fewer than 5" in html

    response = client.post(
        reverse("alerts:notification_read", args=[entry.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Mark as read" not in response.content.decode()
    entry.refresh_from_db()
    assert entry.read_at is not None

    client.force_login(police_liaison)  # someone else's entry does not exist for them
    assert client.post(reverse("alerts:notification_read", args=[entry.pk])).status_code == 404


def test_mark_all_read(client, pg_alert, outreach_worker):
    AlertNotification.objects.create(user=outreach_worker, alert=pg_alert, reason="action_team")
    client.force_login(outreach_worker)

    assert client.post(reverse("alerts:inbox_read_all")).status_code == 302
    assert not AlertNotification.objects.filter(read_at__isnull=True).exists()


def test_subscribe_and_unsubscribe(client, defs, police_liaison):
    client.force_login(police_liaison)
    url = reverse("alerts:subscriptions")

    response = client.post(url, {"community": "bc-lha-prince-george", "definition": "opioid"})
    assert response.status_code == 302
    subscription = AlertSubscription.objects.get(user=police_liaison)
    assert (subscription.community.code, subscription.definition.slug) == (
        "bc-lha-prince-george",
        "opioid",
    )
    assert AuditEvent.objects.filter(action="alert_subscription.add").exists()
    refused = client.post(url, {"community": "bc-lha-abbotsford", "definition": "opioid"})
    assert refused.status_code == 400  # not a community they may see

    client.post(reverse("alerts:unsubscribe", args=[subscription.pk]))
    assert not AlertSubscription.objects.exists()


def test_subscriptions_page_says_why_the_team_is_told_anyway(client, outreach_worker):
    html = page(client, outreach_worker, reverse("alerts:subscriptions")).content.decode()
    assert "community action team" in html


def test_spike_rules_page_saves_an_audited_rule(client, defs, epidemiologist):
    client.force_login(epidemiologist)
    url = reverse("alerts:spike_rules")

    response = client.post(
        url,
        {
            "community": "bc-lha-prince-george",
            "definition": "opioid",
            "source": "",
            "threshold": "6",
            "window_hours": "24",
            "active": "on",
        },
    )

    assert response.status_code == 302
    rule = SpikeRule.objects.get()
    assert (rule.community.code, rule.threshold, rule.updated_by) == (
        "bc-lha-prince-george",
        6,
        "epidemiologist",
    )
    assert AuditEvent.objects.filter(action="spike_rule.create").exists()
    assert "Prince George" in client.get(url).content.decode()


def test_spike_rules_only_for_communities_one_manages(client, defs, regional_epidemiologist):
    client.force_login(regional_epidemiologist)
    url = reverse("alerts:spike_rules")
    form = {"definition": "opioid", "threshold": "4", "window_hours": "24", "active": "on"}

    assert client.post(url, {**form, "community": "bc-lha-prince-george"}).status_code == 400
    assert client.post(url, {**form, "community": "*"}).status_code == 400  # province default
    assert client.post(url, {**form, "community": "bc-lha-abbotsford"}).status_code == 302
    assert SpikeRule.objects.get().community.code == "bc-lha-abbotsford"
