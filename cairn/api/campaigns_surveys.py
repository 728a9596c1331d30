"""API: campaigns_surveys (see docs/campaigns.md)."""

from ninja import Router

router = Router(tags=["campaigns_surveys"])
