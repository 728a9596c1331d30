"""Pages of outreach encounters (owned by "enc"); included by cairn/outreach/urls.py under
/teams/ in the "outreach" namespace, so names are outreach:<name>."""

urlpatterns: list = []
