from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "zoneops.intake"
    label = "intake"

    def ready(self) -> None:
        from zoneops.core.registries import background, writes
        from zoneops.intake import services
        from zoneops.intake.models import Document

        # One write path per model (core.registries.writes): the page, the API and imports call
        # these.
        writes.register(Document, create=services.register_document)

        background.register_work(services.REGISTER_WORK, services.register_work, kind="intake")
