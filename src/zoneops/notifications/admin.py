"""Notifications on Django's admin site: read only; routes are set on their own page and the
outbox is worked by notifications.delivery."""

from django.contrib import admin

from zoneops.notifications.models import DeliveryAttempt, Notification, OutboxMessage, Route


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ("name", "zone", "department", "channel")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("channel", "event", "status", "attempts", "next_attempt_at")
    list_filter = ("channel", "status")


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(admin.ModelAdmin):
    list_display = ("message", "time", "ok")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "title", "created_at", "read_at")
    list_filter = ("kind",)
