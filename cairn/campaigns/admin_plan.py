"""Campaign materials, their workflow history and First Nations decisions in Cairn's admin,
read only: they change only through `cairn.campaigns.materials`, which records each move
and audits it. (Loaded by cairn/campaigns/admin.py.)"""

from django.contrib import admin

from cairn.campaigns.models.materials import FirstNationsApproval, Material, MaterialTransition
from cairn.web.admin_site import ReadOnlyModelAdmin, cairn_admin_site


@admin.register(Material, site=cairn_admin_site)
class MaterialAdmin(ReadOnlyModelAdmin):
    list_display = ["title", "campaign", "kind", "status", "revision", "updated_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "campaign__name"]
    list_select_related = ["campaign"]
    exclude = ["creation_key"]


@admin.register(MaterialTransition, site=cairn_admin_site)
class MaterialTransitionAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "material", "from_status", "to_status", "revision", "by_name", "note"]
    list_filter = ["to_status"]
    search_fields = ["material__title", "by_name", "note"]
    list_select_related = ["material"]


@admin.register(FirstNationsApproval, site=cairn_admin_site)
class FirstNationsApprovalAdmin(ReadOnlyModelAdmin):
    list_display = ["decided_at", "campaign", "decision", "organization", "decided_by"]
    list_filter = ["decision"]
    list_select_related = ["campaign", "organization", "decided_by"]
    exclude = ["creation_key"]
