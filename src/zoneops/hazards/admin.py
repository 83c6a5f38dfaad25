"""Hazards on Django's admin site: read only; the rectification loop lives in hazards.services."""

from django.contrib import admin

from zoneops.hazards.models import Hazard, HazardPhoto, InspectionRound


@admin.register(InspectionRound)
class InspectionRoundAdmin(admin.ModelAdmin):
    list_display = ("title", "zone", "planned_on", "done_on")
    search_fields = ("title",)


@admin.register(Hazard)
class HazardAdmin(admin.ModelAdmin):
    list_display = ("title", "zone", "level", "category", "found_on", "deadline")
    search_fields = ("title",)
    list_filter = ("level", "category")
    list_select_related = ("zone",)


@admin.register(HazardPhoto)
class HazardPhotoAdmin(admin.ModelAdmin):
    list_display = ("name", "hazard", "size", "created_at")
