"""API: campaigns_evaluation (see docs/campaigns.md)."""

from ninja import Router

router = Router(tags=["campaigns_evaluation"])
