"""Appeals on Django's admin site: read only (core.admin.read_only_domain_admins); the loop's
rules live in appeals.services."""

from django.contrib import admin

from zoneops.appeals.models import Appeal, Attachment, Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("tracking_number", "enterprise_name", "zone", "channel", "created_at")
    search_fields = ("tracking_number", "enterprise_name")
    list_filter = ("channel",)


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ("title", "zone", "category", "channel", "accept_due", "answer_due")
    search_fields = ("title",)
    list_filter = ("category", "channel")
    list_select_related = ("zone",)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("name", "appeal", "size", "created_at")
