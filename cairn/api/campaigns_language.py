"""API: campaigns_language (see docs/campaigns.md)."""

from ninja import Router

router = Router(tags=["campaigns_language"])
