"""API: campaigns_report (see docs/campaigns.md)."""

from ninja import Router

router = Router(tags=["campaigns_report"])
