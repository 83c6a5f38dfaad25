from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "zoneops.projects"
    label = "projects"
    verbose_name = _("Key projects")

    def ready(self):
        from zoneops.projects import workflow  # noqa: F401  registers the blocker loop
