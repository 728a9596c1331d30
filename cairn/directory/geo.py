"""Distances on the Earth: a bounding box to narrow the rows, then exact haversine.

The same haversine is written twice: in Python (tests, the detail page) and as a
database expression (search sorts by it). Django registers the math functions on
SQLite, so the expression runs on PostgreSQL and on the SQLite demo alike.
"""

import math

from django.db.models import F, FloatField, Value
from django.db.models.expressions import Expression
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) that contains every point within `km`.

    Longitude degrees shrink towards the poles; near a pole (or for a radius wider
    than the distance to it) the box spans every longitude.
    """
    d_lat = km / KM_PER_DEGREE_LATITUDE
    min_lat, max_lat = max(-90.0, lat - d_lat), min(90.0, lat + d_lat)
    cos_lat = math.cos(math.radians(max(abs(min_lat), abs(max_lat))))
    if cos_lat < 1e-6 or km / (KM_PER_DEGREE_LATITUDE * cos_lat) >= 180:
        return min_lat, max_lat, -180.0, 180.0
    d_lon = km / (KM_PER_DEGREE_LATITUDE * cos_lat)
    return min_lat, max_lat, lon - d_lon, lon + d_lon


def haversine_expression(lat: float, lon: float, *, lat_field: str, lon_field: str) -> Expression:
    """The distance in km from (lat, lon) to the row's point, as a database expression."""
    phi1 = math.radians(lat)
    phi2 = Radians(F(lat_field))
    d_phi = phi2 - Value(phi1)
    d_lambda = Radians(F(lon_field)) - Value(math.radians(lon))
    a = Power(Sin(d_phi / Value(2.0)), 2) + Value(math.cos(phi1)) * Cos(phi2) * Power(
        Sin(d_lambda / Value(2.0)), 2
    )
    return Value(2 * EARTH_RADIUS_KM) * ASin(
        Least(Sqrt(a), Value(1.0), output_field=FloatField()), output_field=FloatField()
    )


def valid_point(lat: float | None, lon: float | None) -> bool:
    return (
        lat is not None
        and lon is not None
        and math.isfinite(lat)
        and math.isfinite(lon)
        and -90 <= lat <= 90
        and -180 <= lon <= 180
    )
