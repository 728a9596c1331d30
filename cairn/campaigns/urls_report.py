"""URLs: campaigns, report (see cairn/campaigns/urls.py)."""

urlpatterns: list = []
