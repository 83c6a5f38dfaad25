from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zoneops.reports"
    label = "reports"

    def ready(self):
        from zoneops.core import background
        from zoneops.reports import services

        background.register_work(services.PACK_WORK, services.pack_work, kind="pack")
