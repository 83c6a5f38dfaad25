from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "zoneops.tasks"
    label = "tasks"
    verbose_name = _("Tasks")

    def ready(self):
        from zoneops.core.registries import writes
        from zoneops.tasks import (
            models,
            services,
            workflow,  # noqa: F401  (registers the "task" workflow)
        )

        # One write path per model (core.registries.writes): the page, the API and imports call
        # these.
        writes.register(models.Task, create=services.create_task, update=services.update_task)
        writes.register(
            models.ProgressUpdate, create=services.report_progress, update=services.report_progress
        )
        for model in (models.Campaign, models.Goal, models.Milestone):
            writes.register(model)
