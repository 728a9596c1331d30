"""URLs: campaigns, language (see cairn/campaigns/urls.py)."""

urlpatterns: list = []
