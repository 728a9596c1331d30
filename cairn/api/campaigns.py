"""API: campaigns (see docs/campaigns.md)."""

from ninja import Router

router = Router(tags=["campaigns"])
