from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zoneops.reports"
    label = "reports"

    def ready(self):
        from zoneops.core.registries import background, writes
        from zoneops.reports import services
        from zoneops.reports.models import DispatchPack

        background.register_work(services.PACK_WORK, services.pack_work, kind="pack")
        # One write path per model (core.registries.writes): a pack is made by a job (start_pack),
        # issued
        # by issue_pack; nobody edits one.
        writes.register(DispatchPack, create=services.start_pack)
