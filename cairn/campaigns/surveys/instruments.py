"""Instruments as data: check a structure, save it, copy it, and read it back.

A structure is plain data, the same from the page (lines of text), the API (JSON) and
the catalogue:

    {"options": [(1, "Strongly disagree"), ...],
     "items": [{"code": "q1", "wording": "...", "reverse_scored": False}, ...],
     "subscales": [{"key": "...", "name": "...", "scoring": "mean",
                    "min_answered": None, "items": ["q1", "q2"]}, ...],
     "total_scoring": "mean" | "sum" | "", "total_min_answered": None}

Every problem names where it is ("Items, line 3: ..."). Once an instrument has
responses its scoring cannot change (stored scores would stop meaning the same thing):
names, wording and notes may still be corrected; anything else needs a copy.

Who sees which instrument: the one Cairn ships, and those of the organizations the
user plans campaigns for (`cairn.campaigns.access.organizations_for_new_campaigns`).
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from cairn.access.audit import record_audit_event
from cairn.campaigns.access import organizations_for_new_campaigns
from cairn.campaigns.models.surveys import (
    Instrument,
    InstrumentItem,
    Response,
    ResponseOption,
    Scoring,
    Subscale,
)

CODE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
#: Columns of the survey-panel CSV; an item may not be named like one.
RESERVED_CODES = frozenset({"wave", "group", "segment", "panel_id", "submitted_on"})
MAX_ITEMS = 200
SCORINGS = {s.value for s in Scoring}


class InstrumentError(Exception):
    """Refused structure: `problems` is a list of (field, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


@dataclass
class Structure:
    options: list[tuple[int, str]]
    items: list[dict]
    subscales: list[dict]
    total_scoring: str = ""
    total_min_answered: int | None = None


# Reading and access --------------------------------------------------------------------


def instruments_for(user) -> QuerySet[Instrument]:
    organizations = organizations_for_new_campaigns(user)
    return Instrument.objects.filter(
        Q(organization_id__in=organizations) | ~Q(shipped_key="")
    ).select_related("organization")


def may_change_instrument(user, instrument: Instrument) -> bool:
    return (
        not instrument.is_shipped
        and instrument.organization_id in organizations_for_new_campaigns(user)
    )


def get_instrument_for(user, instrument_id) -> Instrument:
    try:
        return instruments_for(user).get(pk=int(instrument_id))
    except (Instrument.DoesNotExist, TypeError, ValueError):
        raise Http404("No such instrument.") from None


def has_responses(instrument: Instrument) -> bool:
    return Response.objects.filter(survey__instrument=instrument).exists()


def structure_of(instrument: Instrument) -> Structure:
    items = list(instrument.items.order_by("position"))
    return Structure(
        options=list(instrument.options.order_by("value").values_list("value", "label")),
        items=[
            {"code": i.code, "wording": i.wording, "reverse_scored": i.reverse_scored}
            for i in items
        ],
        subscales=[
            {
                "key": s.key,
                "name": s.name,
                "scoring": s.scoring,
                "min_answered": s.min_answered,
                "items": [i.code for i in sorted(s.items.all(), key=lambda i: i.position)],
            }
            for s in instrument.subscales.prefetch_related("items").order_by("position", "key")
        ],
        total_scoring=instrument.total_scoring,
        total_min_answered=instrument.total_min_answered,
    )


# Text lines, as on the page ------------------------------------------------------------


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("|")]


def _lines(text: str):
    for number, line in enumerate((text or "").splitlines(), start=1):
        if line.strip() and not line.strip().startswith("#"):
            yield number, line


def parse_text(*, options: str, items: str, subscales: str) -> tuple[Structure, list]:
    """The page's three text boxes as a structure, and the problems met reading them.

    options:   "1 | Strongly disagree" per line
    items:     "q1 | wording | R" per line (R: reverse-scored; the wording may be empty)
    subscales: "key | name | mean or sum | minimum answered (may be empty) | q1, q2, q3"
    """
    problems: list[tuple[str, str]] = []
    parsed_options = []
    for number, line in _lines(options):
        cells = _cells(line)
        if len(cells) != 2:
            problems.append(("options", f"Options, line {number}: write “value | label”."))
            continue
        try:
            parsed_options.append((int(cells[0]), cells[1]))
        except ValueError:
            problems.append(
                (
                    "options",
                    f"Options, line {number}: the value “{cells[0]}” is not a whole number.",
                )
            )
    parsed_items = []
    for number, line in _lines(items):
        cells = _cells(line) + ["", ""]
        flag = cells[2].upper()
        if flag not in ("", "R"):
            problems.append(
                ("items", f"Items, line {number}: the third part is “R” (reverse-scored) or empty.")
            )
        parsed_items.append(
            {"code": cells[0], "wording": cells[1], "reverse_scored": flag == "R", "line": number}
        )
    parsed_subscales = []
    for number, line in _lines(subscales):
        cells = _cells(line)
        if len(cells) != 5:
            problems.append(
                (
                    "subscales",
                    f"Subscales, line {number}: write “key | name | mean or sum | "
                    "minimum answered | item codes”.",
                )
            )
            continue
        key, name, scoring, minimum, members = cells
        min_answered = None
        if minimum:
            try:
                min_answered = int(minimum)
            except ValueError:
                problems.append(
                    (
                        "subscales",
                        f"Subscales, line {number}: the minimum “{minimum}” is not a whole number.",
                    )
                )
        parsed_subscales.append(
            {
                "key": key,
                "name": name,
                "scoring": scoring.lower(),
                "min_answered": min_answered,
                "items": [c.strip() for c in members.split(",") if c.strip()],
                "line": number,
            }
        )
    return Structure(parsed_options, parsed_items, parsed_subscales), problems


def structure_as_text(structure: Structure) -> dict[str, str]:
    return {
        "options": "\n".join(f"{value} | {label}" for value, label in structure.options),
        "items": "\n".join(
            f"{i['code']} | {i['wording']}" + (" | R" if i["reverse_scored"] else "")
            for i in structure.items
        ),
        "subscales": "\n".join(
            f"{s['key']} | {s['name']} | {s['scoring']} | {s['min_answered'] or ''} | "
            + ", ".join(s["items"])
            for s in structure.subscales
        ),
    }


# Checking -------------------------------------------------------------------------------


def _where(kind: str, entry: dict, index: int) -> str:
    return f"{kind}, line {entry.get('line', index + 1)}"


def check_structure(structure: Structure) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    values = [value for value, _ in structure.options]
    if len(values) < 2:
        problems.append(("options", "Options: give at least two answers, e.g. 1 to 5."))
    if len(set(values)) != len(values):
        problems.append(("options", "Options: each value may appear once."))
    for value, label in structure.options:
        if not label:
            problems.append(("options", f"Options: the value {value} needs a label."))
    if not structure.items:
        problems.append(("items", "Items: give at least one item."))
    if len(structure.items) > MAX_ITEMS:
        problems.append(("items", f"Items: at most {MAX_ITEMS}."))
    codes = set()
    for index, item in enumerate(structure.items):
        where = _where("Items", item, index)
        code = item.get("code", "")
        if not CODE.match(code):
            problems.append(
                (
                    "items",
                    f"{where}: the code “{code}” must start with a lower-case letter and use "
                    "only lower-case letters, digits and _ (at most 30).",
                )
            )
        elif code in RESERVED_CODES:
            problems.append(
                ("items", f"{where}: “{code}” is a column of the CSV import; choose another code.")
            )
        elif code in codes:
            problems.append(("items", f"{where}: the code “{code}” is used twice."))
        codes.add(code)
    keys = set()
    for index, subscale in enumerate(structure.subscales):
        where = _where("Subscales", subscale, index)
        key = subscale.get("key", "")
        if not CODE.match(key):
            problems.append(
                ("subscales", f"{where}: the key “{key}” uses lower-case letters, digits and _.")
            )
        elif key in keys or key == "total":
            problems.append(("subscales", f"{where}: the key “{key}” is taken."))
        keys.add(key)
        if not subscale.get("name"):
            problems.append(("subscales", f"{where}: give the subscale a name."))
        if subscale.get("scoring") not in SCORINGS:
            problems.append(("subscales", f"{where}: scoring is “mean” or “sum”."))
        members = subscale.get("items", [])
        if not members:
            problems.append(("subscales", f"{where}: list the codes of its items."))
        unknown = [c for c in members if c not in codes]
        if unknown:
            problems.append(
                ("subscales", f"{where}: no item has the code " + ", ".join(unknown) + ".")
            )
        minimum = subscale.get("min_answered")
        if minimum is not None and not 1 <= minimum <= len(members):
            problems.append(
                ("subscales", f"{where}: the minimum answered is between 1 and {len(members)}.")
            )
    if structure.total_scoring not in SCORINGS | {""}:
        problems.append(("total_scoring", "Total: scoring is “mean”, “sum” or none."))
    minimum = structure.total_min_answered
    if minimum is not None and not 1 <= minimum <= max(1, len(structure.items)):
        problems.append(
            (
                "total_min_answered",
                f"Total: the minimum answered is between 1 and {len(structure.items)}.",
            )
        )
    return problems


def readiness_problems(instrument: Instrument) -> list[str]:
    """What keeps a survey from asking this instrument: wording still to enter (a
    catalogue structure starts without it), or nothing scored."""
    problems = []
    missing = items_missing_wording(instrument)
    if missing:
        problems.append(
            "Enter the (licensed) wording of item"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing)
            + "."
        )
    if not instrument.total_scoring and not instrument.subscales.exists():
        problems.append("Choose how to score it: a total, or at least one subscale.")
    return problems


def _scoring_part(structure: Structure) -> tuple:
    return (
        sorted(structure.options),
        [(i["code"], bool(i["reverse_scored"])) for i in structure.items],
        [
            (s["key"], s["scoring"], s["min_answered"], tuple(s["items"]))
            for s in structure.subscales
        ],
        structure.total_scoring,
        structure.total_min_answered,
    )


# Writing -----------------------------------------------------------------------------


INFO_FIELDS = ("name", "abbreviation", "description", "source_note", "higher_means")


def _write_structure(instrument: Instrument, structure: Structure) -> None:
    instrument.subscales.all().delete()
    instrument.items.all().delete()
    instrument.options.all().delete()
    ResponseOption.objects.bulk_create(
        ResponseOption(instrument=instrument, value=value, label=label)
        for value, label in structure.options
    )
    items = InstrumentItem.objects.bulk_create(
        InstrumentItem(
            instrument=instrument,
            code=item["code"],
            position=position,
            wording=item.get("wording", ""),
            reverse_scored=bool(item.get("reverse_scored")),
        )
        for position, item in enumerate(structure.items, start=1)
    )
    by_code = {item.code: item for item in items}
    for position, part in enumerate(structure.subscales, start=1):
        subscale = Subscale.objects.create(
            instrument=instrument,
            key=part["key"],
            name=part["name"],
            position=position,
            scoring=part["scoring"],
            min_answered=part.get("min_answered"),
        )
        subscale.items.set([by_code[code] for code in part["items"]])


def save_instrument(
    *,
    user,
    info: dict,
    structure: Structure,
    instrument: Instrument | None = None,
    organization_id: int | None = None,
    shipped_key: str = "",
) -> Instrument:
    """Create (`instrument` None) or change an instrument; InstrumentError when refused."""
    problems = []
    if not (info.get("name") or "").strip():
        problems.append(("name", "Give the instrument a name."))
    problems += check_structure(structure)
    if instrument is not None and instrument.is_shipped:
        problems.append(("__all__", "The instrument Cairn ships cannot be changed; copy it."))
    locked = instrument is not None and has_responses(instrument)
    if locked and _scoring_part(structure) != _scoring_part(structure_of(instrument)):
        problems.append(
            (
                "__all__",
                "This instrument has responses, so its options, items, reverse scoring and "
                "subscales cannot change (stored scores would no longer mean the same). "
                "Wording and names may be corrected; copy the instrument to change its scoring.",
            )
        )
    if problems:
        raise InstrumentError(problems)
    with transaction.atomic():
        creating = instrument is None
        if creating:
            instrument = Instrument(
                organization_id=organization_id,
                created_by=user if getattr(user, "is_authenticated", False) else None,
                shipped_key=shipped_key,
            )
        for name in INFO_FIELDS:
            setattr(instrument, name, (info.get(name) or "").strip())
        instrument.total_scoring = structure.total_scoring
        instrument.total_min_answered = structure.total_min_answered
        instrument.save()
        if locked:
            wording = {i["code"]: i.get("wording", "") for i in structure.items}
            for item in instrument.items.all():
                if item.wording != wording[item.code]:
                    item.wording = wording[item.code]
                    item.save(update_fields=["wording"])
            for subscale in instrument.subscales.all():
                name = next(s["name"] for s in structure.subscales if s["key"] == subscale.key)
                if subscale.name != name:
                    subscale.name = name
                    subscale.save(update_fields=["name"])
            labels = dict(structure.options)
            for option in instrument.options.all():
                if option.label != labels[option.value]:
                    option.label = labels[option.value]
                    option.save(update_fields=["label"])
        else:
            _write_structure(instrument, structure)
        record_audit_event(
            actor=user if getattr(user, "is_authenticated", False) else "cairn",
            action="campaigns.instrument_created" if creating else "campaigns.instrument_changed",
            target=instrument,
            summary=f"Survey instrument {instrument.name}",
        )
    return instrument


def copy_instrument(*, user, instrument: Instrument, organization_id: int) -> Instrument:
    info = {name: getattr(instrument, name) for name in INFO_FIELDS}
    info["name"] = f"{instrument.name} (copy)"[:200]
    return save_instrument(
        user=user, info=info, structure=structure_of(instrument), organization_id=organization_id
    )


def items_missing_wording(instrument: Instrument) -> list[str]:
    return list(instrument.items.filter(wording="").values_list("code", flat=True))
