from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zoneops.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from zoneops.core import security, signals  # noqa: F401  (connect audit and login events)
