"""Extract British Columbia's ED-visit figures from PHAC's SubstanceHarmsData.csv.

The national file (2.45 MB, every province and measure) is not shipped with Cairn;
this script keeps the few hundred rows the demo generator is calibrated on: opioid-
and stimulant-related poisoning emergency-department visits in BC (PRUID 59), by
year and by quarter, and their sex and age-group percentages. Values PHAC
suppressed or did not publish ("n/a") are left out.

    python cairn/demo/data/extract_bc_ed_visits.py [path/to/SubstanceHarmsData.csv]

Without an argument it reads the project's shared data folder
(../shared/data/overdose_canada/ next to the repository). The output,
bc_substance_harms_ed_visits.csv, is written next to this script and is the same
on every run (rows in source order, no timestamps).
"""

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[2]
DEFAULT_SOURCE = (
    REPOSITORY.parent / "shared" / "data" / "overdose_canada" / "SubstanceHarmsData.csv"
)
OUTPUT = HERE / "bc_substance_harms_ed_visits.csv"

BRITISH_COLUMBIA = "59"
ED_VISITS = "Emergency Department (ED) Visits"
MEASURES = {
    ("Overall numbers", "Number"): "count",
    ("Sex", "Percent"): "sex_percent",
    ("Age group", "Percent"): "age_group_percent",
}
COLUMNS = ["substance", "measure", "period_type", "period", "group", "value"]


def extract(source: Path) -> list[dict[str, str]]:
    rows = []
    with open(source, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row["PRUID"] != BRITISH_COLUMBIA or row["Source"] != ED_VISITS:
                continue
            measure = MEASURES.get((row["Specific_Measure"], row["Unit"]))
            value = row["Value"].strip()
            if measure is None or not value.replace(".", "", 1).isdigit():
                continue
            rows.append(
                {
                    "substance": row["Substance"].lower(),
                    "measure": measure,
                    "period_type": "year" if row["Time_Period"] == "By year" else "quarter",
                    "period": row["Year_Quarter"],
                    "group": row["Disaggregator"],
                    "value": value,
                }
            )
    return rows


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    if not source.exists():
        print(f"{source} not found; pass the path of SubstanceHarmsData.csv", file=sys.stderr)
        return 1
    rows = extract(source)
    with open(OUTPUT, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows written to {OUTPUT.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
