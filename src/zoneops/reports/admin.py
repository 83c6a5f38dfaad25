"""Dispatch packs on Django's admin site: read only; packs are made by reports.services."""

from django.contrib import admin

from zoneops.reports.models import DispatchPack


@admin.register(DispatchPack)
class DispatchPackAdmin(admin.ModelAdmin):
    list_display = ("zone", "year", "month", "created_at")
