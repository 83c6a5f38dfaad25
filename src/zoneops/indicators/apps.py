from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "zoneops.indicators"
    label = "indicators"
