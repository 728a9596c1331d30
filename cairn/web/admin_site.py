"""Django admin, reachable only by users whose role grants USE_ADMIN."""

from django.contrib import admin

from cairn.access.permissions import has_permission
from cairn.access.roles import Permission


class CairnAdminSite(admin.AdminSite):
    site_header = "Cairn administration"
    site_title = "Cairn administration"
    index_title = "Organizations, people and places"

    def has_permission(self, request):
        return request.user.is_active and has_permission(request.user, Permission.USE_ADMIN)


cairn_admin_site = CairnAdminSite(name="admin")
