from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "zoneops.tasks"
    label = "tasks"
    verbose_name = _("Tasks")

    def ready(self):
        from zoneops.tasks import workflow  # noqa: F401  (registers the "task" workflow)
