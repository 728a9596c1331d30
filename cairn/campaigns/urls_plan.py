"""URLs: campaigns, plan and materials (see cairn/campaigns/urls.py)."""

from django.urls import path

from cairn.campaigns.views import campaigns, materials

urlpatterns: list = [
    path("", campaigns.campaign_list, name="campaign_list"),
    path("calendar/", campaigns.campaign_calendar, name="campaign_calendar"),
    path("new/", campaigns.campaign_new, name="campaign_new"),
    path("<int:campaign_id>/", campaigns.campaign_detail, name="campaign_detail"),
    path("<int:campaign_id>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path(
        "<int:campaign_id>/first-nations-approval/",
        campaigns.first_nations_approval,
        name="first_nations_approval",
    ),
    path("<int:campaign_id>/materials/new/", materials.material_new, name="material_new"),
    path("materials/<int:material_id>/", materials.material_detail, name="material_detail"),
    path("materials/<int:material_id>/edit/", materials.material_edit, name="material_edit"),
    path(
        "materials/<int:material_id>/transition/",
        materials.material_transition,
        name="material_transition",
    ),
    path("materials/<int:material_id>/image/", materials.material_image, name="material_image"),
]
