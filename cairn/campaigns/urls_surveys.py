"""URLs: campaigns, surveys (see cairn/campaigns/urls.py)."""

urlpatterns: list = []
