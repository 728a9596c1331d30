"""API: counts."""

from ninja import Router

router = Router(tags=["counts"])
