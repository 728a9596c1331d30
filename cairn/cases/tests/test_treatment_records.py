"""OAT records: dispensing once per person, drug and day; derived episodes; entered
episodes; stop and missed-dose alerts raised once; the CSV import and the command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.cases.models import CareAlert, ClientHolding
from cairn.cases.models.treatment import (
    OatDispensing,
    OatEndReason,
    OatEpisode,
    OatImport,
    OatMissedDose,
)
from cairn.cases.tests.conftest import make_client
from cairn.cases.treatment import alerts, importing, records

TODAY = timezone.localdate()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def person(er_nurse):
    return make_client(
        er_nurse, given_name="Robin", family_name="Cedar", health_number="9876543217"
    )


def dispense(actor, client, days_ago, drug="methadone", **extra):
    data = {"drug": drug, "dispensed_on": ago(days_ago).isoformat(), "dose": "60", **extra}
    return records.record_dispensing(actor=actor, client=client, data=data)


def test_dispensing_is_recorded_once_and_derives_episodes(er_nurse, person):
    first = dispense(er_nurse, person, 10)
    again = dispense(er_nurse, person, 10)
    assert first.created and not again.created and again.row.pk == first.row.pk
    assert OatDispensing.objects.filter(client=person).count() == 1
    assert AuditEvent.objects.filter(action="cases.treatment.dispensing.add").count() == 1
    for n in range(9, 0, -1):
        dispense(er_nurse, person, n)
    (episode,) = OatEpisode.objects.filter(client=person, origin="derived")
    assert episode.started_on == ago(10) and episode.stopped_on is None
    assert episode.dispensings == 10 and episode.last_covered_on == ago(1)


def test_a_switch_is_derived_from_dispensing(er_nurse, person):
    for n in range(40, 20, -1):
        dispense(er_nurse, person, n, drug="methadone")
    for n in range(25, 0, -1):
        dispense(er_nurse, person, n, drug="bup_nx")
    methadone, bup = OatEpisode.objects.filter(client=person).order_by("started_on")
    assert methadone.end_reason == OatEndReason.SWITCHED and methadone.stopped_on == ago(21)
    assert bup.switched_from == methadone and bup.stopped_on is None


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"drug": "heroin", "dispensed_on": "2026-01-01"}, "drug", "Drug: give one of"),
        ({"drug": "methadone", "dispensed_on": "31/01/2026"}, "dispensed_on", "like 2026-01-31"),
        ({"drug": "methadone", "dispensed_on": "2999-01-01"}, "dispensed_on", "in the future"),
        ({"drug": "methadone", "dispensed_on": "2026-01-01", "dose": "lots"}, "dose", "number"),
        ({"drug": "methadone", "dispensed_on": "2026-01-01", "dose": "-5"}, "dose", "above 0"),
        (
            {"drug": "methadone", "dispensed_on": "2026-01-01", "carry_days": "x"},
            "carry_days",
            "whole",
        ),
        (
            {"drug": "methadone", "dispensed_on": "2026-01-01", "witnessed": "maybe"},
            "witnessed",
            "yes or no",
        ),
    ],
)
def test_bad_dispensing_is_refused_with_the_field(er_nurse, person, data, field, words):
    with pytest.raises(records.TreatmentError, match=words) as error:
        records.record_dispensing(actor=er_nurse, client=person, data=data)
    assert error.value.field == field
    assert not OatDispensing.objects.exists()


def test_an_entered_episode_starts_once_and_stops_with_a_reason(er_nurse, person):
    started = records.start_episode(
        actor=er_nurse, client=person, drug="bup_nx", started_on=ago(30), idempotency_key="k1"
    )
    again = records.start_episode(
        actor=er_nurse, client=person, drug="bup_nx", started_on=ago(30), idempotency_key="k1"
    )
    assert started.created and not again.created
    with pytest.raises(records.TreatmentError, match="before the start"):
        records.stop_episode(
            actor=er_nurse,
            client=person,
            episode_id=started.row.pk,
            stopped_on=ago(40),
            end_reason="person_chose",
        )
    with pytest.raises(records.TreatmentError, match="Why it ended"):
        records.stop_episode(
            actor=er_nurse,
            client=person,
            episode_id=started.row.pk,
            stopped_on=ago(2),
            end_reason="gap",
        )
    with pytest.raises(records.TreatmentItemMissing):
        records.stop_episode(
            actor=er_nurse,
            client=person,
            episode_id=999999,
            stopped_on=ago(2),
            end_reason="person_chose",
        )
    stopped = records.stop_episode(
        actor=er_nurse,
        client=person,
        episode_id=started.row.pk,
        stopped_on=ago(2),
        end_reason="person_chose",
    )
    assert stopped.stopped_on == ago(2) and stopped.end_reason == "person_chose"
    assert AuditEvent.objects.filter(action="cases.treatment.episode.stop").count() == 1


def test_a_stop_is_alerted_once_to_every_holding_team(er_nurse, person, other_clinician):
    other = ClientHolding.objects.create(
        client=person,
        organization=other_clinician.memberships.get().organization,
    )
    for n in range(30, 9, -1):
        dispense(er_nurse, person, n)
    # Last dose 10 days ago, methadone gap 4: the stop was known 5 days after it.
    first = alerts.check(TODAY)
    second = alerts.check(TODAY)
    assert len(first.raised) == 2 and second.raised == [] and second.already == 2
    stops = CareAlert.objects.filter(client=person, kind="oat_stopped")
    assert {a.organization_id for a in stops} == {
        er_nurse.memberships.get().organization_id,
        other.organization_id,
    }
    text = stops[0].text
    assert ago(10).isoformat() in text and "Cedar" not in text and "Robin" not in text
    assert stops[0].link == f"/cases/clients/{person.pk}/treatment/"


def test_no_stop_alert_within_the_gap_or_long_after(er_nurse, person):
    for n in range(20, 3, -1):
        dispense(er_nurse, person, n)
    # Last dose 4 days ago: 3 days without a dose on the as-of day before today.
    assert [p.kind for p in alerts.detect(ago(1))] == ["oat_missed_doses"]
    assert [p.kind for p in alerts.detect(TODAY)] == ["oat_missed_doses"]  # 4 days: gap of 4
    assert [p.kind for p in alerts.detect(TODAY + dt.timedelta(days=1))] == ["oat_stopped"]
    # A stop known 28 days or more ago is history, not an alert.
    assert alerts.detect(ago(4) + dt.timedelta(days=5 + 28)) == []


def test_missed_doses_are_alerted_once_per_run(er_nurse, person):
    for n in [*range(20, 6, -1), 3, 2, 1]:
        dispense(er_nurse, person, n, drug="bup_nx")

    def missed(n):
        data = {"drug": "bup_nx", "missed_on": ago(n).isoformat()}
        return records.record_missed_dose(actor=er_nurse, client=person, data=data)

    missed(6)
    missed(5)
    assert alerts.check(TODAY).raised == []  # two days in a row: under the threshold of 3
    missed(4)
    raised = alerts.check(TODAY).raised
    assert [a.kind for a in raised] == ["oat_missed_doses"]
    assert f"from {ago(6).isoformat()} to {ago(4).isoformat()}" in raised[0].text
    assert alerts.check(TODAY).raised == []
    assert not missed(4).created
    assert OatMissedDose.objects.filter(client=person).count() == 3
    # The same run is history once its last day is a week old (the days without a dose
    # since the last dispensing are a new run by then).
    later = alerts.detect(ago(4) + dt.timedelta(days=7))
    assert [p.source_key.rsplit(":", 1)[1] for p in later] == [TODAY.isoformat()]


def test_no_alert_when_the_team_records_a_death(er_nurse, person):
    episode = records.start_episode(
        actor=er_nurse, client=person, drug="methadone", started_on=ago(100)
    ).row
    records.stop_episode(
        actor=er_nurse, client=person, episode_id=episode.pk, stopped_on=ago(3), end_reason="died"
    )
    assert alerts.detect(TODAY) == []
    records.stop_episode(
        actor=er_nurse,
        client=person,
        episode_id=episode.pk,
        stopped_on=ago(3),
        end_reason="person_chose",
    )
    assert [p.kind for p in alerts.detect(TODAY)] == ["oat_stopped"]


def test_the_check_command_is_idempotent(er_nurse, person):
    for n in range(30, 9, -1):
        dispense(er_nurse, person, n)
    out = StringIO()
    call_command("treatment", "check", "--as-of", TODAY.isoformat(), stdout=out)
    assert "1 alert(s) raised, 0 already raised" in out.getvalue()
    out = StringIO()
    call_command("treatment", "check", "--as-of", TODAY.isoformat(), stdout=out)
    assert "0 alert(s) raised, 1 already raised" in out.getvalue()
    assert CareAlert.objects.count() == 1
    assert OatEpisode.objects.get(client=person).stopped_on == ago(10)


# CSV import ---------------------------------------------------------------------------


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_import_saves_good_rows_reports_bad_ones_and_never_duplicates(er_nurse, person):
    data = csv_bytes(
        "client,drug,date,dose,witnessed,carry_days,pharmacy,kind",
        f"{person.pk},methadone,{ago(5)},60,yes,0,Main St Pharmacy,",
        f"{person.pk},methadone,{ago(4)},60,no,2,Main St Pharmacy,dispensed",
        f"{person.pk},heroin,{ago(3)},60,yes,0,,",
        f"{person.pk},methadone,03/04/2026,60,yes,0,,",
        f"999999,methadone,{ago(3)},60,yes,0,,",
        f"{person.pk},methadone,{ago(1)},,,,,missed",
        f"{person.pk},methadone,{ago(2)},60",
        f"{person.pk},methadone,{ago(2)},60,yes,0,,sometimes",
    )
    result = importing.import_csv(actor=er_nurse, data=data, filename="week.csv")
    assert (result.rows, result.accepted, result.already_recorded) == (8, 3, 0)
    assert [(e["line"], e["column"]) for e in result.errors] == [
        (4, "drug"),
        (5, "date"),
        (6, "client"),
        (8, ""),
        (9, "kind"),
    ]
    assert (
        "8 values" not in result.errors[3]["message"] and "4 values" in result.errors[3]["message"]
    )
    assert OatDispensing.objects.filter(client=person, source="imported").count() == 2
    assert OatMissedDose.objects.filter(client=person, missed_on=ago(1)).exists()
    carry = OatDispensing.objects.get(client=person, dispensed_on=ago(4))
    assert carry.carry_days == 2 and not carry.witnessed
    assert OatEpisode.objects.get(client=person, origin="derived").last_covered_on == ago(2)
    again = importing.import_csv(actor=er_nurse, data=data, filename="week.csv")
    assert (again.accepted, again.already_recorded, len(again.errors)) == (0, 3, 5)
    assert OatDispensing.objects.filter(client=person).count() == 2
    assert OatImport.objects.count() == 2
    assert AuditEvent.objects.filter(action="cases.treatment.import").count() == 2


def test_import_finds_people_by_health_number_and_with_a_mapping(er_nurse, person):
    data = csv_bytes("PHN,Medication,DispDate", f"9876 543 217,bup_nx,{ago(2)}")
    result = importing.import_csv(
        actor=er_nurse, data=data, mapping="health_number=PHN, drug=Medication, date=DispDate"
    )
    assert result.accepted == 1 and result.errors == []
    assert OatDispensing.objects.get().client == person


def test_import_does_not_reach_people_of_another_organization(er_nurse, other_clinician, person):
    data = csv_bytes("client,drug,date", f"{person.pk},methadone,{ago(2)}")
    result = importing.import_csv(actor=other_clinician, data=data)
    assert result.accepted == 0 and result.errors[0]["column"] == "client"
    assert "held by your organizations" in result.errors[0]["message"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"client,drug\n1,methadone\n", "missing column(s) date"),
        (b"drug,date\nmethadone,2026-01-01\n", "client or health_number"),
        (b"client,drug,date,colour\n", "unknown column(s) 'colour'"),
        ("client,drug,date\n1,méthadone,2026-01-01\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_an_unreadable_file_is_refused_whole(er_nurse, data, words):
    with pytest.raises(
        importing.ImportRefused, match=words.replace("(", r"\(").replace(")", r"\)")
    ):
        importing.import_csv(actor=er_nurse, data=data)
    assert not OatImport.objects.exists()


def test_the_command_dry_run_changes_nothing_and_import_reports_rows(er_nurse, person, tmp_path):
    for n in range(30, 9, -1):
        dispense(er_nurse, person, n)
    out = StringIO()
    call_command("treatment", "check", "--as-of", TODAY.isoformat(), "--dry-run", stdout=out)
    assert "oat_stopped" in out.getvalue() and "1 alert(s) would be raised" in out.getvalue()
    assert not CareAlert.objects.exists()
    path = tmp_path / "pharmacy.csv"
    path.write_text(f"client,drug,date\n{person.pk},methadone,{ago(3)}\n{person.pk},methadone,x\n")
    out, err = StringIO(), StringIO()
    call_command("treatment", "import", str(path), "--user", "er.nurse", stdout=out, stderr=err)
    assert "1 new, 0 already recorded, 1 refused, of 2 rows" in out.getvalue()
    assert "line 3, column date" in err.getvalue()
    with pytest.raises(CommandError, match="No user"):
        call_command("treatment", "import", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="as-of"):
        call_command("treatment", "check", "--as-of", "someday")
