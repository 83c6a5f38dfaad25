from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "zoneops.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self):
        from zoneops.indicators import sources

        sources.load_concrete()
