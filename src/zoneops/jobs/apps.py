from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "zoneops.jobs"
    label = "jobs"
    verbose_name = _("background jobs")

    def ready(self):
        from zoneops.core.registries import background, ticks, writes
        from zoneops.jobs import services, start_page
        from zoneops.jobs.models import Job

        start_page.register()
        background.register_import_runner(services.import_upload)
        background.register_export_runner(services.export_list)
        background.register_work_starter(services.start_work)
        ticks.register("jobs", services.tick, order=200)
        # One write path per model (core.registries.writes): a job is started by its service only.
        writes.register(Job, create=services.start_import, update=services.cancel)
