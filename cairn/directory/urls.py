"""Pages of the directory app; included at "directory/".

Public (no sign-in): the search and each listing's page. For listing keepers and
curators: "Your listings", editing, capacity and confirmation. For curators: HSDS
import and export.
"""

from django.urls import path

from cairn.directory.views import hsds, keepers, public

app_name = "directory"

urlpatterns = [
    path("", public.search, name="search"),
    path("services/<int:service_id>/", public.service_detail, name="service_detail"),
    path("yours/", keepers.my_listings, name="my_listings"),
    path("services/<int:service_id>/edit/", keepers.listing_edit, name="listing_edit"),
    path("services/<int:service_id>/capacity/", keepers.capacity_update, name="capacity_update"),
    path("services/<int:service_id>/confirm/", keepers.listing_confirm, name="listing_confirm"),
    # HSDS 3.0 import and export, for curators (cairn/directory/views/hsds.py).
    path("hsds/", hsds.hsds_home, name="hsds_home"),
    path("hsds/import/", hsds.hsds_import, name="hsds_import"),
    path("hsds/imports/<int:import_id>/", hsds.hsds_import_detail, name="hsds_import_detail"),
    path("hsds/export/<str:fmt>/", hsds.hsds_export, name="hsds_export"),
]
