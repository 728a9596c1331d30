"""Organizations, memberships and the audit log in Cairn's admin.

Organizations and memberships are changed by administrators (MANAGE_ORGANIZATIONS),
each change audited; the audit log itself can only be read.
"""

from django.contrib import admin

from cairn.access.models import AuditEvent, Membership, Organization
from cairn.access.roles import Permission
from cairn.geography.models import Jurisdiction
from cairn.web.admin_site import CairnModelAdmin, ReadOnlyModelAdmin, cairn_admin_site


@admin.register(Organization, site=cairn_admin_site)
class OrganizationAdmin(CairnModelAdmin):
    list_display = ["name", "sector", "area_covered"]
    list_filter = ["sector"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["coverage"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("coverage")

    @admin.display(description="Area covered")
    def area_covered(self, organization):
        return ", ".join(j.name for j in organization.coverage.all()) or "—"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "coverage":
            # Without the boundaries: the widget needs names, not 3 MB of GeoJSON.
            kwargs["queryset"] = Jurisdiction.objects.defer("boundary").order_by("path")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Membership, site=cairn_admin_site)
class MembershipAdmin(CairnModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role", "organization__sector"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["organization"]


@admin.register(AuditEvent, site=cairn_admin_site)
class AuditEventAdmin(ReadOnlyModelAdmin):
    view_permission = Permission.VIEW_AUDIT_LOG
    list_display = ["created_at", "actor_username", "action", "target_type", "target_id", "summary"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_username", "action", "target_id", "summary"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # the log grows without end; counting it all is slow
