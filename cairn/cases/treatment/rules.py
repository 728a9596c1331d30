"""Per-drug rules: how long one dispensing covers, and the permissible gap.

An episode ends after a gap of **more than** `gap_days` days that no dispensing covers.
A dispensing covers its own day plus its take-home (carry) doses, or `covers_days` for
a drug given less often than daily (extended-release buprenorphine, a monthly
injection), or the days supply recorded on the row.

Every default names its source and whether DOMAIN.md §2 marks it confirmed [C] or
unverified [U]; `CAIRN_OAT_GAP_DAYS` and `CAIRN_OAT_COVERS_DAYS` (dicts by drug key)
override them, and the other `CAIRN_OAT_*` settings below the rest.
"""

from dataclasses import dataclass

from django.conf import settings

from cairn.cases.models.treatment import OatDrug


@dataclass(frozen=True)
class DrugRule:
    drug: str
    label: str
    gap_days: int
    covers_days: int
    source: str
    status: str  # "confirmed", "unverified" or "project choice"


BC_NOSYK = (
    "BC Nosyk-group papers (Pearce et al., BMJ 2020;368:m772; Piske et al., Addiction "
    "2020;115:1482-93): a gap of {n} days or more ends an episode"
)
NOVA_SCOTIA = (
    "Nova Scotia prescription monitoring retention study (BMC Psychiatry 2022): an episode "
    "ends after a gap of more than 6 days without OAT dispensed"
)
YAZDANI = (
    "Yazdani et al., BMC Medical Research Methodology 2026 (BC): a 7-day margin within the "
    "same drug; each monthly injection taken to cover 28 days (monthly dosing)"
)

DEFAULTS: dict[str, DrugRule] = {
    OatDrug.METHADONE: DrugRule(
        OatDrug.METHADONE, OatDrug.METHADONE.label, 4, 1, BC_NOSYK.format(n=5), "unverified"
    ),
    OatDrug.SROM: DrugRule(
        OatDrug.SROM, OatDrug.SROM.label, 4, 1, BC_NOSYK.format(n=5), "unverified"
    ),
    OatDrug.BUPRENORPHINE_NALOXONE: DrugRule(
        OatDrug.BUPRENORPHINE_NALOXONE,
        OatDrug.BUPRENORPHINE_NALOXONE.label,
        5,
        1,
        BC_NOSYK.format(n=6),
        "unverified",
    ),
    OatDrug.INJECTABLE: DrugRule(
        OatDrug.INJECTABLE, OatDrug.INJECTABLE.label, 6, 1, NOVA_SCOTIA, "confirmed"
    ),
    OatDrug.XR_BUPRENORPHINE: DrugRule(
        OatDrug.XR_BUPRENORPHINE,
        OatDrug.XR_BUPRENORPHINE.label,
        7,
        28,
        YAZDANI,
        "confirmed margin; 28-day coverage a project choice",
    ),
    OatDrug.OTHER: DrugRule(OatDrug.OTHER, OatDrug.OTHER.label, 6, 1, NOVA_SCOTIA, "confirmed"),
}

#: Two drugs' episodes overlapping by more than this many days are concurrent therapy;
#: by this many or fewer, the later one is a switch (Yazdani et al. 2026 [C]).
SWITCH_MARGIN_DAYS = 14
#: Consecutive days without a dose (recorded missed doses, or days no dispensing covers
#: in an episode that has not ended) that raise a "missed doses" alert. Project choice.
MISSED_DOSES_ALERT = 3
#: A stop is alerted while it is this recent: mortality is 8-9x higher in the first
#: 4 weeks after stopping (Cornish 2010; Pearce 2020 [C]). Older stops found in a first
#: import of history are not alerted.
STOP_ALERT_WINDOW_DAYS = 28
#: Missed-dose runs are alerted while their last day is this recent.
MISSED_ALERT_WINDOW_DAYS = 7
#: "Recently on OAT": any day on OAT in this many days up to the cascade date ([U]:
#: the window of Piske et al. 2020 was not retrieved).
RECENT_DAYS = 365
#: Retention milestones of the BC cascade (1, 3, 12, 24 months) as continuous days.
RETENTION_DAYS = (30, 90, 365, 730)


def _setting(name: str, default):
    return getattr(settings, name, default)


def rule_for(drug: str) -> DrugRule:
    if drug not in DEFAULTS:
        raise ValueError(f"Unknown OAT drug {drug!r}; give one of {', '.join(OatDrug.values)}.")
    rule = DEFAULTS[drug]
    gaps = _setting("CAIRN_OAT_GAP_DAYS", {}) or {}
    covers = _setting("CAIRN_OAT_COVERS_DAYS", {}) or {}
    if drug in gaps or drug in covers:
        configured = "configured in settings (default: " + rule.source + ")"
        rule = DrugRule(
            rule.drug,
            rule.label,
            int(gaps.get(drug, rule.gap_days)),
            int(covers.get(drug, rule.covers_days)),
            configured,
            "local setting",
        )
    return rule


def all_rules() -> list[DrugRule]:
    return [rule_for(drug) for drug in OatDrug.values]


def gap_days(drug: str) -> int:
    return rule_for(drug).gap_days


def switch_margin_days() -> int:
    return int(_setting("CAIRN_OAT_SWITCH_MARGIN_DAYS", SWITCH_MARGIN_DAYS))


def missed_doses_alert() -> int:
    return int(_setting("CAIRN_OAT_MISSED_DOSES_ALERT", MISSED_DOSES_ALERT))


def stop_alert_window_days() -> int:
    return int(_setting("CAIRN_OAT_STOP_ALERT_WINDOW_DAYS", STOP_ALERT_WINDOW_DAYS))


def missed_alert_window_days() -> int:
    return int(_setting("CAIRN_OAT_MISSED_ALERT_WINDOW_DAYS", MISSED_ALERT_WINDOW_DAYS))


def recent_days() -> int:
    return int(_setting("CAIRN_OAT_RECENT_DAYS", RECENT_DAYS))


def retention_days() -> tuple[int, ...]:
    return tuple(_setting("CAIRN_OAT_RETENTION_DAYS", RETENTION_DAYS))
