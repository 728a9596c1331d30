"""Public survey pages: no sign-in; an invitation token decides (see cairn/campaigns/surveys)."""

app_name = "survey"
urlpatterns: list = []
