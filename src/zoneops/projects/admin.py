from django.contrib import admin

from zoneops.projects.models import Blocker, Milestone, ProgressNote, Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "zone", "type", "stage", "total_investment", "plan_year")
    search_fields = ("code", "name", "owner_name")
    list_filter = ("type", "category", "stage", "plan_year")


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("project", "name", "baseline_date", "planned_date", "actual_date")
    search_fields = ("name", "project__code")


@admin.register(Blocker)
class BlockerAdmin(admin.ModelAdmin):
    list_display = ("project", "kind", "case")
    list_filter = ("kind",)


@admin.register(ProgressNote)
class ProgressNoteAdmin(admin.ModelAdmin):
    list_display = ("project", "date", "author")
