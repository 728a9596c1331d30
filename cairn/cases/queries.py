"""Reads of case data. Callers pass the user; results come back already scoped.

Finding the people who may be a given person (the duplicate check, search) lives in
`cairn.cases.candidates`; it is re-exported here with the other reads.
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.cases import matching
from cairn.cases.access import care_team_communities
from cairn.cases.candidates import (  # noqa: F401 (re-exported reads)
    CANDIDATE_LIMIT,
    DUPLICATE_RESULTS,
    Candidate,
    CandidateSearch,
    find_candidates,
)
from cairn.cases.models import (
    HEALTH_NUMBER_KINDS,
    Client,
    ClientContact,
    ClientIdentifier,
    ClientMerge,
    ClientName,
    ContactMethod,
    EpisodeSource,
    IdentityLink,
    NameKind,
    OverdoseEpisode,
    SetAside,
)
from cairn.surveillance.models import CaseDefinition, Event, EventMatch, Source

SEARCH_RESULTS = 25
OVERDOSE_DEFINITION = "all_drug"


# What a client looks like to the matcher ----------------------------------------------


def _birth_year(date_of_birth, approximate_age, age_recorded_on) -> int | None:
    if date_of_birth is None and approximate_age is not None:
        recorded = age_recorded_on or timezone.localdate()
        return matching.birth_year_from_age(approximate_age, recorded)
    return None


def person_details(
    client: Client,
    names: Iterable[ClientName],
    identifiers: Iterable[ClientIdentifier] = (),
    contacts: Iterable[ClientContact] = (),
) -> matching.PersonDetails:
    return matching.PersonDetails(
        names=tuple(matching.Name(n.given_name, n.family_name, n.kind) for n in names),
        date_of_birth=client.date_of_birth,
        birth_year=_birth_year(
            client.date_of_birth, client.approximate_age, client.age_recorded_on
        ),
        sex=client.sex,
        health_numbers=tuple(i.value for i in identifiers if i.kind in HEALTH_NUMBER_KINDS),
        phones=tuple(
            matching.normalize_phone(c.value)
            for c in contacts
            if c.method in (ContactMethod.PHONE, ContactMethod.TEXT)
            and c.active
            and matching.normalize_phone(c.value)
        ),
    )


def person_from_identity(identity, event) -> matching.PersonDetails:
    """Who an ED visit or paramedic report names (its EventIdentity, read through
    `cairn.cases.access.get_source_record_for_user`), for the matcher."""
    if identity is None:
        return matching.PersonDetails()
    names = ()
    if identity.given_name or identity.family_name:
        names = (matching.Name(identity.given_name, identity.family_name, "legal"),)
    number = matching.normalize_health_number(identity.health_number)
    return matching.PersonDetails(
        names=names,
        date_of_birth=identity.date_of_birth,
        sex=event.sex if event.sex in ("F", "M", "X") else "",
        health_numbers=(number,) if number else (),
        phones=(matching.normalize_phone(identity.phone),) if identity.phone else (),
    )


def details_of(client: Client) -> matching.PersonDetails:
    return person_details(
        client, client.names.all(), client.identifiers.all(), client.contacts.all()
    )


# Search ------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DMY_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_NUMBER = re.compile(r"^[\d\s-]{6,}$")


@dataclass(frozen=True)
class SearchTerms:
    names: tuple[str, ...] = ()
    date_of_birth: dt.date | None = None
    health_number: str = ""

    @property
    def kinds(self) -> list[str]:
        return [
            kind
            for kind, present in (
                ("name", self.names),
                ("date_of_birth", self.date_of_birth),
                ("health_number", self.health_number),
            )
            if present
        ]

    def person(self) -> matching.PersonDetails:
        names = []
        for text in self.names:
            parts = text.split()
            if len(parts) >= 2:
                names.append(matching.Name(" ".join(parts[:-1]), parts[-1], "search"))
            elif parts:
                names.append(matching.Name(parts[0], "", "search"))
        return matching.PersonDetails(
            names=tuple(names),
            date_of_birth=self.date_of_birth,
            health_numbers=(self.health_number,) if self.health_number else (),
        )


class SearchError(ValueError):
    pass


def parse_search(text: str = "", *, date_of_birth=None, health_number: str = "") -> SearchTerms:
    """What a search box holds: a name or alias, a date of birth, a health number.

    "Jon Smith 1985-03-04", "9999 123 456" and "jay 04/03/1985" all work; separate
    fields win over what the box holds.
    """
    text = (text or "").strip()[:200]
    born = date_of_birth
    for pattern, order in ((_ISO_DATE, "ymd"), (_DMY_DATE, "dmy")):
        found = pattern.search(text)
        if found:
            parts = dict(zip(order, map(int, found.groups()), strict=True))
            try:
                found_date = dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                raise SearchError(f"{found.group(0)!r} is not a real date.") from None
            born = born or found_date
            text = (text[: found.start()] + text[found.end() :]).strip()
            break
    number = matching.normalize_health_number(health_number)
    if not number and _NUMBER.match(text):
        number, text = matching.normalize_health_number(text), ""
    names = tuple(part.strip() for part in text.split(",") if matching.name_tokens(part))
    if number and not 6 <= len(number) <= 20:
        raise SearchError("A health number has 6 to 20 letters and digits.")
    return SearchTerms(names=names, date_of_birth=born, health_number=number)


def search_clients(user, terms: SearchTerms) -> CandidateSearch:
    """Clients of the user's organizations matching the terms, best first.

    A health number is exact; names and aliases are fuzzy (spelling and sound), and
    a date of birth also finds day/month swaps. Results that share nothing with the
    terms are dropped.
    """
    result = find_candidates(user, terms.person(), limit=SEARCH_RESULTS, everything=True)
    kept = [c for c in result.candidates if c.score.decisive or _shares_something(c.score)]
    return CandidateSearch(kept, considered=result.considered, truncated=result.truncated)


def _shares_something(score: matching.MatchScore) -> bool:
    return any(reason.points > 0 for reason in score.reasons) and score.points > 0


# The worklist ------------------------------------------------------------------------

WORKLIST_DAYS = 14
WORKLIST_SOURCES = {
    Source.EMERGENCY_DEPARTMENT: "ED overdose visits",
    Source.PARAMEDIC: "Paramedic overdose reports",
}


WORKLIST_CAP = 500
# What a worklist row shows: de-identified, and no community boundary (a large GeoJSON).
WORKLIST_FIELDS = (
    "id",
    "source",
    "occurred_at",
    "facility",
    "age_band",
    "sex",
    "chief_complaint",
    "disposition",
    "community__id",
    "community__code",
    "community__name",
)


def worklist(
    user,
    *,
    source: str = Source.EMERGENCY_DEPARTMENT,
    days: int = WORKLIST_DAYS,
    community_code: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Event]:
    """New overdose records in the user's care-team communities not yet opened as cases.

    ED visits count when they meet the `all_drug` case definition; paramedic reports
    are overdose reports by nature. Records already behind an episode, or set aside by
    the team, are left out. Newest first. De-identified fields only: names are read
    on the record's own page, through the audited choke point.

    The query starts from the (community, occurred_at) index: the user's communities
    over a few days, then the definition's match for each of those visits.
    """
    communities = [
        c.pk for c in care_team_communities(user) if not community_code or c.code == community_code
    ]
    since = (now or timezone.now()) - dt.timedelta(days=days)
    events = Event.objects.filter(
        source=source, community_id__in=communities, occurred_at__gte=since
    )
    if source == Source.EMERGENCY_DEPARTMENT:
        definition = CaseDefinition.objects.filter(slug=OVERDOSE_DEFINITION).first()
        overdose = EventMatch.objects.filter(
            event=OuterRef("pk"), definition_id=definition.pk if definition else None
        )
        events = events.filter(Exists(overdose))
    opened = EpisodeSource.objects.filter(event=OuterRef("pk"))
    set_aside = SetAside.objects.filter(event=OuterRef("pk"))
    return (
        events.exclude(Exists(opened))
        .exclude(Exists(set_aside))
        .select_related("community")
        .only(*WORKLIST_FIELDS)
        .order_by("-occurred_at", "-pk")
    )


def waiting_ids(user, **filters) -> list[int]:
    """The ids of the records on the worklist, newest first, up to WORKLIST_CAP + 1 (one
    more tells that there are more): one query, no models."""
    return list(worklist(user, **filters).values_list("pk", flat=True)[: WORKLIST_CAP + 1])


def worklist_records(ids: Sequence[int]) -> list[Event]:
    """The worklist rows of these records (a page of `waiting_ids`), newest first."""
    return list(
        Event.objects.filter(pk__in=list(ids))
        .select_related("community")
        .only(*WORKLIST_FIELDS)
        .order_by("-occurred_at", "-pk")
    )


def without_boundary(relation: str) -> list[str]:
    """Fields to defer when joining a community: its boundary is a large GeoJSON."""
    return [f"{relation}__boundary"]


# One client --------------------------------------------------------------------------


NAME_ORDER = {NameKind.LEGAL: 0, NameKind.PREFERRED: 1, NameKind.ALIAS: 2, NameKind.FORMER: 3}


def names_in_order(names: Iterable[ClientName]) -> list[ClientName]:
    """Legal name first, then preferred names, aliases and former names, oldest first."""
    return sorted(names, key=lambda n: (NAME_ORDER.get(n.kind, 9), n.pk))


def display_name_for(names: Sequence[ClientName]) -> str:
    """Preferred name, else legal name, else the first alias."""
    for kind in (NameKind.PREFERRED, NameKind.LEGAL, NameKind.ALIAS, NameKind.FORMER):
        for name in names:
            if name.kind == kind and name.text:
                return name.text[:200]
    return "Unnamed person"


def episodes_of(client: Client) -> list[OverdoseEpisode]:
    sources = EpisodeSource.objects.select_related("event").order_by("linked_at")
    return list(
        client.episodes.select_related("community", "organization")
        .defer(*without_boundary("community"))
        .prefetch_related(Prefetch("sources", queryset=sources))
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # created, episode, source, merge, identity, name
    title: str
    detail: str = ""
    link: str = ""


def timeline_for(client: Client, episodes: Sequence[OverdoseEpisode]) -> list[TimelineEntry]:
    """Everything on the record, newest first: episodes and their source records,
    identity links, names added, merges (and undone merges), risk assessments, group
    placements, follow-up clocks, attempts and escalations, the care plan, opioid
    agonist treatment (episodes started and stopped, derived stops, missed-dose runs),
    supporters and their consents given or revoked, and care alerts."""
    entries = [
        TimelineEntry(
            client.created_at,
            "created",
            "Record created",
            f"by {client.created_by.get_username()}" if client.created_by else "",
        ),
    ]
    for episode in episodes:
        entries.append(
            TimelineEntry(
                episode.occurred_at,
                "episode",
                f"Overdose: {episode.get_origin_display().lower()}",
                f"{episode.community.name if episode.community else 'Place unknown'}; "
                f"case opened by {episode.organization.name}",
            )
        )
        for source in episode.sources.all():
            event = source.event
            entries.append(
                TimelineEntry(
                    source.linked_at,
                    "source",
                    f"{event.get_source_display()} linked to the episode",
                    f"{event.facility or 'facility not given'}, "
                    f"{timezone.localtime(event.occurred_at):%Y-%m-%d %H:%M}; disposition "
                    f"{event.get_disposition_display().lower()}; linked by {source.linked_by}",
                )
            )
    for link in client.identity_links.all():
        entries.append(
            TimelineEntry(
                link.linked_at,
                "identity",
                "Identity linked with consent",
                f"{link.get_consent_method_display()}; added {', '.join(link.added) or 'nothing'}; "
                f"by {link.linked_by}",
            )
        )
    for name in client.names.all():
        if name.added_at > client.created_at + dt.timedelta(seconds=5):
            entries.append(
                TimelineEntry(
                    name.added_at,
                    "name",
                    f"{name.get_kind_display()} added",
                    f"{name.text}{'; ' + name.source if name.source else ''}; by {name.added_by}",
                )
            )
    merges = ClientMerge.objects.filter(survivor=client) | ClientMerge.objects.filter(merged=client)
    for merge in merges.select_related("survivor", "merged"):
        if merge.survivor_id == client.pk:
            title = f"Record {merge.merged_id} merged into this record"
        else:
            title = f"Merged into record {merge.survivor_id}"
        detail = f"{merge.reason}; by {merge.merged_by}"
        folded = len(merge.moved.get("kept_apart", []))
        if folded:
            detail += (
                f"; {folded} record(s) held by both (same drug and day, diagnosis, supporter "
                f"account) folded into record {merge.survivor_id}'s, the other kept on "
                f"record {merge.merged_id}"
            )
        entries.append(TimelineEntry(merge.merged_at, "merge", title, detail))
        if merge.undone_at:
            entries.append(
                TimelineEntry(
                    merge.undone_at,
                    "merge",
                    "Merge undone",
                    f"{merge.undo_reason}; by {merge.undone_by}",
                )
            )
    # Risk assessments, group placements, follow-up clocks, attempts and escalations.
    from cairn.cases.followups import care_timeline_entries

    entries.extend(care_timeline_entries(client))
    from cairn.cases.plans import plan_timeline_entries  # the care plan (cases-plan)

    entries.extend(plan_timeline_entries(client))
    # OAT episodes (started, stopped, derived stops), missed-dose runs, supporters and
    # their consents, care alerts (cases-treatment).
    from cairn.cases.treatment.timeline import timeline_entries as treatment_entries

    entries.extend(treatment_entries(client))
    return sorted(entries, key=lambda e: e.at, reverse=True)


@dataclass(frozen=True)
class AccessLogLine:
    """One line of "who opened or changed this record": a run of the same event folded."""

    latest: AuditEvent
    times: int
    earliest_at: dt.datetime


def access_log_for(client: Client, *, limit: int = 20, scan: int = 500) -> list[AccessLogLine]:
    """Who opened or changed this record, newest first, from the audit events about it.

    Every read stays in the audit log; for reading, a run of the same person doing the
    same thing back to back (one line per page or htmx load) is folded into one line
    that says how many times and since when.
    """
    events = AuditEvent.objects.filter(target_type="cases.client", target_id=str(client.pk))
    lines: list[AccessLogLine] = []
    for event in events[:scan]:
        last = lines[-1] if lines else None
        if last and (last.latest.actor_username, last.latest.summary) == (
            event.actor_username,
            event.summary,
        ):
            lines[-1] = AccessLogLine(last.latest, last.times + 1, event.created_at)
            continue
        if len(lines) == limit:
            break
        lines.append(AccessLogLine(event, 1, event.created_at))
    return lines


def merges_for(client: Client) -> list[ClientMerge]:
    return list(
        (
            ClientMerge.objects.filter(survivor=client) | ClientMerge.objects.filter(merged=client)
        ).select_related("survivor", "merged")
    )


def identity_links_for(client: Client) -> list[IdentityLink]:
    return list(client.identity_links.all())
