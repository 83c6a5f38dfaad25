from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "zoneops.hazards"
    label = "hazards"
