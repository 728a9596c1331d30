"""Classification throughput: the engine against a per-definition regex loop, one core.

    python bench/bench_classification.py [--records 1000000] [--naive-records 200000]

Records are ED visits drawn from the demo generator's vocabulary (cairn/demo/
chief_complaints.py): overdoses written as triage notes (misspellings, "narcan x2"),
negated drug mentions, everyday complaints, in capitals for ~30%, with their
ICD-10-CA codes; a share of them (--cm-share) carry ICD-10-CM codes with intent
and encounter characters instead. Real feeds repeat complaint strings heavily, and
so does this mix. A second figure gives the engine on complaints that never repeat
(each with a unique suffix), where no cache helps. No database is needed.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")

from cairn.demo import chief_complaints as cc  # noqa: E402
from cairn.surveillance.classification.engine import Classifier, naive_classify  # noqa: E402
from cairn.surveillance.definitions import shipped_rules  # noqa: E402

CM_EQUIVALENT = {
    "T40.4": ["T40.411A", "T40.4X1A", "T40.414A", "T40.4X2A"],
    "T40.1": ["T40.1X1A", "T40.1X4A"],
    "T40.2": ["T40.2X1A", "T40.2X5A"],
    "T43.6": ["T43.651A", "T43.621A", "T43.601D"],
    "T40.5": ["T40.5X1A"],
    "F11.2": ["F11.220", "F11.20", "F11.23"],
}


def generate(n: int, seed: int, cm_share: float) -> list[tuple[str, str]]:
    rng = np.random.default_rng(seed)
    tables = [
        (cc.OPIOID_OVERDOSE_ED, 0.012),
        (cc.STIMULANT_OVERDOSE_ED, 0.004),
        (cc.NON_OVERDOSE_ED, 0.90),
        (cc.NEGATED_DRUG_MENTION_ED, 0.02),
        (cc.ALCOHOL_ED, 0.03),
        (cc.DRUG_RELATED_ED, 0.034),
    ]
    shares = np.array([s for _, s in tables]) / sum(s for _, s in tables)
    counts = rng.multinomial(n, shares)
    records: list[tuple[str, str]] = []
    for (table, _), count in zip(tables, counts, strict=True):
        vocabulary = cc.Vocabulary(table, upper_share=0.3)
        texts, codes = vocabulary.sample(rng, int(count))
        code_strings = [";".join(json.loads(c)) for c in vocabulary.code_json]
        cm = rng.random(int(count)) < cm_share
        for t, c, as_cm in zip(texts, codes, cm, strict=True):
            dd = code_strings[c]
            if as_cm and dd:
                dd = ";".join(
                    CM_EQUIVALENT[code][rng.integers(len(CM_EQUIVALENT[code]))]
                    if code in CM_EQUIVALENT
                    else code
                    for code in dd.split(";")
                )
            records.append((vocabulary.text_table[t], dd))
    order = rng.permutation(len(records))
    return [records[i] for i in order]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--naive-records", type=int, default=200_000)
    parser.add_argument("--unique-records", type=int, default=100_000)
    parser.add_argument("--cm-share", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rules = shipped_rules()

    records = generate(args.records, args.seed, args.cm_share)
    distinct = len(set(records))
    print(
        f"{len(records):,} records, {distinct:,} distinct (complaint, diagnoses) pairs, "
        f"{len(rules)} definitions",
        flush=True,
    )

    engine = Classifier(rules)
    started = time.perf_counter()
    results = engine.classify_many(records)
    engine_seconds = time.perf_counter() - started
    engine_rate = len(records) / engine_seconds
    matched = sum(1 for r in results if r)
    print(f"engine: {engine_seconds:.2f} s, {matched:,} records met a definition", flush=True)

    sample = records[: args.naive_records]
    started = time.perf_counter()
    naive = naive_classify(rules, sample)
    naive_seconds = time.perf_counter() - started
    naive_rate = len(sample) / naive_seconds
    agree = sum(1 for a, b in zip(naive, results, strict=False) if a == [m.definition for m in b])
    print(
        f"naive loop: {naive_seconds:.2f} s for {len(sample):,} records; "
        f"same definitions as the engine for {agree:,} of {len(sample):,}",
        flush=True,
    )

    unique = [(f"{text} #{i}", dd) for i, (text, dd) in enumerate(records[: args.unique_records])]
    cold = Classifier(rules)
    started = time.perf_counter()
    cold.classify_many(unique)
    unique_rate = len(unique) / (time.perf_counter() - started)
    print(f"engine, no repeated complaint: {unique_rate:,.0f} records/s", flush=True)
    print(
        f"classification: {engine_rate:,.0f} records/s (engine), "
        f"{naive_rate:,.0f} records/s (naive loop), ratio {engine_rate / naive_rate:.1f}×"
    )


if __name__ == "__main__":
    main()
