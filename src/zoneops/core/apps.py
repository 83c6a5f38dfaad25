from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zoneops.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from zoneops.core import checks, security, signals  # noqa: F401  (connect audit and login events)
        from zoneops.core.admin import read_only_domain_admins

        read_only_domain_admins()
        from zoneops.core import deadlines

        deadlines.register_case_deadline()
        from zoneops.core import background, services

        background.register_work(
            services.ARRANGEMENT_WORK, services.arrangement_work, kind="recompute"
        )
        # django-filter names lookups in English ("is greater than or equal to") and has no
        # zh-hans catalogue: generated filter labels use these words instead.
        from django_filters.conf import settings as filter_settings

        from zoneops.core.filters import VERBOSE_LOOKUPS

        filter_settings.VERBOSE_LOOKUPS = VERBOSE_LOOKUPS

        from zoneops.core import services, writes
        from zoneops.core.models import Department, Zone

        # One write path per model (core.writes): the page, the API and imports call these.
        writes.register(
            Zone, create=services.save_zone, update=services.save_zone, delete=services.delete_zone
        )
        writes.register(Department)
