"""Django admin, reachable only by users whose role grants USE_ADMIN.

Access comes from Cairn's roles, never from Django's `is_staff` flag or model
permissions:

- a signed-in member without USE_ADMIN gets Cairn's 403 page at every /admin/ URL;
- an anonymous visitor is sent to Cairn's own sign-in page (/login/?next=/admin/...),
  so every sign-in, also an administrator's, is audited the same way;
- changes need MANAGE_ORGANIZATIONS, and each save or delete writes an audit event
  in the same transaction as the change.
"""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from cairn.access.audit import record_audit_event
from cairn.access.permissions import has_permission
from cairn.access.roles import Permission
from cairn.web.auth import SignOutView

REFUSAL = "Cairn's administration is open only to administrators."


class CairnAdminSite(admin.AdminSite):
    site_header = "Cairn administration"
    site_title = "Cairn administration"
    index_title = "Organizations, people and places"

    def has_permission(self, request):
        return request.user.is_active and has_permission(request.user, Permission.USE_ADMIN)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if not self.has_permission(request):
                if request.user.is_authenticated:
                    raise PermissionDenied(REFUSAL)
                return redirect_to_login(request.get_full_path())
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, view)

    def login(self, request, extra_context=None):
        """Cairn's sign-in page is the only one; it audits every attempt."""
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied(REFUSAL)
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url)

    def logout(self, request, extra_context=None):
        return SignOutView.as_view()(request)


cairn_admin_site = CairnAdminSite(name="admin")


def _shown(value) -> object:
    """A form value as the audit log keeps it: text, or a list of texts for many-to-many."""
    if hasattr(value, "all") and callable(value.all):
        return sorted(str(item) for item in value.all())
    if isinstance(value, list | tuple | set):
        return sorted(str(item) for item in value)
    return value if isinstance(value, bool | int | float | type(None)) else str(value)


class CairnModelAdmin(admin.ModelAdmin):
    """Admin pages whose access comes from Cairn's roles, and whose writes are audited.

    Viewing needs USE_ADMIN (plus `view_permission` when set); adding, changing
    and deleting also need `change_permission`.
    """

    view_permission: Permission = Permission.USE_ADMIN
    change_permission: Permission = Permission.MANAGE_ORGANIZATIONS

    def _may_view(self, request) -> bool:
        user = request.user
        return has_permission(user, Permission.USE_ADMIN) and has_permission(
            user, self.view_permission
        )

    def _may_change(self, request) -> bool:
        return self._may_view(request) and has_permission(request.user, self.change_permission)

    def has_module_permission(self, request):
        return self._may_view(request)

    def has_view_permission(self, request, obj=None):
        return self._may_view(request)

    def has_add_permission(self, request):
        return self._may_change(request)

    def has_change_permission(self, request, obj=None):
        return self._may_change(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_change(request)

    def _label(self) -> str:
        return str(self.model._meta.verbose_name)

    def save_model(self, request, obj, form, change):
        # changeform_view already runs in a transaction; this one joins it.
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record_audit_event(
                actor=request.user,
                action="admin.change" if change else "admin.add",
                target=obj,
                summary=f"{'Changed' if change else 'Added'} {self._label()} “{obj}” in admin",
                details={
                    "changed": {
                        name: _shown(form.cleaned_data.get(name)) for name in form.changed_data
                    }
                },
            )

    def _record_deletion(self, request, obj) -> None:
        record_audit_event(
            actor=request.user,
            action="admin.delete",
            target=obj,
            summary=f"Deleted {self._label()} “{obj}” in admin",
        )

    def delete_model(self, request, obj):
        with transaction.atomic():
            self._record_deletion(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self._record_deletion(request, obj)
            super().delete_queryset(request, queryset)


class ReadOnlyModelAdmin(CairnModelAdmin):
    """For records that change only through Cairn's own actions or loaders."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
