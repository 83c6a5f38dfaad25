from django.contrib import admin

from zoneops.indicators.models import Indicator, IndicatorValue, MonthClose, Target


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "kind", "direction", "origin", "is_active")
    list_filter = ("kind", "origin", "is_active")
    search_fields = ("code", "name")


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ("zone", "indicator", "year", "month", "value", "yoy", "needs_review")
    list_filter = ("indicator", "year", "needs_review")
    search_fields = ("zone__name", "indicator__name")
    raw_id_fields = ("zone",)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("zone", "indicator", "year", "department", "value", "growth")
    list_filter = ("indicator", "year")
    raw_id_fields = ("zone", "department")


@admin.register(MonthClose)
class MonthCloseAdmin(admin.ModelAdmin):
    list_display = ("zone", "year", "month", "is_locked", "approved_by", "reopened_by")
    list_filter = ("is_locked", "year")
    # Locking and reopening go through the services (reopening: administrators, with a reason).
    readonly_fields = ("is_locked", "approved_by", "approved_at", "reopened_by", "reopened_at")
