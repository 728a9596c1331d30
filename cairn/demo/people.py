"""Synthetic people: obviously invented names, fake health numbers, plausible postal codes.

A person is a number (`pid`). Everything fixed about them — sex, date of birth,
given name, postal code, phone — is a hash of the pid and the run's seed, so the
same person looks the same in every record and every chunk without a table of
people. What varies from record to record (a nickname, a typo in the family name,
a missing health number) is drawn per record by the caller's generator.

Names are made-up words ("Testa", "Demov") and family names carry the person's
number ("Synthetic-004821"); health numbers start with 9999 (9998 for the second
million people, and so on), an obviously fake prefix; phone numbers are in the
555-01xx range reserved for fiction.
"""

from dataclasses import dataclass

import numpy as np

from cairn.demo.texts import number_texts, thousands_texts

GIVEN_NAMES = [
    "Testa",
    "Testor",
    "Demov",
    "Demora",
    "Fauxley",
    "Fauxine",
    "Mockett",
    "Mockia",
    "Sampla",
    "Samplor",
    "Fictor",
    "Fictra",
    "Nullo",
    "Nullia",
    "Protto",
    "Protta",
    "Exempla",
    "Exemplo",
    "Stubbin",
    "Stubba",
    "Pseudia",
    "Pseudor",
    "Simulo",
    "Simula",
    "Fabrico",
    "Fabrica",
    "Dummet",
    "Dummia",
    "Placeo",
    "Placia",
    "Synthor",
    "Synthea",
    "Trialo",
    "Trialla",
    "Mocko",
    "Fakely",
    "Imitra",
    "Imitor",
    "Proxo",
    "Proxia",
]
NICKNAMES = [name[:4] for name in GIVEN_NAMES]
GIVEN_NAME_TABLE = np.array(GIVEN_NAMES, dtype=object)
NICKNAME_TABLE = np.array(NICKNAMES, dtype=object)
FAMILY_PREFIX = "Synthetic"

# Forward sortation areas (first half of a postal code) per Local Health Area;
# communities not listed use their health authority's rural FSAs.
FSAS = {
    "Abbotsford": "V2S V2T V3G V4X",
    "Agassiz/Harrison": "V0M",
    "Chilliwack": "V2P V2R V4Z",
    "Hope": "V0X",
    "Mission": "V2V V4S",
    "Burnaby": "V5A V5B V5C V5E V5G V5H V5J",
    "Maple Ridge/Pitt Meadows": "V2W V2X V3Y",
    "New Westminster": "V3L V3M",
    "Tri-Cities": "V3B V3C V3E V3H V3J V3K",
    "Delta": "V4C V4E V4G V4K V4L V4M",
    "Langley": "V1M V2Y V2Z V3A V4W",
    "South Surrey/White Rock": "V3Z V4A V4B",
    "Surrey": "V3R V3S V3T V3V V3W V3X V4N V4P",
    "Cranbrook": "V1C",
    "Kimberley": "V1A",
    "Castlegar": "V1N",
    "Nelson": "V1L",
    "Trail": "V1R",
    "Central Okanagan": "V1P V1V V1W V1X V1Y V1Z V4T V4V",
    "Penticton": "V2A",
    "Vernon": "V1B V1H V1T",
    "Cariboo/Chilcotin": "V2G",
    "Kamloops": "V1S V2B V2C V2E V2H",
    "Merritt": "V1K",
    "Salmon Arm": "V1E",
    "Peace River North": "V1J",
    "Peace River South": "V1G",
    "Prince George": "V2K V2L V2M V2N",
    "Quesnel": "V2J",
    "Haida Gwaii": "V0T",
    "Kitimat": "V8C",
    "Prince Rupert": "V8J",
    "Terrace": "V8G",
    "Fort Nelson": "V0C",
    "Stikine": "V0C",
    "Howe Sound": "V8B V0N",
    "North Vancouver": "V7G V7H V7J V7K V7L V7M V7N V7P V7R",
    "Powell River": "V8A",
    "Sunshine Coast": "V0N",
    "West Vancouver/Bowen Island": "V7S V7T V7V V7W",
    "Richmond": "V6V V6W V6X V6Y V7A V7B V7C V7E",
    "Vancouver - Centre North": "V6A V5L V5N",
    "Vancouver - City Centre": "V6B V6C V6E V6G V6Z",
    "Vancouver - Midtown": "V5T V5V V5Y V5Z V6H",
    "Vancouver - Northeast": "V5K V5M V5R",
    "Vancouver - South": "V5P V5S V5W V5X V6P",
    "Vancouver - Westside": "V6J V6K V6L V6M V6N V6R V6S V6T",
    "Bella Coola Valley": "V0T",
    "Central Coast": "V0T",
    "Alberni/Clayoquot": "V9Y",
    "Greater Nanaimo": "V9R V9S V9T V9V V9X",
    "Oceanside": "V9K V9P",
    "Comox Valley": "V9J V9M V9N",
    "Greater Campbell River": "V9H V9W",
    "Vancouver Island West": "V0P",
    "Greater Victoria": "V8N V8P V8R V8S V8T V8V V8W V8X V8Z V9A",
    "Saanich Peninsula": "V8L V8M V8Y",
    "Southern Gulf Islands": "V0N V8K",
    "Western Communities": "V9B V9C V9E",
    "Cowichan Valley North": "V9L V0R",
}
RURAL_FSAS = {
    "Fraser": "V0M V0X",
    "Interior": "V0B V0E V0G V0H V0K",
    "Northern": "V0C V0J",
    "Vancouver Coastal": "V0N",
    "Vancouver Island": "V0R V0N",
}
AREA_CODES = {
    "Fraser": "604",
    "Vancouver Coastal": "604",
    "Interior": "250",
    "Northern": "250",
    "Vancouver Island": "250",
}
# Letters Canada Post uses in postal codes.
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _splitmix(x: np.ndarray) -> np.ndarray:
    x = x + _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * _MIX1
    x = (x ^ (x >> np.uint64(27))) * _MIX2
    return x ^ (x >> np.uint64(31))


def person_uniform(seed: int, pids: np.ndarray, salt: int) -> np.ndarray:
    """A uniform number in [0, 1) fixed for each (seed, person, salt)."""
    x = np.asarray(pids, dtype=np.int64).astype(np.uint64)
    key = _splitmix(np.array([seed * 1_000_003 + salt], dtype=np.uint64))[0]
    return (_splitmix(x ^ key) >> np.uint64(11)).astype(np.float64) * (2.0**-53)


def sample_from_weights(uniform: np.ndarray, weights: np.ndarray) -> np.ndarray:
    cdf = np.cumsum(weights) / np.sum(weights)
    return np.searchsorted(cdf, uniform, side="right").clip(max=len(weights) - 1)


class Places:
    """Per community: postal codes of its residents (FSA + a local part), a phone area code.

    Postal codes and phone numbers are picked from tables built once, so a million
    people cost a gather, not a million string formats.
    """

    LOCAL_PARTS = [
        f"{d1}{letter}{d2}" for d1 in range(10) for letter in POSTAL_LETTERS for d2 in range(10)
    ]

    def __init__(self, communities) -> None:
        fsas: list[str] = []
        self.fsa_start = np.zeros(len(communities), dtype=np.int64)
        self.fsa_count = np.zeros(len(communities), dtype=np.int64)
        for community in communities:
            options = (FSAS.get(community.name) or RURAL_FSAS[community.authority]).split()
            self.fsa_start[community.index] = len(fsas)
            self.fsa_count[community.index] = len(options)
            fsas += options
        self.postal_table = np.array(
            [f"{fsa} {local}" for fsa in fsas for local in self.LOCAL_PARTS], dtype=object
        )
        area_codes = sorted(set(AREA_CODES.values()))
        self.area_index = np.array(
            [area_codes.index(AREA_CODES[c.authority]) for c in communities], dtype=np.int64
        )
        self.phone_table = np.array(
            [f"({code}) 555-01{line:02d}" for code in area_codes for line in range(100)],
            dtype=object,
        )


def birth_days(
    seed: int, pids: np.ndarray, age_weights: np.ndarray, reference_day: int
) -> np.ndarray:
    """Days since 1970-01-01 of each person's birth, their age on reference_day drawn
    from age_weights (single years 0-99)."""
    age_years = sample_from_weights(person_uniform(seed, pids, 2), age_weights)
    day_in_year = (person_uniform(seed, pids, 3) * 365).astype(np.int64)
    return reference_day - age_years * 365 - age_years // 4 - day_in_year


def sexes(seed: int, pids: np.ndarray, male_share) -> np.ndarray:
    """'M', 'F' or (rarely) 'X' per person."""
    u = person_uniform(seed, pids, 1)
    out = np.where(u < male_share, "M", "F").astype("<U1")
    out[person_uniform(seed, pids, 9) < 0.003] = "X"
    return out


def health_numbers(pids: np.ndarray) -> list[str]:
    """10 digits starting 9999 (9998 for the second million people, and so on)."""
    return thousands_texts(pids, lambda h: f"{9999 - h // 1000} {h % 1000:03d} ")


def family_names(pids: np.ndarray, variants: np.ndarray) -> list[str]:
    """Synthetic-004821, or as a clerk might mistype it (variants 0-3; -1 as it is)."""
    names = number_texts(pids, prefix=f"{FAMILY_PREFIX}-", width=6)
    for i in np.flatnonzero(variants >= 0).tolist():
        pid, kind = int(pids[i]), int(variants[i])
        number = f"{pid:06d}"
        names[i] = [
            f"Synthetik-{number}",
            f"{FAMILY_PREFIX} {number}",
            f"{FAMILY_PREFIX}-{number[:-2]}{number[-1]}{number[-2]}",
            f"{FAMILY_PREFIX}-{pid}",
        ][kind]
    return names


def postal_codes(seed: int, pids: np.ndarray, communities: np.ndarray, places: Places) -> list:
    fsa = places.fsa_start[communities] + (
        person_uniform(seed, pids, 5) * places.fsa_count[communities]
    ).astype(np.int64)
    local = (person_uniform(seed, pids, 6) * len(Places.LOCAL_PARTS)).astype(np.int64)
    return places.postal_table[fsa * len(Places.LOCAL_PARTS) + local].tolist()


def phones(seed: int, pids: np.ndarray, communities: np.ndarray, places: Places) -> list:
    line = (person_uniform(seed, pids, 7) * 100).astype(np.int64)
    return places.phone_table[places.area_index[communities] * 100 + line].tolist()


def given_name_indices(seed: int, pids: np.ndarray) -> np.ndarray:
    return (person_uniform(seed, pids, 4) * len(GIVEN_NAMES)).astype(int)


@dataclass(frozen=True)
class IdentityProfile:
    """How often a source's records lack, alter or add each identifying detail."""

    unidentified: float
    missing_birth_date: float
    swapped_birth_date: float
    missing_health_number: float
    nickname: float
    family_variant: float
    missing_postal_code: float
    phone: float


ED_IDENTITY = IdentityProfile(0.01, 0.02, 0.02, 0.04, 0.08, 0.05, 0.08, 0.5)
PARAMEDIC_IDENTITY = IdentityProfile(0.05, 0.25, 0.03, 0.5, 0.15, 0.08, 0.3, 0.2)
CORONER_IDENTITY = IdentityProfile(0.005, 0.0, 0.0, 0.05, 0.0, 0.01, 0.1, 0.0)


@dataclass
class IdentityColumns:
    rows: np.ndarray  # positions in the batch
    given_name: list[str]
    family_name: list[str]
    date_of_birth: list[str | None]  # ISO dates
    health_number: list[str]
    postal_code: list[str]
    phone: list[str]


def identity_columns(
    rng: np.random.Generator,
    *,
    seed: int,
    rows: np.ndarray,
    pid: np.ndarray,
    birth: np.ndarray,
    home: np.ndarray,
    unknown_place: np.ndarray,
    profile: IdentityProfile,
    places: Places,
) -> IdentityColumns:
    """Identifying details of the people in a batch's rows, as a clerk recorded them."""
    n = len(rows)
    pid, birth, home = pid[rows], birth[rows], home[rows]
    given_index = given_name_indices(seed, pid)
    given = np.where(
        rng.random(n) < profile.nickname,
        NICKNAME_TABLE[given_index],
        GIVEN_NAME_TABLE[given_index],
    )
    variants = np.where(rng.random(n) < profile.family_variant, rng.integers(0, 4, n), -1)
    family = family_names(pid, variants)
    born = np.datetime_as_string(birth.astype("datetime64[D]")).astype(object)
    swapped = np.flatnonzero(rng.random(n) < profile.swapped_birth_date)
    for i in swapped.tolist():
        year, month, day = born[i].split("-")
        if int(day) <= 12:
            born[i] = f"{year}-{day}-{month}"
    born[rng.random(n) < profile.missing_birth_date] = None
    health = np.array(health_numbers(pid), dtype=object)
    health[rng.random(n) < profile.missing_health_number] = ""
    postal = np.array(postal_codes(seed, pid, home, places), dtype=object)
    postal[(rng.random(n) < profile.missing_postal_code) | unknown_place[rows]] = ""
    phone = np.where(
        rng.random(n) < profile.phone, np.array(phones(seed, pid, home, places), dtype=object), ""
    )
    unidentified = rng.random(n) < profile.unidentified
    family = np.array(family, dtype=object)
    given[unidentified], family[unidentified] = "Unknown", "Unidentified"
    born[unidentified], health[unidentified] = None, ""
    postal[unidentified], phone[unidentified] = "", ""
    return IdentityColumns(
        rows,
        given.tolist(),
        family.tolist(),
        born.tolist(),
        health.tolist(),
        postal.tolist(),
        phone.tolist(),
    )
