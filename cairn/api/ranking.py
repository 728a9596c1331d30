"""API: ranking."""

from ninja import Router

router = Router(tags=["ranking"])
