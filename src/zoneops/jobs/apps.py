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

        from zoneops.core import writes
        from zoneops.jobs.models import Job

        # One write path per model (core.writes): a job is started by its service only.
        writes.register(Job, create=services.start_import, update=services.cancel)
