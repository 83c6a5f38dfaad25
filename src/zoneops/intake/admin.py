"""Intake on Django's admin site: read only; reading and accepting live in intake.services."""

from django.contrib import admin

from zoneops.intake.models import Document, Statement


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "zone", "created_at")
    search_fields = ("title",)


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ("document", "subject", "indicator", "value")
    search_fields = ("subject", "indicator")
