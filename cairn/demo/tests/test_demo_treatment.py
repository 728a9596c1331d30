"""The demo's opioid agonist treatment and supporters: realistic, derived as the product
derives, alerted once, and shown to the peer worker persona only as far as consented."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.access.personas import PERSONAS
from cairn.cases.access import supporter_links_for
from cairn.cases.models import Client, RecordStatus
from cairn.cases.models.care_alerts import CareAlert, CareAlertKind
from cairn.cases.models.supporters import ConsentPurpose, Supporter, SupporterConsent
from cairn.cases.models.treatment import (
    OatDispensing,
    OatEpisode,
    OatMissedDose,
    OatOrigin,
    OudDiagnosis,
)
from cairn.cases.treatment import records
from cairn.cases.treatment.cascade import cascade_for
from cairn.demo.cases import delete_demo_cases, load_demo_cases
from cairn.demo.cases_treatment import delete_demo_treatment
from cairn.demo.tests.test_demo_cases import demo_province  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_demo_treatment_is_realistic_derived_alerted_and_loaded_once(
    demo_province,  # noqa: F811
    personas,
):
    loaded = load_demo_cases()
    peer = personas["peer_worker"]
    treatment = loaded.treatment
    assert treatment is not None
    active = Client.objects.filter(status=RecordStatus.ACTIVE).count()
    with_dispensing = OatDispensing.objects.values("client_id").distinct().count()
    assert treatment.ever_on_oat == with_dispensing
    ever = with_dispensing + 2  # and the two the team entered
    assert 0.45 * active < ever < 0.75 * active  # about 60 % ever on OAT
    assert ever < OudDiagnosis.objects.count() < active  # most, not all, diagnosed
    drugs = set(OatDispensing.objects.values_list("drug", flat=True))
    assert drugs == {"bup_nx", "methadone", "srom", "ioat", "xr_bup"}
    assert OatDispensing.objects.filter(carry_days__gt=0).exists()  # carries
    assert OatDispensing.objects.filter(carry_days=0, witnessed=True).exists()  # daily witnessed
    assert OatMissedDose.objects.exists()
    # Derived episodes are what the product derives: rederiving changes nothing.
    episodes_before = set(OatEpisode.objects.values_list("pk", flat=True))
    for client in Client.objects.filter(oat_dispensings__isnull=False).distinct():
        records.rederive(client)
    assert set(OatEpisode.objects.values_list("pk", flat=True)) == episodes_before
    derived = OatEpisode.objects.filter(origin=OatOrigin.DERIVED)
    assert derived.filter(stopped_on__isnull=True).exists()
    assert derived.filter(end_reason="gap").exists()
    assert derived.filter(switched_from__isnull=False).count() >= 1
    assert derived.filter(concurrent=True).exists()
    entered = OatEpisode.objects.filter(origin=OatOrigin.ENTERED)
    assert entered.count() == 2 and entered.filter(end_reason="person_chose").count() == 1
    # The daily check ran once: stopped and missed-dose alerts in the nurse's inbox.
    nurse_centre = PERSONAS["er_nurse"].organization
    oat_alerts = CareAlert.objects.filter(
        kind__in=[CareAlertKind.OAT_STOPPED, CareAlertKind.OAT_MISSED_DOSES]
    )
    assert oat_alerts.count() == treatment.stopped_alerts + treatment.missed_alerts
    mine = oat_alerts.filter(organization__name=nurse_centre)
    assert mine.filter(kind=CareAlertKind.OAT_STOPPED).exists()
    assert mine.filter(kind=CareAlertKind.OAT_MISSED_DOSES).exists()
    # The treatment check on the demo adds nothing the second time.
    alerts_before = CareAlert.objects.count()
    out = io.StringIO()
    call_command("treatment", "check", stdout=out)
    assert " 0 alert(s) raised" in out.getvalue()
    assert CareAlert.objects.count() == alerts_before
    # demo-setup again: nothing added.
    counts = (
        OatDispensing.objects.count(),
        Supporter.objects.count(),
        OudDiagnosis.objects.count(),
    )
    assert load_demo_cases() is None
    assert counts == (
        OatDispensing.objects.count(),
        Supporter.objects.count(),
        OudDiagnosis.objects.count(),
    )
    # A demo database whose cases were loaded before the treatment existed gets it on
    # the next demo-setup.
    demo_ids = list(Client.objects.values_list("pk", flat=True))
    delete_demo_treatment(demo_ids)
    assert not OatDispensing.objects.exists() and not Supporter.objects.exists()
    assert load_demo_cases() is None
    assert OatDispensing.objects.exists() and Supporter.objects.filter(user=peer).count() == 2
    assert CareAlert.objects.filter(kind=CareAlertKind.OAT_STOPPED).exists()
    assert delete_demo_cases() == loaded.clients
    assert not OatDispensing.objects.exists() and not Supporter.objects.exists()
    assert not OatEpisode.objects.exists() and not CareAlert.objects.exists()


def test_the_nurse_cascade_page_shows_every_stage_up_to_three_months(
    demo_province,  # noqa: F811
    personas,
    client,
):
    load_demo_cases()
    nurse = personas["er_nurse"]
    cascade = cascade_for(nurse, as_of=timezone.localdate())
    assert cascade.exact  # the care team sees exact counts
    cells = cascade.group_total.cells
    totals = {s.key: c.count for s, c in zip(cascade.stages, cells, strict=True)}
    for stage in ("diagnosed", "ever", "recent", "current", "retained_30", "retained_90"):
        assert totals[stage] > 0, stage
    assert (
        totals["diagnosed"]
        > totals["ever"]
        >= totals["recent"]
        > totals["current"]
        >= totals["retained_30"]
    )
    client.force_login(nurse)
    response = client.get(reverse("cases:treatment_cascade"))
    assert response.status_code == 200
    html = response.content.decode()
    footer = _text(html[html.index("<tfoot>") : html.index("</tfoot>")])
    numbers = [int(n) for n in re.findall(r"\b\d+\b(?!%)", footer)]
    assert numbers[: len(cascade.stages)] == [c.count for c in cascade.group_total.cells]


def test_the_peer_worker_sees_exactly_what_the_person_consented_to(
    demo_province,  # noqa: F811
    personas,
    client,
):
    load_demo_cases()
    peer = personas["peer_worker"]
    linked = list(Supporter.objects.filter(user=peer).select_related("client"))
    assert len(linked) == 2
    shown = list(supporter_links_for(peer))
    assert len(shown) == 1  # the other person revoked their only consent
    person = shown[0].client
    hidden = next(s.client for s in linked if s.client_id != person.pk)
    in_force = set(
        SupporterConsent.objects.filter(supporter=shown[0], revoked_at__isnull=True).values_list(
            "purpose", flat=True
        )
    )
    assert in_force == {ConsentPurpose.CONTACT_ABOUT_FOLLOW_UP, ConsentPurpose.SEE_APPOINTMENTS}
    revoked = SupporterConsent.objects.filter(supporter__user=peer, revoked_at__isnull=False)
    assert revoked.count() == 2 and all(c.revocation_reason for c in revoked)

    client.force_login(peer)
    page = client.get(reverse("cases:supporting_list")).content.decode()
    assert person.display_name in page and hidden.display_name not in page
    response = client.get(reverse("cases:supporting_detail", args=[person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="appointments"' in html and 'id="contact-about-follow-up"' in html
    status = _text(html[html.index('id="treatment-status"') :])
    assert status.split(">", 1)[1].strip().startswith("Treatment: On OAT (")
    assert 'id="care-plan"' not in html and 'id="overdose-alerts"' not in html
    assert AuditEvent.objects.filter(
        action="cases.client.supporter_read", target_id=str(person.pk)
    ).exists()
    assert client.get(reverse("cases:supporting_detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("cases:client_detail", args=[person.pk])).status_code == 403
