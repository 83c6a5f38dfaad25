from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "zoneops.appeals"
    label = "appeals"
