from django.urls import include, path

from cairn.web.admin_site import cairn_admin_site

urlpatterns = [
    path("", include("cairn.web.urls")),
    path("api/v1/", include("cairn.api.urls")),
    path("report/", include("cairn.surveillance.urls_intake")),
    path("surveillance/", include("cairn.surveillance.urls_definitions")),
    path("intake/", include("cairn.surveillance.urls_quarantine")),
    path("alerts/", include("cairn.surveillance.urls_alerts")),
    path("surveillance/dashboard/", include("cairn.surveillance.urls_dashboards")),
    path("surveillance/ranking/", include("cairn.surveillance.urls_ranking")),
    path("public/", include("cairn.surveillance.urls_public")),
    path("cases/", include("cairn.cases.urls")),
    path("directory/", include("cairn.directory.urls")),
    path("referrals/", include("cairn.referrals.urls")),
    path("teams/", include("cairn.outreach.urls")),
    path("campaigns/", include("cairn.campaigns.urls")),
    path("survey/", include("cairn.campaigns.urls_public")),
    path("admin/", cairn_admin_site.urls),
]
