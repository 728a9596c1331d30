"""Places in Cairn's admin, read-only: they change only through `cairn load-geography`,
which keeps the hierarchy, paths, bounds and populations consistent."""

from django.contrib import admin

from cairn.geography.models import Jurisdiction, Population
from cairn.web.admin_site import ReadOnlyModelAdmin, cairn_admin_site


@admin.register(Jurisdiction, site=cairn_admin_site)
class JurisdictionAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    # The boundary is up to 250 KB of GeoJSON: the community page draws it instead.
    fields = ["name", "code", "level", "parent", "path", "min_lon", "min_lat", "max_lon", "max_lat"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("boundary", "parent__boundary")


@admin.register(Population, site=cairn_admin_site)
class PopulationAdmin(ReadOnlyModelAdmin):
    list_display = ["jurisdiction", "year", "sex", "age_band", "population", "is_estimate"]
    list_filter = ["year", "is_estimate", "sex", "jurisdiction__level"]
    search_fields = ["jurisdiction__name"]
    list_select_related = ["jurisdiction"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("jurisdiction__boundary")
