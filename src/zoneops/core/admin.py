from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from zoneops.core.access.permissions import role_may
from zoneops.core.models import Department, ObjectChange, User, Zone


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("zoneops"), {"fields": ("role", "zones", "department", "phone")}),
    )
    list_display = ("username", "last_name", "first_name", "role", "is_active")
    list_filter = ("role", "is_active", "zones")
    filter_horizontal = ("zones", "groups", "user_permissions")
    # 三员分立: the system administrator creates accounts; roles and zone grants are the
    # security administrator's (/security/, core.accounts.services.grant_access); permissions,
    # groups
    # and the superuser flag are changed by nobody here. A new account is zone staff without
    # zones until the security administrator grants them.
    ACCESS_FIELDS = (
        "role",
        "zones",
        "is_superuser",
        "is_staff",
        "groups",
        "user_permissions",
        "last_login",
        "date_joined",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = self.ACCESS_FIELDS
        if obj is not None and obj.pk == request.user.pk:
            fields = (*fields, "is_active")  # nobody locks or unlocks itself
        return fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.role == "admin"

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request) and (obj is None or obj.pk != request.user.pk)


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "division_code")
    search_fields = ("code", "name")
    list_filter = ("kind",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "zone", "code")
    search_fields = ("name",)


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited or deleted by anyone."""

    list_display = ("time", "user_name", "action", "content_type", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "user_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # 三员分立: the audit log is the audit administrator's (the /audit/ pages), not the
        # system administrator's, superuser or not.
        return role_may(request.user, "view", ObjectChange)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


def read_only_domain_admins(site=admin.site) -> None:
    """Domain records are read only on Django's admin site (called once the site is filled).

    Their rules (closed loops, approvals, four eyes, locked months) live in the services that
    the pages and the API call; the admin site would skip them, and 三员分立 keeps the system
    administrator to accounts, zones and departments.
    """
    from django.conf import settings

    def deny(*args, **kwargs):
        return False

    for model, model_admin in site._registry.items():
        label = model._meta.app_label
        if label in settings.ZONEOPS_APPS and label != "core":
            model_admin.has_add_permission = deny
            model_admin.has_change_permission = deny
            model_admin.has_delete_permission = deny
