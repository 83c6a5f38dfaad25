from django.contrib import admin

from zoneops.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Background jobs, to look at: they are started, run and cancelled by ``jobs.services``
    (read only on the admin site, with every domain record: core.admin.read_only_domain_admins)."""

    list_display = ("title", "kind", "state", "user", "zone", "created_at", "finished_at")
    list_filter = ("kind", "state")
    search_fields = ("title", "file_name")
    raw_id_fields = ("user", "zone")
    readonly_fields = [field.name for field in Job._meta.fields]
