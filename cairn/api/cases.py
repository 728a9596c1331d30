"""API: case management (clients, episodes)."""

from ninja import Router

router = Router(tags=["cases"])
