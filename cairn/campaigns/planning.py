"""Planning campaigns: creating and changing them, the list's filters and the month calendar.

Writes are plain functions (keyword-only, atomic, audited in the same transaction) that
the pages, the API and the demo loader share. Each checks the actor through
`cairn.campaigns.access` itself. A creation carries an idempotency key: the same key from
the same actor returns the campaign the first request made (a double click, a retry after
a lost answer). Bad input raises CampaignError naming the field at fault; nothing is
changed then.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

from cairn.access.audit import actor_name, record_audit_event
from cairn.access.models import Organization
from cairn.campaigns import access
from cairn.campaigns.models.campaigns import (
    Audience,
    Campaign,
    CampaignAudience,
    CampaignChannel,
    Channel,
    Frame,
)
from cairn.geography.models import Jurisdiction


class CampaignError(ValidationError):
    """The change cannot be made as asked. `field` names the input at fault."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message, code=field)
        self.field = field

    def __str__(self) -> str:
        return self.message


# Input -------------------------------------------------------------------------------


def clean(value) -> str:
    """Input as text: stripped, without NUL characters (PostgreSQL refuses them)."""
    return "" if value is None else str(value).replace("\x00", "").strip()


def text(value, field: str, label: str, limit: int, *, required: bool = True) -> str:
    value = clean(value)
    if required and not value:
        raise CampaignError(f"{label}: this is required.", field)
    if len(value) > limit:
        raise CampaignError(f"{label}: at most {limit} characters.", field)
    return value


def date_of(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    value = "" if value is None else str(value).strip()
    if not value:
        raise CampaignError(f"{label}: this is required.", field)
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise CampaignError(f"{label}: give a date like 2026-01-31.", field)
    return parsed


def money_of(value, field: str, label: str) -> Decimal | None:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        value = "" if value is None else str(value).strip().replace(",", "").replace("$", "")
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise CampaignError(f"{label}: give an amount like 25000 or 1500.50.", field) from None
    if not number.is_finite() or number < 0:
        raise CampaignError(f"{label}: give an amount of 0 or more.", field)
    if number >= Decimal("1e10"):
        raise CampaignError(f"{label}: too large.", field)
    return number.quantize(Decimal("0.01"))


def choice(value, field: str, label: str, choices) -> str:
    value = clean(value)
    allowed = [v for v, _ in choices]
    if value not in allowed:
        raise CampaignError(f"{label}: choose one of {', '.join(allowed)}.", field)
    return value


def choices_of(values, field: str, label: str, choices, *, required: bool = True) -> list[str]:
    if isinstance(values, str):
        values = [v for v in values.replace(",", " ").split() if v]
    allowed = [v for v, _ in choices]
    chosen = []
    for value in values or []:
        value = clean(value)
        if not value:
            continue
        if value not in allowed:
            raise CampaignError(f"{label}: {value!r} is not one of {', '.join(allowed)}.", field)
        if value not in chosen:
            chosen.append(value)
    if required and not chosen:
        raise CampaignError(f"{label}: choose at least one.", field)
    return [v for v in allowed if v in chosen]


def id_of(value) -> int | None:
    """A row number from input, or None when it cannot be one (never a database error)."""
    value = clean(value)
    return int(value) if value.isdigit() and len(value) <= 12 else None


def _system(actor) -> bool:
    """A named system (the demo loader, a command at the shell): trusted as an operator."""
    return isinstance(actor, str)


def creation_key(actor, kind: str, key: str | None) -> str | None:
    """The stored form of an idempotency key: per actor and kind of creation."""
    key = clean(key)
    if not key:
        return None
    return f"{getattr(actor, 'pk', '') or actor_name(actor)}:campaign-{kind}:{key}"[:120]


def audit(actor, campaign: Campaign, action: str, summary: str, **details) -> None:
    record_audit_event(
        actor=actor,
        action=f"campaigns.{action}",
        target_type="campaigns.campaign",
        target_id=str(campaign.pk),
        summary=summary,
        details=details,
    )


# Choices the form offers ---------------------------------------------------------------


def communities_for(organization: Organization) -> QuerySet[Jurisdiction]:
    """Regions and communities an organization's campaign may run in: its coverage and
    everything inside it (a ministry covering the province: every jurisdiction)."""
    paths = list(organization.coverage.values_list("path", flat=True))
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path=path) | Q(path__startswith=path + "/")
    return Jurisdiction.objects.filter(condition).defer("boundary").order_by("path")


def owners_for(organization: Organization):
    """People who may own a campaign of the organization: its members."""
    return (
        get_user_model()
        .objects.filter(memberships__organization=organization, is_active=True)
        .distinct()
        .order_by("username")
    )


def _organization(actor, organization) -> Organization:
    allowed = None if _system(actor) else access.organizations_for_new_campaigns(actor)
    if organization in (None, ""):
        if allowed is None or not allowed:
            raise CampaignError(
                "Organization: choose the organization that runs it.", "organization"
            )
        organization = allowed[0]
    if isinstance(organization, Organization):
        found = organization
    elif (number := id_of(organization)) is not None:
        found = Organization.objects.filter(pk=number).first()
    else:
        found = Organization.objects.filter(slug=clean(organization)[:120]).first()
    if found is None:
        raise CampaignError(f"Organization: no organization {organization!r}.", "organization")
    if allowed is not None and found.pk not in allowed:
        raise PermissionDenied(
            "You may plan campaigns only for your own organization (manage_campaigns)."
        )
    return found


def _communities(organization: Organization, values) -> list[Jurisdiction]:
    if isinstance(values, str):
        values = [v for v in values.replace(",", " ").split() if v]
    values = [clean(v)[:120] for v in (values or []) if clean(v)]
    if not values:
        raise CampaignError("Communities: choose at least one region or community.", "communities")
    allowed = communities_for(organization)
    found = []
    for value in values:
        number = id_of(value)
        lookup = {"pk": number} if number is not None else {"code": value}
        community = allowed.filter(**lookup).first()
        if community is None:
            if Jurisdiction.objects.filter(**lookup).exists():
                raise CampaignError(
                    f"Communities: {value!r} is outside what {organization.name} covers.",
                    "communities",
                )
            raise CampaignError(f"Communities: no region or community {value!r}.", "communities")
        if community not in found:
            found.append(community)
    return found


def _owner(organization: Organization, owner, actor):
    if owner in (None, ""):
        if _system(actor):
            raise CampaignError("Owner: choose the person responsible.", "owner")
        owner = actor
    User = get_user_model()
    if not isinstance(owner, User):
        value = clean(owner)[:150]
        query = owners_for(organization)
        number = id_of(value)
        owner = (
            query.filter(pk=number).first()
            if number is not None
            else query.filter(username=value).first()
        )
        if owner is None:
            raise CampaignError(
                f"Owner: {value!r} is not a member of {organization.name}.", "owner"
            )
    elif not owners_for(organization).filter(pk=owner.pk).exists():
        raise CampaignError(
            f"Owner: {owner.get_username()} is not a member of {organization.name}.", "owner"
        )
    return owner


@dataclass
class PlanInput:
    name: str
    objective: str
    frame: str
    audiences: list[str]
    channels: list[str]
    starts_on: dt.date
    ends_on: dt.date
    budget: Decimal | None
    partners: str


def _plan_input(
    *, name, objective, frame, audiences, channels, starts_on, ends_on, budget, partners
) -> PlanInput:
    plan = PlanInput(
        name=text(name, "name", "Name", 200),
        objective=text(objective, "objective", "Objective", 4000),
        frame=choice(frame, "frame", "Frame", Frame.choices),
        audiences=choices_of(audiences, "audiences", "Audiences", Audience.choices),
        channels=choices_of(channels, "channels", "Channels", Channel.choices),
        starts_on=date_of(starts_on, "starts_on", "Starts on"),
        ends_on=date_of(ends_on, "ends_on", "Ends on"),
        budget=money_of(budget, "budget", "Budget"),
        partners=text(partners, "partners", "Partners", 4000, required=False),
    )
    if plan.ends_on < plan.starts_on:
        raise CampaignError(
            "Ends on: the campaign must end on or after the day it starts.", "ends_on"
        )
    if plan.starts_on.year < 2000 or plan.ends_on.year > 2100:
        raise CampaignError("Starts on: give a date between 2000 and 2100.", "starts_on")
    return plan


def _set_rows(campaign: Campaign, plan: PlanInput, communities) -> None:
    campaign.communities.set(communities)
    campaign.audiences.exclude(audience__in=plan.audiences).delete()
    have = set(campaign.audiences.values_list("audience", flat=True))
    CampaignAudience.objects.bulk_create(
        [CampaignAudience(campaign=campaign, audience=a) for a in plan.audiences if a not in have]
    )
    campaign.channels.exclude(channel__in=plan.channels).delete()
    have = set(campaign.channels.values_list("channel", flat=True))
    CampaignChannel.objects.bulk_create(
        [CampaignChannel(campaign=campaign, channel=c) for c in plan.channels if c not in have]
    )


# Writes --------------------------------------------------------------------------------


@transaction.atomic
def create_campaign(
    *,
    actor,
    name,
    objective,
    frame,
    audiences,
    channels,
    communities,
    starts_on,
    ends_on,
    budget=None,
    partners="",
    organization=None,
    owner=None,
    idempotency_key: str = "",
) -> Campaign:
    """Plan a campaign for one of the actor's organizations. The same idempotency key
    from the same actor returns the campaign the first request made."""
    if not _system(actor) and not access.may_plan(actor):
        raise PermissionDenied("Only communications staff (manage_campaigns) plan campaigns.")
    key = creation_key(actor, "campaign", idempotency_key)
    if key and (existing := Campaign.objects.filter(creation_key=key).first()):
        return existing
    organization = _organization(actor, organization)
    plan = _plan_input(
        name=name,
        objective=objective,
        frame=frame,
        audiences=audiences,
        channels=channels,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        partners=partners,
    )
    chosen = _communities(organization, communities)
    owner = _owner(organization, owner, actor)
    same = Campaign.objects.filter(organization=organization, name__iexact=plan.name)
    if same.filter(starts_on=plan.starts_on, ends_on=plan.ends_on).exists() and not key:
        # The same plan sent again without a key (a form re-posted by the browser).
        return same.filter(starts_on=plan.starts_on, ends_on=plan.ends_on).first()
    if same.exists():
        raise CampaignError(
            f"Name: {organization.name} already has a campaign named {plan.name!r}.", "name"
        )
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                name=plan.name,
                objective=plan.objective,
                frame=plan.frame,
                organization=organization,
                owner=owner,
                starts_on=plan.starts_on,
                ends_on=plan.ends_on,
                budget=plan.budget,
                partners=plan.partners,
                created_by=owner if _system(actor) else actor,
                creation_key=key,
            )
    except IntegrityError:
        if key and (existing := Campaign.objects.filter(creation_key=key).first()):
            return existing
        raise
    _set_rows(campaign, plan, chosen)
    audit(
        actor,
        campaign,
        "campaign.create",
        f"Planned campaign {campaign.name}",
        organization=organization.name,
        starts_on=str(plan.starts_on),
        ends_on=str(plan.ends_on),
    )
    return campaign


@transaction.atomic
def update_campaign(
    *,
    actor,
    campaign: Campaign,
    name,
    objective,
    frame,
    audiences,
    channels,
    communities,
    starts_on,
    ends_on,
    budget=None,
    partners="",
    owner=None,
) -> Campaign:
    """Change a campaign's plan (its organization stays)."""
    if not _system(actor) and not access.may_manage(actor, campaign):
        raise PermissionDenied("Only the organization that runs this campaign may change it.")
    plan = _plan_input(
        name=name,
        objective=objective,
        frame=frame,
        audiences=audiences,
        channels=channels,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        partners=partners,
    )
    organization = campaign.organization
    chosen = _communities(organization, communities)
    owner = _owner(organization, owner or campaign.owner, actor)
    if (
        Campaign.objects.filter(organization=organization, name__iexact=plan.name)
        .exclude(pk=campaign.pk)
        .exists()
    ):
        raise CampaignError(
            f"Name: {organization.name} already has a campaign named {plan.name!r}.", "name"
        )
    before = {
        "name": campaign.name,
        "starts_on": str(campaign.starts_on),
        "ends_on": str(campaign.ends_on),
        "audiences": sorted(campaign.audience_keys),
    }
    for attribute in ("name", "objective", "frame", "starts_on", "ends_on", "budget", "partners"):
        setattr(campaign, attribute, getattr(plan, attribute))
    campaign.owner = owner
    campaign.save()
    _set_rows(campaign, plan, chosen)
    audit(actor, campaign, "campaign.update", f"Changed campaign {campaign.name}", before=before)
    return campaign


# The list's filters --------------------------------------------------------------------

PHASES = [("planned", "Planned"), ("running", "Running"), ("ended", "Ended")]


@dataclass
class CampaignFilter:
    """The filters a list request asked for, the campaigns they leave, and any filter
    that could not be read (by name, with a message)."""

    campaigns: QuerySet
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)


def filter_campaigns(campaigns: QuerySet, params, *, today: dt.date | None = None):
    """Apply the list's filters: frame, audience, channel, community (code: campaigns
    running there, including province- or region-wide ones), phase, organization (id),
    year (campaigns running at some time that year), q (name contains)."""
    today = today or timezone.localdate()
    values, errors = {}, {}

    def get(name):
        return clean(params.get(name, ""))

    for name, choices in (
        ("frame", Frame.choices),
        ("audience", Audience.choices),
        ("channel", Channel.choices),
        ("phase", PHASES),
    ):
        value = get(name)
        if not value:
            continue
        if value not in dict(choices):
            errors[name] = f"{name.capitalize()}: choose one of {', '.join(dict(choices))}."
            continue
        values[name] = value
    if "frame" in values:
        campaigns = campaigns.filter(frame=values["frame"])
    if "audience" in values:
        campaigns = campaigns.filter(audiences__audience=values["audience"])
    if "channel" in values:
        campaigns = campaigns.filter(channels__channel=values["channel"])
    if "phase" in values:
        campaigns = {
            "planned": lambda q: q.filter(starts_on__gt=today),
            "running": lambda q: q.filter(starts_on__lte=today, ends_on__gte=today),
            "ended": lambda q: q.filter(ends_on__lt=today),
        }[values["phase"]](campaigns)
    if code := get("community"):
        community = Jurisdiction.objects.filter(code=code[:120]).defer("boundary").first()
        if community is None:
            errors["community"] = f"Community: no region or community {code!r}."
        else:
            values["community"] = code
            path = community.path
            prefixes = ["/".join(path.split("/")[: i + 1]) for i in range(path.count("/") + 1)]
            campaigns = campaigns.filter(
                Q(communities__path__in=prefixes) | Q(communities__path__startswith=path + "/")
            )
    if organization := get("organization"):
        if id_of(organization) is None:
            errors["organization"] = "Organization: give the organization's number."
        else:
            values["organization"] = int(organization)
            campaigns = campaigns.filter(organization_id=int(organization))
    if year := get("year"):
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            errors["year"] = "Year: give a year like 2026."
        else:
            values["year"] = int(year)
            campaigns = campaigns.filter(
                starts_on__lte=dt.date(int(year), 12, 31), ends_on__gte=dt.date(int(year), 1, 1)
            )
    if q := get("q"):
        values["q"] = q[:200]
        campaigns = campaigns.filter(name__icontains=q[:200])
    campaigns = Campaign.objects.filter(pk__in=campaigns.values("pk"))
    return CampaignFilter(campaigns=campaigns, values=values, errors=errors)


# The month calendar --------------------------------------------------------------------


@dataclass
class CalendarBar:
    campaign: Campaign
    column: int  # 1..7, Monday first
    span: int
    lane: int  # 1.. (rows inside the week)
    continues_before: bool
    continues_after: bool


@dataclass
class CalendarWeek:
    days: list[dt.date]
    bars: list[CalendarBar]
    lanes: int


@dataclass
class MonthCalendar:
    year: int
    month: int
    first: dt.date
    last: dt.date
    weeks: list[CalendarWeek]
    previous: str
    next: str
    campaigns: list[Campaign]  # those running some day of the month itself

    @property
    def title(self) -> str:
        return self.first.strftime("%B %Y")


def month_of(value: str | None, *, today: dt.date | None = None) -> tuple[int, int]:
    """A "2026-03" month; today's month when blank. Raises CampaignError naming `month`."""
    today = today or timezone.localdate()
    value = (value or "").strip()
    if not value:
        return today.year, today.month
    try:
        year, month = (int(part) for part in value.split("-"))
        dt.date(year, month, 1)
    except ValueError:
        raise CampaignError("Month: give a month like 2026-03.", "month") from None
    if not 2000 <= year <= 2100:
        raise CampaignError("Month: give a month between 2000 and 2100.", "month")
    return year, month


def month_calendar(campaigns: QuerySet, year: int, month: int) -> MonthCalendar:
    """The month as weeks (Monday first), each with its campaigns as bars across days."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    grid_start = first - dt.timedelta(days=first.weekday())
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    running = list(
        campaigns.filter(starts_on__lte=grid_end, ends_on__gte=grid_start).order_by(
            "starts_on", "name", "pk"
        )
    )
    weeks = []
    week_start = grid_start
    while week_start <= grid_end:
        week_end = week_start + dt.timedelta(days=6)
        lanes_end: list[int] = []  # the last column each lane is busy to
        bars = []
        for campaign in running:
            if campaign.ends_on < week_start or campaign.starts_on > week_end:
                continue
            start = max(campaign.starts_on, week_start)
            end = min(campaign.ends_on, week_end)
            column = (start - week_start).days + 1
            span = (end - start).days + 1
            lane = next((i for i, busy in enumerate(lanes_end) if busy < column), None)
            if lane is None:
                lanes_end.append(column + span - 1)
                lane = len(lanes_end) - 1
            else:
                lanes_end[lane] = column + span - 1
            bars.append(
                CalendarBar(
                    campaign=campaign,
                    column=column,
                    span=span,
                    lane=lane + 1,
                    continues_before=campaign.starts_on < week_start,
                    continues_after=campaign.ends_on > week_end,
                )
            )
        weeks.append(
            CalendarWeek(
                days=[week_start + dt.timedelta(days=i) for i in range(7)],
                bars=bars,
                lanes=len(lanes_end),
            )
        )
        week_start += dt.timedelta(days=7)
    previous = first - dt.timedelta(days=1)
    following = last + dt.timedelta(days=1)
    return MonthCalendar(
        year=year,
        month=month,
        first=first,
        last=last,
        weeks=weeks,
        previous=f"{previous.year}-{previous.month:02d}",
        next=f"{following.year}-{following.month:02d}",
        campaigns=[c for c in running if c.starts_on <= last and c.ends_on >= first],
    )
