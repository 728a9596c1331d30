"""Reads of places: hierarchy, populations, neighbours, grouped lists.

Geography is the lowest app and knows nothing of users: pages and the API open a
community through `cairn.access.places.get_community_for_user`, the choke point
that adds the "not yours" check to `get_community` here.
"""

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from cairn.geography.models import ALL_AGES, Jurisdiction, Level, Population, Sex


def get_community(code: str) -> Jurisdiction:
    """The community with this code, with its ancestors; Http404 if there is none."""
    community = (
        Jurisdiction.objects.filter(code=code, level=Level.COMMUNITY)
        .select_related("parent__parent__parent")
        .first()
    )
    if community is None:
        raise Http404(f"No community has the code {code!r}.")
    return community


def ancestors_of(jurisdiction: Jurisdiction) -> list[Jurisdiction]:
    """From the province down to the jurisdiction's parent, in one query."""
    codes = jurisdiction.path.split("/")[:-1]
    return list(Jurisdiction.objects.filter(code__in=codes).order_by("path").defer("boundary"))


def _all_ages_both_sexes(populations: QuerySet[Population]) -> QuerySet[Population]:
    return populations.filter(sex=Sex.ALL, age_band=ALL_AGES)


def populations_by_year(jurisdiction: Jurisdiction) -> list[Population]:
    """The jurisdiction's total population, one figure a year, oldest first."""
    return list(_all_ages_both_sexes(jurisdiction.populations.all()).order_by("year"))


def same_area_neighbours(community: Jurisdiction, *, bounds: tuple[float, float, float, float]):
    """Other communities of the community's HSDA whose boundary reaches into `bounds`.

    `bounds` is (min_lon, min_lat, max_lon, max_lat); comparing the stored
    bounding boxes keeps far-away boundaries out of the query's result.
    """
    min_lon, min_lat, max_lon, max_lat = bounds
    return (
        Jurisdiction.objects.filter(parent_id=community.parent_id, level=Level.COMMUNITY)
        .exclude(pk=community.pk)
        .filter(boundary__isnull=False)
        .filter(
            min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat
        )
        .order_by("name")
    )


@dataclass
class CommunityRow:
    code: str
    name: str
    population: int | None
    population_year: int | None
    population_is_estimate: bool


@dataclass
class AreaGroup:
    """One health service delivery area and its communities."""

    name: str
    communities: list[CommunityRow] = field(default_factory=list)


@dataclass
class AuthorityGroup:
    name: str
    areas: list[AreaGroup] = field(default_factory=list)

    @property
    def community_count(self) -> int:
        return sum(len(area.communities) for area in self.areas)


def communities_grouped(
    communities: QuerySet[Jurisdiction], *, search: str = ""
) -> list[AuthorityGroup]:
    """Communities by health authority and HSDA, with their latest population.

    One query: the latest all-ages population and its year come from subqueries.
    """
    latest = _all_ages_both_sexes(Population.objects.filter(jurisdiction=OuterRef("pk"))).order_by(
        "-year"
    )
    communities = (
        communities.select_related("parent__parent")
        .defer("boundary", "parent__boundary", "parent__parent__boundary")
        .annotate(
            latest_population=Subquery(latest.values("population")[:1]),
            latest_population_year=Subquery(latest.values("year")[:1]),
            latest_population_is_estimate=Subquery(latest.values("is_estimate")[:1]),
        )
        .order_by("parent__parent__name", "parent__name", "name")
    )
    if search.strip():
        communities = communities.filter(name__icontains=search.strip())

    groups = []
    for authority, in_authority in groupby(communities, key=lambda c: c.parent.parent.name):
        group = AuthorityGroup(name=authority)
        for area, in_area in groupby(in_authority, key=lambda c: c.parent.name):
            group.areas.append(
                AreaGroup(
                    name=area,
                    communities=[
                        CommunityRow(
                            code=c.code,
                            name=c.name,
                            population=c.latest_population,
                            population_year=c.latest_population_year,
                            population_is_estimate=bool(c.latest_population_is_estimate),
                        )
                        for c in in_area
                    ],
                )
            )
        groups.append(group)
    return groups
