"""URLs: campaigns, plan and materials (see cairn/campaigns/urls.py)."""

from django.urls import path

from cairn.campaigns.views import campaigns

urlpatterns: list = [
    path("", campaigns.campaign_list, name="campaign_list"),
]
