from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zoneops.reports"
    label = "reports"
