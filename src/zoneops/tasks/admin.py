from django.contrib import admin

from zoneops.tasks.models import Campaign, Goal, Milestone, ProgressUpdate, Task


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "zone", "kind", "starts_on", "ends_on")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "measure", "target_value", "achieved", "unit")


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "zone", "campaign", "lead_unit", "deadline", "progress")
    search_fields = ("title",)
    # The loop case is opened by services.create_task; the admin does not create tasks.
    readonly_fields = ("case",)

    def has_add_permission(self, request):
        return False


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("name", "task", "due_on", "done_on")


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ("task", "cycle", "reported_on", "progress")
