"""What the synthetic records say: chief complaints, ICD-10-CA codes, substances.

Written the way triage notes and paramedic impressions read, misspellings and
abbreviations included, so classifiers meet the real thing: overdoses recorded with
only a chief complaint and no poisoning code, vague complaints carried by their
codes, and non-overdose visits that mention drugs only to negate them ("denies drug
use", "not an overdose, fall from ladder").

Each presentation is (text, weight, codes): `codes` names a group of weighted code
combinations below, or lists the combinations themselves (equally likely).
"""

import json

import numpy as np

Codes = str | list[list[str]]

OVERDOSE_CODE_GROUPS: dict[str, list[tuple[list[str], float]]] = {
    "opioid": [
        (["T40.4"], 10),
        (["T40.4", "X42"], 8),
        (["T40.4", "F11.2"], 6),
        (["T40.1"], 2),
        (["T40.6"], 5),
        (["T40.2"], 2),
        (["T40.3"], 1),
        (["T40.4", "T43.6"], 5),
        (["T40.4", "T42.4"], 4),
        (["T40.4", "T40.5"], 2),
        (["T40.6", "F11.0"], 2),
        (["T40.4", "F11.2", "F15.2"], 2),
        (["T50.9"], 3),
        (["T42.4"], 1),
        (["F11.0"], 2),
        (["F19.0"], 1),
    ],
    "stimulant": [
        (["T43.6"], 8),
        (["T40.5"], 5),
        (["T43.6", "F15.0"], 4),
        (["F15.0"], 2),
        (["T40.5", "F14.0"], 2),
        (["T43.6", "T40.4"], 3),
        (["T50.9"], 1),
    ],
    # Overdoses coded without any poisoning or substance code: only the text tells.
    "complaint_only": [
        ([], 5),
        (["R40.2"], 3),
        (["R41.8"], 1),
        (["R06.8"], 1),
        (["R45.1"], 1),
    ],
}

OPIOID_OVERDOSE_ED: list[tuple[str, float, Codes]] = [
    ("OD", 10, "opioid"),
    ("opioid overdose", 7, "opioid"),
    ("overdose", 5, "opioid"),
    ("suspected drug overdose", 5, "opioid"),
    ("found down, narcan given", 5, "opioid"),
    ("pt unresponsive ?fentanyl", 4, "opioid"),
    ("OD - narcan x2 by EHS", 3, "opioid"),
    ("opioid OD, naloxone by friend", 3, "opioid"),
    ("decreased LOC ?opioid", 3, "opioid"),
    ("unresponsive, pinpoint pupils", 2, "opioid"),
    ("resp depression after smoking fentanyl", 2, "opioid"),
    ("found unresponsive in alley, naloxone x3", 2, "opioid"),
    ("accidental overdose", 2, "opioid"),
    ("o/d", 2, "opioid"),
    ("drug poisoning", 2, "opioid"),
    ("opioid tox", 2, "opioid"),
    ("overdose on fentanyl", 2, "opioid"),
    ("smoked down, went unresponsive", 2, "opioid"),
    ("post naloxone, agitated", 1, "opioid"),
    ("OD ?benzo + opioid, slow to rouse", 2, "opioid"),
    ("heroine od", 1, "opioid"),
    ("overdoes", 1, "opioid"),
    ("fentanly OD", 1, "opioid"),
    ("overdsoe", 1, "opioid"),
    ("possible OD", 2, "opioid"),
    ("decreased LOC", 3, "opioid"),
    ("unresponsive", 2, "opioid"),
    ("altered LOC", 2, "opioid"),
    ("SOB, drowsy", 1, "opioid"),
    ("OD", 2, "complaint_only"),
    ("opioid overdose", 1, "complaint_only"),
    ("found down, narcan given", 1, "complaint_only"),
    ("overdose - brought in by EHS", 1, "complaint_only"),
    ("pt unresponsive ?fentanyl", 1, "complaint_only"),
]

STIMULANT_OVERDOSE_ED: list[tuple[str, float, Codes]] = [
    ("stimulant toxicity", 4, "stimulant"),
    ("agitation, tachycardic after crystal meth", 3, "stimulant"),
    ("meth OD", 3, "stimulant"),
    ("cocaine overdose", 3, "stimulant"),
    ("chest pain after cocaine use", 2, "stimulant"),
    ("overdose ?meth", 2, "stimulant"),
    ("amphetamine tox", 2, "stimulant"),
    ("hyperthermia, agitated, used meth", 1, "stimulant"),
    ("OD", 2, "stimulant"),
    ("cocaine OD", 1, "complaint_only"),
    ("meth overdose", 1, "complaint_only"),
]

NON_OVERDOSE_ED: list[tuple[str, float, Codes]] = [
    ("chest pain", 8, [["R07.4"], ["R07.3"], ["I20.9"]]),
    ("CP", 3, [["R07.4"]]),
    ("abdominal pain", 7, [["R10.4"], ["K35.8"], ["K80.2"]]),
    ("abd pain RLQ", 3, [["R10.3"], ["K35.8"]]),
    ("fall", 6, [["W19", "S00.8"], ["W19", "S72.0"], ["W19", "S52.5"]]),
    ("laceration L hand", 4, [["S61.4"], ["S61.0"]]),
    ("lac to forehead", 2, [["S01.8"]]),
    ("fever", 5, [["R50.9"], ["J06.9"], ["N39.0"]]),
    ("SOB", 5, [["R06.0"], ["J44.1"], ["J18.9"], ["I50.0"]]),
    ("cough", 4, [["J06.9"], ["J20.9"], ["U07.1"]]),
    ("sore throat", 3, [["J02.9"], ["J03.9"]]),
    ("back pain", 4, [["M54.5"], ["M54.4"]]),
    ("headache", 4, [["R51"], ["G43.9"]]),
    ("dizziness", 3, [["R42"], ["H81.1"]]),
    ("UTI sx", 3, [["N39.0"]]),
    ("rash", 2, [["R21"], ["L50.9"]]),
    ("ankle injury", 3, [["S93.4"], ["S82.6"]]),
    ("MVC", 2, [["V43.5", "S13.4"], ["V43.5", "S20.2"]]),
    ("flank pain ?kidney stone", 2, [["N20.0"], ["N23"]]),
    ("vomiting", 3, [["R11"], ["A09"]]),
    ("N/V/D", 2, [["A09"], ["K52.9"]]),
    ("allergic reaction", 2, [["T78.4"], ["L50.0"]]),
    ("wrist injury ?fx", 2, [["S52.5"], ["S63.5"]]),
    ("syncope", 2, [["R55"]]),
    ("palpitations", 2, [["R00.2"], ["I48.9"]]),
    ("weakness", 2, [["R53"], ["E86"]]),
    ("anxiety", 2, [["F41.9"], ["F41.0"]]),
    ("suicidal ideation", 1, [["R45.8"], ["F32.9"]]),
    ("psych eval", 1, [["F29"], ["F20.9"]]),
    ("dental pain", 2, [["K08.8"], ["K04.7"]]),
    ("eye pain", 1, [["H57.1"], ["H10.9"]]),
    ("epistaxis", 1, [["R04.0"]]),
    ("PV bleeding, pregnant", 1, [["O20.9"]]),
    ("seizure", 1, [["R56.8"], ["G40.9"]]),
    ("hypoglycemia", 1, [["E16.2"], ["E11.6"]]),
    ("earache", 2, [["H66.9"], ["H92.0"]]),
    ("cellulitis", 2, [["L03.1"]]),
    ("burn R hand", 1, [["T23.2"]]),
    ("head injury, no LOC", 2, [["S06.0"], ["S00.9"]]),
    ("post-op wound check", 1, [["Z48.0"]]),
    ("med refill", 1, [["Z76.0"]]),
    ("sick kid, fever x2d", 2, [["R50.9"], ["J06.9"]]),
    ("L sided weakness, ?stroke", 1, [["I63.9"], ["G45.9"]]),
]

# Non-overdose visits that mention drugs or overdose only to negate or rule them out.
NEGATED_DRUG_MENTION_ED: list[tuple[str, float, Codes]] = [
    ("denies drug use", 2, [["R42"], ["R55"], ["R10.4"]]),
    ("no OD, fall from ladder", 2, [["W11", "S82.1"], ["W11", "S42.0"]]),
    ("not an overdose, fall from ladder", 2, [["W11", "S32.0"]]),
    ("chest pain, denies drug use", 2, [["R07.4"]]),
    ("syncope, no drugs/ETOH", 2, [["R55"]]),
    ("fall, no LOC, denies ETOH", 2, [["W19", "S00.8"]]),
    ("abd pain - pt denies any ingestion", 1, [["R10.4"]]),
    ("headache, no hx of OD", 1, [["R51"]]),
    ("dizzy, states did not take anything", 1, [["R42"]]),
    ("seizure, hx epilepsy, no drug use", 1, [["G40.9"]]),
    ("MVC, no ETOH or drugs involved", 1, [["V43.5", "S13.4"]]),
    ("r/o overdose - hypoglycemic", 1, [["E16.2"]]),
    ("family worried re OD, pt denies taking anything", 1, [["F41.9"]]),
    ("NOT OD - diabetic, low sugar", 1, [["E16.2"]]),
]

ALCOHOL_ED: list[tuple[str, float, Codes]] = [
    ("ETOH intox", 4, [["F10.0"], ["F10.0", "T51.0"]]),
    ("intoxicated ETOH, fall", 2, [["F10.0", "W19", "S00.8"]]),
    ("alcohol intoxication", 2, [["F10.0"], ["T51.0"]]),
    ("ETOH, vomiting", 1, [["F10.0", "R11"]]),
    ("ETOH withdrawal", 1, [["F10.3"]]),
]

# Visits of people who use drugs that are not overdoses (missed chances to connect).
DRUG_RELATED_ED: list[tuple[str, float, Codes]] = [
    ("abscess L forearm", 3, [["L02.4"], ["L02.4", "F11.2"]]),
    ("cellulitis R arm, injects drugs", 2, [["L03.1", "F11.2"]]),
    ("opioid withdrawal, requesting OAT", 2, [["F11.3"]]),
    ("withdrawal sx", 2, [["F11.3"], ["F19.3"]]),
    ("requesting withdrawal management", 1, [["F11.2"], ["F19.2"]]),
    ("missed methadone dose", 1, [["F11.2", "Z76.0"]]),
    ("wound check", 1, [["Z48.0"]]),
    ("agitation, psychosis after meth use", 1, [["F15.5"]]),
]

PARAMEDIC_IMPRESSIONS: list[tuple[str, float]] = [
    ("23D01 Overdose/poisoning - unconscious", 6),
    ("Overdose/poisoning - opioid suspected", 8),
    ("OD - naloxone given by bystander", 5),
    ("Unconscious/fainting ?OD", 4),
    ("Breathing problems ?opioid", 3),
    ("Found down in alley, agonal resps", 2),
    ("Pt used unknown substance, decreased LOC", 3),
    ("Opioid toxicity, GCS 3", 3),
    ("Stimulant toxicity, agitated", 2),
    ("Unknown problem - person down", 2),
    ("OD at overdose prevention site, staff gave narcan", 2),
    ("Suspected drug poisoning, resps 4/min", 2),
]

FIRST_RESPONDER_NOTES: list[tuple[str, float]] = [
    ("Fire medical aid: overdose", 6),
    ("Fire: unconscious person, naloxone given", 4),
    ("Fire: person not breathing, BVM, naloxone", 2),
    ("Police: person in medical distress, suspected OD", 2),
    ("Fire: assist EHS, overdose", 3),
]

# Suspected substances noted by paramedics (no ICD codes in their reports).
PARAMEDIC_SUBSTANCES: list[tuple[list[str], float]] = [
    (["fentanyl"], 35),
    (["opioid"], 15),
    (["fentanyl", "methamphetamine"], 12),
    (["unknown"], 10),
    (["fentanyl", "benzodiazepine"], 6),
    (["methamphetamine"], 5),
    (["cocaine"], 4),
    (["down"], 4),
    (["alcohol", "opioid"], 4),
    (["heroin"], 2),
    ([], 3),
]
FIRST_RESPONDER_SUBSTANCES: list[tuple[list[str], float]] = [
    (["opioid"], 5),
    ([], 4),
    (["fentanyl"], 3),
    (["unknown"], 2),
]
# What drug-checking or toxicology found behind an injected cluster.
SPIKE_AGENTS: list[tuple[str, list[str]]] = [
    ("carfentanil in the local supply", ["fentanyl", "carfentanil"]),
    ("a benzodiazepine-contaminated opioid supply (bromazolam)", ["fentanyl", "bromazolam"]),
    ("a nitazene opioid in the local supply", ["nitazene"]),
    ("an unusually strong batch of fentanyl", ["fentanyl"]),
]
# Toxicology in coroner deaths: drug names of bc_deaths_drug_detected_pct_by_year.csv
# and what the record lists, with the multiple-cause codes it adds.
DEATH_DRUGS = [
    ("Fentanyl", "fentanyl", "T40.4"),
    ("Cocaine", "cocaine", "T40.5"),
    ("Methamphetamines", "methamphetamine", "T43.6"),
    ("Benzodiazepines", "benzodiazepine", "T42.4"),
    ("Other opioids", "other opioid", "T40.2"),
    ("Alcohol", "alcohol", "T51.0"),
]


class Vocabulary:
    """Presentations flattened into arrays: text, category and codes per entry."""

    def __init__(self, presentations: list[tuple[str, float, Codes]], upper_share: float):
        texts, weights, code_choices = [], [], []
        for text, weight, codes in presentations:
            combos = (
                OVERDOSE_CODE_GROUPS[codes]
                if isinstance(codes, str)
                else [(combo, 1.0) for combo in codes]
            )
            texts.append(text)
            weights.append(weight)
            code_choices.append(combos)
        self.texts = texts
        self.weights = np.array(weights, dtype=float) / sum(weights)
        self.upper_share = upper_share
        # Codes: one table of distinct JSON lists; per presentation, the indices and
        # the cumulative weights to pick among them.
        self.code_json: list[str] = []
        index_of: dict[str, int] = {}
        self._code_index: list[np.ndarray] = []
        self._code_cdf: list[np.ndarray] = []
        for combos in code_choices:
            indices, cumulative, total = [], [], 0.0
            for combo, weight in combos:
                text = json.dumps(combo)
                if text not in index_of:
                    index_of[text] = len(self.code_json)
                    self.code_json.append(text)
                indices.append(index_of[text])
                total += weight
                cumulative.append(total)
            self._code_index.append(np.array(indices))
            self._code_cdf.append(np.array(cumulative) / total)
        # Text table: each presentation as written and in capitals (many EDs type so).
        self.text_table = texts + [t.upper() for t in texts]

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(index into text_table, index into code_json) for n records."""
        presentation = rng.choice(len(self.texts), size=n, p=self.weights)
        upper = rng.random(n) < self.upper_share
        codes = np.empty(n, dtype=np.int32)
        draws = rng.random(n)
        for p in np.unique(presentation):
            mask = presentation == p
            codes[mask] = self._code_index[p][
                np.searchsorted(self._code_cdf[p], draws[mask], side="right").clip(
                    max=len(self._code_cdf[p]) - 1
                )
            ]
        return presentation + upper * len(self.texts), codes


def weighted_table(entries: list[tuple[object, float]]) -> tuple[list[str], np.ndarray]:
    """JSON texts of the entries and their probabilities."""
    texts = [json.dumps(value) if not isinstance(value, str) else value for value, _ in entries]
    weights = np.array([weight for _, weight in entries], dtype=float)
    return texts, weights / weights.sum()


def _check_copy_safe(texts: list[str]) -> None:
    # PostgreSQL COPY text format: these would need escaping.
    for text in texts:
        if any(ch in text for ch in "\t\n\r\\"):
            raise ValueError(f"vocabulary entry {text!r} contains a tab, newline or backslash")


for _table in [
    OPIOID_OVERDOSE_ED,
    STIMULANT_OVERDOSE_ED,
    NON_OVERDOSE_ED,
    NEGATED_DRUG_MENTION_ED,
    ALCOHOL_ED,
    DRUG_RELATED_ED,
]:
    _check_copy_safe([text for text, _, _ in _table])
_check_copy_safe([text for text, _ in PARAMEDIC_IMPRESSIONS + FIRST_RESPONDER_NOTES])
