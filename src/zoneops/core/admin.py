from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

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
