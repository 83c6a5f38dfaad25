from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "zoneops.notifications"
    label = "notifications"
