from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "zoneops.intake"
    label = "intake"

    def ready(self):
        from zoneops.core import background
        from zoneops.intake import services

        background.register_work(services.REGISTER_WORK, services.register_work, kind="intake")
