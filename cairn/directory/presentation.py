"""How listings read on a page: opening hours in words, language names, the
last-verified line. Pure functions of the rows, no queries."""

import datetime as dt

from cairn.directory.listings import stale_days

DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

# Languages people in BC ask for most often, by ISO 639 code; others show their code.
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "pa": "Punjabi",
    "zh": "Chinese",
    "zh-hans": "Chinese (simplified)",
    "zh-hant": "Chinese (traditional)",
    "yue": "Cantonese",
    "cmn": "Mandarin",
    "tl": "Tagalog",
    "fil": "Filipino",
    "es": "Spanish",
    "fa": "Farsi",
    "ko": "Korean",
    "vi": "Vietnamese",
    "ar": "Arabic",
    "hi": "Hindi",
    "ru": "Russian",
    "uk": "Ukrainian",
    "de": "German",
    "ja": "Japanese",
    "cr": "Cree",
    "crk": "Plains Cree",
    "oj": "Ojibwe",
    "crx": "Dakelh (Carrier)",
    "chp": "Dene (Dënesųłiné)",
    "hur": "Halkomelem",
    "squ": "Squamish",
    "lil": "St'at'imcets (Lillooet)",
    "shs": "Secwepemctsín (Shuswap)",
    "oka": "Nsyilxcən (Okanagan)",
    "git": "Gitxsan",
    "ncg": "Nisga'a",
    "tsi": "Sm'algyax (Tsimshian)",
    "hei": "Heiltsuk",
    "kwk": "Kwak'wala",
    "kut": "Ktunaxa",
    "nuk": "Nuu-chah-nulth",
    "hai": "Haida",
    "ase": "American Sign Language",
}


def language_name(code: str, given_name: str = "") -> str:
    if given_name:
        return given_name
    return LANGUAGE_NAMES.get((code or "").lower(), code or "")


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for index in sorted(set(indexes)):
        if runs and index == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def days_in_words(byday: str) -> str:
    """ "MO,TU,WE,TH,FR" -> "Mon–Fri"; "SA,SU" -> "Sat–Sun"; every day -> "Every day"."""
    codes = [c.strip().upper()[-2:] for c in (byday or "").split(",") if c.strip()]
    indexes = [DAY_CODES.index(c) for c in codes if c in DAY_CODES]
    if len(set(indexes)) == 7:
        return "Every day"
    parts = []
    for start, end in _runs(indexes):
        if start == end:
            parts.append(DAY_NAMES[start])
        elif end == start + 1:
            parts.append(f"{DAY_NAMES[start]}, {DAY_NAMES[end]}")
        else:
            parts.append(f"{DAY_NAMES[start]}–{DAY_NAMES[end]}")
    return ", ".join(parts)


def _time(text: str) -> str:
    text = (text or "").strip()
    try:
        value = dt.time.fromisoformat(text[:8] if len(text) >= 8 else text)
    except ValueError:
        return text
    return value.strftime("%H:%M")


def schedule_in_words(schedule) -> str:
    """One HSDS schedule as a line: "Mon–Fri 09:00–17:00", or its description."""
    days = days_in_words(schedule.byday) if schedule.freq.upper() in ("WEEKLY", "") else ""
    times = ""
    if schedule.opens_at and schedule.closes_at:
        opens, closes = _time(schedule.opens_at), _time(schedule.closes_at)
        times = "24 hours" if opens == closes == "00:00" else f"{opens}–{closes}"
        if opens != closes and closes <= opens and closes != "00:00":
            times += " (next day)"
    line = (", " if times == "24 hours" else " ").join(p for p in (days, times) if p)
    if schedule.description:
        line = f"{line} · {schedule.description}" if line else schedule.description
    return line or "Hours not given"


def age_range(minimum, maximum) -> str:
    def whole(value):
        return int(value) if value is not None and float(value).is_integer() else value

    minimum, maximum = whole(minimum), whole(maximum)
    if minimum is not None and maximum is not None:
        return f"Ages {minimum} to {maximum}"
    if minimum is not None:
        return f"Ages {minimum} and over"
    if maximum is not None:
        return f"Ages up to {maximum}"
    return ""


def verified_in_words(assured: dt.date | None, today: dt.date) -> str:
    if assured is None:
        return "Never verified"
    days = (today - assured).days
    if days <= 0:
        return "Verified today"
    if days == 1:
        return "Verified yesterday"
    return f"Verified {days} days ago ({assured:%Y-%m-%d})"


def stale_rule_in_words() -> str:
    return (
        f"Listings not confirmed by their organization for {stale_days()} days may be out of date."
    )
