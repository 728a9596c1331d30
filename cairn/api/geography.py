"""`/api/v1/communities`: the communities a user's organizations cover."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from ninja import Field, Router, Schema

from cairn.access.permissions import communities_visible_to, has_permission
from cairn.access.places import get_community_for_user
from cairn.access.roles import Permission
from cairn.api.errors import ErrorOut
from cairn.geography.models import ALL_AGES, Jurisdiction, Population, Sex
from cairn.geography.queries import populations_by_year

router = Router(tags=["geography"])


class PlaceOut(Schema):
    code: str
    name: str


class PopulationOut(Schema):
    year: int
    population: int
    is_estimate: bool = Field(description="True where the figure was derived, not published.")
    source: str


class CommunityOut(Schema):
    code: str
    name: str
    hsda: PlaceOut | None = Field(description="Health service delivery area.")
    health_authority: PlaceOut | None
    latest_population: PopulationOut | None = Field(
        description="All ages and sexes, most recent year; null where no figure is known."
    )


class CommunityDetailOut(CommunityOut):
    populations: list[PopulationOut] = Field(description="All ages and sexes, by year.")
    boundary: dict[str, Any] | None = Field(
        description="GeoJSON geometry (Polygon or MultiPolygon), EPSG:4326."
    )
    bbox: list[float] | None = Field(description="[min_lon, min_lat, max_lon, max_lat]")


def _list_with_yearly_totals(communities: QuerySet[Jurisdiction]) -> QuerySet[Jurisdiction]:
    """Two queries for the whole list; boundaries stay in the database until asked for."""
    totals = Population.objects.filter(sex=Sex.ALL, age_band=ALL_AGES).order_by("year")
    return (
        communities.select_related("parent__parent")
        .defer("boundary", "parent__boundary", "parent__parent__boundary")
        .prefetch_related(Prefetch("populations", queryset=totals, to_attr="yearly_totals"))
    )


def _place(jurisdiction: Jurisdiction | None) -> dict | None:
    return None if jurisdiction is None else {"code": jurisdiction.code, "name": jurisdiction.name}


def _community_out(community: Jurisdiction, totals: list[Population]) -> dict:
    hsda = community.parent
    return {
        "code": community.code,
        "name": community.name,
        "hsda": _place(hsda),
        "health_authority": _place(hsda.parent if hsda else None),
        "latest_population": totals[-1] if totals else None,
    }


@router.get(
    "/communities",
    response={200: list[CommunityOut], 401: ErrorOut, 403: ErrorOut},
    url_name="community_list",
    summary="Communities the user's organizations cover",
)
def community_list(request):
    if not has_permission(request.auth, Permission.VIEW_COMMUNITY):
        raise PermissionDenied(
            "None of your roles lets you view communities; ask a Cairn administrator "
            "to add you to your organization."
        )
    communities = _list_with_yearly_totals(communities_visible_to(request.auth)).order_by("name")
    return [_community_out(community, community.yearly_totals) for community in communities]


@router.get(
    "/communities/{code}",
    response={200: CommunityDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    url_name="community_detail",
    summary="One community: its place, population by year and boundary",
)
def community_detail(request, code: str):
    # Http404 (unknown code) and PermissionDenied (not covered) become JSON in cairn.api.errors.
    community = get_community_for_user(request.auth, code)
    totals = populations_by_year(community)
    bbox = [community.min_lon, community.min_lat, community.max_lon, community.max_lat]
    return {
        **_community_out(community, totals),
        "populations": totals,
        "boundary": community.boundary,
        "bbox": bbox if None not in bbox else None,
    }
