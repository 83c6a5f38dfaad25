from django.contrib import admin

from zoneops.investment.models import AnnualTarget, Event, Lead, Signing


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("name", "zone", "investor_company", "method", "stage", "received_on")
    search_fields = ("name", "investor_company")
    list_filter = ("stage", "method")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("name", "zone", "kind", "date")


@admin.register(Signing)
class SigningAdmin(admin.ModelAdmin):
    list_display = ("lead", "event", "signed_on", "amount", "counted", "counted_amount")


@admin.register(AnnualTarget)
class AnnualTargetAdmin(admin.ModelAdmin):
    list_display = ("zone", "year", "signed_landed", "funds_in_place", "big_projects_started")
