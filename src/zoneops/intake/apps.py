from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "zoneops.intake"
    label = "intake"
