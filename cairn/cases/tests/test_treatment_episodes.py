"""OAT rules and episodes: per-drug gaps (exactly N days continues, N + 1 ends), carries
and monthly injections, switches and concurrent therapy, courses, settings overrides."""

import datetime as dt

import pytest

from cairn.cases.models.treatment import OatDrug, OatEndReason
from cairn.cases.treatment import episodes, rules
from cairn.cases.treatment.episodes import Dispensed, derive_runs

D0 = dt.date(2026, 3, 1)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def test_every_drug_has_a_rule_with_a_source_and_status():
    for drug in OatDrug.values:
        rule = rules.rule_for(drug)
        assert rule.gap_days > 0 and rule.source and rule.status
    assert rules.gap_days("methadone") == 4 and rules.gap_days("srom") == 4
    assert rules.gap_days("bup_nx") == 5
    assert rules.rule_for("xr_bup").covers_days == 28
    with pytest.raises(ValueError, match="Unknown OAT drug"):
        rules.rule_for("heroin")


@pytest.mark.parametrize(("drug", "n"), [("methadone", 4), ("bup_nx", 5), ("ioat", 6)])
def test_a_gap_of_exactly_n_days_continues_and_n_plus_one_ends(drug, n):
    # Dispensed on day 0 (covers day 0); next on day n + 1: n uncovered days between.
    same = derive_runs([Dispensed(day(0), drug), Dispensed(day(n + 1), drug)], day(n + 1))
    assert len(same) == 1 and same[0].dispensings == 2 and same[0].stopped_on is None
    split = derive_runs([Dispensed(day(0), drug), Dispensed(day(n + 2), drug)], day(n + 2))
    assert [(r.start, r.stopped_on) for r in split] == [(day(0), day(0)), (day(n + 2), None)]
    assert split[0].end_reason == OatEndReason.GAP


def test_the_latest_episode_ends_only_once_the_gap_has_passed():
    runs = [Dispensed(day(0), "methadone")]
    assert derive_runs(runs, day(4))[0].stopped_on is None  # 4 days without: still on
    ended = derive_runs(runs, day(5))[0]  # the 5th day without a dose
    assert ended.stopped_on == day(0) and ended.end_reason == OatEndReason.GAP


def test_carries_cover_the_following_days():
    # 6 carries on day 0 cover days 0-6; the next pickup on day 11 leaves 4 uncovered days.
    runs = derive_runs(
        [Dispensed(day(0), "methadone", covers=7), Dispensed(day(11), "methadone")], day(11)
    )
    assert len(runs) == 1 and runs[0].last_covered == day(11)
    assert episodes.days_covered("methadone", carry_days=6) == 7
    assert episodes.days_covered("methadone", carry_days=6, days_supply=3) == 3


def test_a_monthly_injection_fits_its_gap():
    covers = episodes.days_covered("xr_bup")
    # Injections 35 days apart: 28 covered + 7 uncovered days -> one episode.
    monthly = [Dispensed(day(0), "xr_bup", covers), Dispensed(day(35), "xr_bup", covers)]
    assert len(derive_runs(monthly, day(40))) == 1
    late = [Dispensed(day(0), "xr_bup", covers), Dispensed(day(36), "xr_bup", covers)]
    assert len(derive_runs(late, day(40))) == 2
    # Three weeks after an injection the person is still covered, not stopped.
    assert derive_runs([Dispensed(day(0), "xr_bup", covers)], day(21))[0].stopped_on is None
    assert derive_runs([Dispensed(day(0), "xr_bup", covers)], day(34))[0].stopped_on is None
    assert derive_runs([Dispensed(day(0), "xr_bup", covers)], day(35))[0].stopped_on == day(27)


def test_a_switch_within_the_margin_and_concurrent_therapy_beyond_it():
    methadone = [Dispensed(day(i), "methadone") for i in range(0, 30)]
    # Buprenorphine/naloxone starts on day 20; methadone stops on day 29: 10 days overlap.
    bup = [Dispensed(day(i), "bup_nx") for i in range(20, 60)]
    runs = derive_runs(methadone + bup, day(59))
    first, second = runs
    assert first.drug == "methadone" and first.end_reason == OatEndReason.SWITCHED
    assert second.switched_from == 0 and not first.concurrent
    # A 20-day overlap is concurrent therapy: both marked, no switch.
    bup = [Dispensed(day(i), "bup_nx") for i in range(10, 60)]
    first, second = derive_runs(methadone + bup, day(59))
    assert first.concurrent and second.concurrent
    assert first.end_reason == OatEndReason.GAP and second.switched_from is None


def test_a_restart_after_the_gap_is_not_a_switch():
    runs = derive_runs([Dispensed(day(0), "methadone"), Dispensed(day(20), "bup_nx")], day(20))
    assert runs[0].end_reason == OatEndReason.GAP and runs[1].switched_from is None


def test_courses_chain_switches_and_measure_retention():
    methadone = [Dispensed(day(i), "methadone") for i in range(0, 30)]
    bup = [Dispensed(day(i), "bup_nx") for i in range(25, 100)]
    runs = derive_runs(methadone + bup, day(99))
    course = episodes.course_on(
        episodes.courses(episodes.intervals_from(runs, [], day(99))), day(99)
    )
    assert course is not None and course.start == day(0) and course.days_on(day(99)) == 100


def test_settings_override_the_gap(settings):
    settings.CAIRN_OAT_GAP_DAYS = {"methadone": 30}
    rule = rules.rule_for("methadone")
    assert rule.gap_days == 30 and rule.status == "local setting"
    runs = derive_runs([Dispensed(day(0), "methadone"), Dispensed(day(20), "methadone")], day(20))
    assert len(runs) == 1
