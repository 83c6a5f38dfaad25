from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "zoneops.jobs"
    label = "jobs"
    verbose_name = _("background jobs")

    def ready(self):
        from zoneops.core import background
        from zoneops.jobs import services

        background.register_import_runner(services.import_upload)
        background.register_export_runner(services.export_list)
        background.register_work_starter(services.start_work)

        from zoneops.core import ticks

        ticks.register("jobs", services.tick, order=200)
