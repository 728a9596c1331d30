"""URLs: campaigns, evaluation (see cairn/campaigns/urls.py)."""

urlpatterns: list = []
