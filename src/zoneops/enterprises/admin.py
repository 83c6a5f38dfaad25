from django.contrib import admin

from zoneops.enterprises.models import (
    Certification,
    Enterprise,
    IndustrialChain,
    Industry,
    MonthApproval,
    MonthlyFigure,
)


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "section")
    search_fields = ("code", "name")
    list_filter = ("level", "section")


@admin.register(IndustrialChain)
class IndustrialChainAdmin(admin.ModelAdmin):
    list_display = ("name", "zone")
    search_fields = ("name",)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "zone", "status", "above_scale")
    search_fields = ("name", "uscc")
    list_filter = ("status", "above_scale")
    raw_id_fields = ("industry", "chain", "zone")


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "kind", "level", "issued_on", "expires_on")
    list_filter = ("kind", "level")
    raw_id_fields = ("enterprise",)


@admin.register(MonthlyFigure)
class MonthlyFigureAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "year", "month", "main_revenue")
    raw_id_fields = ("enterprise",)


@admin.register(MonthApproval)
class MonthApprovalAdmin(admin.ModelAdmin):
    list_display = ("zone", "year", "month", "approved")
