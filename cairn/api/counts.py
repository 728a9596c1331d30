"""`/api/v1/counts/{code}`: counts and rates of a jurisdiction, period by period.

Read from the maintained daily counts (`cairn.surveillance.counts`), never from the
events. Viewers whose data tier there is AGGREGATE get small counts suppressed (1–4,
with complementary suppression over the periods and their total), and no rate or
share for a suppressed count, since either would give the count back.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from cairn.access.permissions import data_tier_for, has_permission, jurisdictions_visible_to
from cairn.access.roles import DataTier, Permission
from cairn.access.suppression import is_suppressed, suppress_counts
from cairn.api.errors import ErrorOut
from cairn.geography.models import Jurisdiction, Level
from cairn.surveillance.counts.queries import CountQueryError
from cairn.surveillance.counts.tables import count_table

router = Router(tags=["counts"])

UNKNOWN_PLACE = "unknown"
DEFAULT_WEEKS = 52


class CountsQuery(Schema):
    definition: str | None = Field(
        None, description="Case definition slug, e.g. opioid; empty: every event of the source."
    )
    source: str | None = Field(
        None, description="ed, paramedic, first_responder or coroner; empty: all sources."
    )
    freq: str = Field("week", description="day, week (ISO, from Monday) or month.")
    start: dt.date | None = Field(None, description="First day (default: 52 weeks before end).")
    end: dt.date | None = Field(None, description="Last day (default: today, local time).")


class RateOut(Schema):
    value: float
    low: float = Field(description="Lower 95% limit.")
    high: float = Field(description="Upper 95% limit.")


class PeriodOut(Schema):
    start: dt.date
    end: dt.date = Field(description="Last day of the period, inclusive.")
    count: int | None = Field(description="Null where suppressed (1–4, or complementary).")
    population: int | None = Field(description="All ages; the period's year or the nearest.")
    rate_per_100k_per_year: RateOut | None = Field(
        description="Per 100,000 person-years, exact Poisson 95% interval."
    )
    ed_visits: int | None = Field(
        description="Every ED visit in the period (the DOSE denominator); ED counts only."
    )
    share_per_10k_ed_visits: RateOut | None = Field(
        description="ED visits meeting the definition per 10,000 ED visits (CDC DOSE), "
        "exact binomial 95% interval."
    )


class AgeStandardizedOut(RateOut):
    events: int | None = Field(description="Events in the rate; null where suppressed.")
    unknown_age_events: int | None = Field(
        description="Events without an age, left out of the rate; null where suppressed."
    )


class PlaceOut(Schema):
    code: str
    name: str
    level: str


class CountsOut(Schema):
    jurisdiction: PlaceOut
    definition: str | None
    source: str | None
    freq: str
    start: dt.date = Field(description="First day of the first whole period.")
    end: dt.date = Field(description="Last day of the last whole period.")
    suppressed: bool = Field(description="True where small counts are hidden for you.")
    total: int | None
    total_rate_per_100k_per_year: RateOut | None
    age_standardized_rate_per_100k_per_year: AgeStandardizedOut | None = Field(
        description="Over the whole span, 2011 Canadian standard population, Fay–Feuer "
        "gamma 95% interval; null where populations by age band are not known."
    )
    age_standardized_note: str
    periods: list[PeriodOut]


def _jurisdiction_for(user, code: str) -> tuple[Jurisdiction | None, Jurisdiction]:
    """The jurisdiction (None: unknown place) and the one whose access rules apply."""
    if code == UNKNOWN_PLACE:
        province = Jurisdiction.objects.filter(level=Level.PROVINCE).order_by("pk").first()
        if province is None:
            raise Http404("No province is loaded.")
        target = None
        scope = province
    else:
        target = Jurisdiction.objects.filter(code=code).defer("boundary").first()
        if target is None:
            raise Http404(f"No jurisdiction has the code {code!r}.")
        scope = target
    if not (
        has_permission(user, Permission.VIEW_AGGREGATES, scope)
        and jurisdictions_visible_to(user).filter(pk=scope.pk).exists()
    ):
        raise PermissionDenied(f"Your organizations do not cover {scope.name}.")
    return target, scope


def _rate(rate) -> dict | None:
    return None if rate is None else {"value": rate.value, "low": rate.low, "high": rate.high}


@router.get(
    "/counts/{code}",
    response={200: CountsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="counts",
    summary="Counts, rates and intervals of a jurisdiction, period by period",
    description=(
        "`code` is a community, HSDA, health authority or province code (the province's "
        "totals include records whose place is unknown), or `unknown` for those records "
        "alone (wide-area viewers only)."
    ),
)
def counts(request, code: str, query: Query[CountsQuery]):
    user = request.auth
    target, scope = _jurisdiction_for(user, code)
    end = query.end or timezone.localdate()
    start = query.start or end - dt.timedelta(weeks=DEFAULT_WEEKS)
    if (end - start).days > 366 * 20:
        raise HttpError(422, "start to end spans more than 20 years; ask for a shorter span.")
    try:
        table = count_table(
            jurisdiction=target,
            definition=query.definition or None,
            source=query.source or None,
            freq=query.freq,
            start=start,
            end=end,
        )
    except CountQueryError as error:
        raise HttpError(422, str(error)) from error
    suppressed = data_tier_for(user, scope) in (DataTier.AGGREGATE, None)
    shown = {row.start.isoformat(): row.count for row in table.rows}
    if suppressed:
        shown = suppress_counts(shown, total_shown=True)
    periods = []
    for row in table.rows:
        count = shown[row.start.isoformat()]
        periods.append(
            {
                "start": row.start,
                "end": row.end,
                "count": count,
                "population": row.population,
                "rate_per_100k_per_year": _rate(row.rate) if count is not None else None,
                "ed_visits": row.ed_visits,
                "share_per_10k_ed_visits": _rate(row.share) if count is not None else None,
            }
        )
    total_hidden = suppressed and is_suppressed(table.total)
    standardized = table.age_standardized
    return {
        "jurisdiction": {
            "code": code if target is None else target.code,
            "name": "Unknown place" if target is None else target.name,
            "level": "unknown" if target is None else target.level,
        },
        "definition": table.definition,
        "source": table.source,
        "freq": table.freq,
        "start": table.rows[0].start,
        "end": table.rows[-1].end,
        "suppressed": suppressed,
        "total": None if total_hidden else table.total,
        "total_rate_per_100k_per_year": None if total_hidden else _rate(table.total_rate),
        "age_standardized_rate_per_100k_per_year": None
        if standardized is None or total_hidden
        else {
            **_rate(standardized),
            # The split of the total by known and unknown age could give a small count away.
            "events": None if suppressed else standardized.events,
            "unknown_age_events": None if suppressed else standardized.unknown_age_events,
        },
        "age_standardized_note": table.age_standardized_note,
        "periods": periods,
    }
