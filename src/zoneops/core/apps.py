from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zoneops.core"
    label = "core"
    verbose_name = _("Core")
    # Where core keeps the modules that ``registries.app_modules`` looks up in every app at
    # its top level (``zoneops.<app>.reporting``, ``.demo``, ``.generate``, ``.filters``).
    module_paths = {
        "reporting": "loop.reporting",
        "demo": "ops.demo",
        "generate": "ops.generate",
        "filters": "ui.filters",
    }

    def ready(self) -> None:
        # Every connection watches its writes: cached figures are keyed on the data version.
        from django.db import connections
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from zoneops.core.db import versions

        connection_created.connect(versions.install, dispatch_uid="zoneops-data-version")
        for connection in connections.all(initialized_only=True):
            versions.install(connection)
        post_migrate.connect(versions.forget, sender=self, dispatch_uid="zoneops-cache-clear")
        # Connect the audit trail and the login events.
        from zoneops.core.accounts import security, signals  # noqa: F401
        from zoneops.core.admin import read_only_domain_admins
        from zoneops.core.audit import signals as audit_signals  # noqa: F401
        from zoneops.core.ops import checks  # noqa: F401

        read_only_domain_admins()
        from zoneops.core.loop import deadlines as case_deadlines

        case_deadlines.register_case_deadline()
        from zoneops.core.loop import start_page as loop_start_page

        loop_start_page.register()
        from zoneops.core.loop import rollups as loop_rollups

        loop_rollups.register()
        from zoneops.core.calendar import services as calendar_services
        from zoneops.core.registries import background

        background.register_work(
            calendar_services.ARRANGEMENT_WORK, calendar_services.arrangement_work, kind="recompute"
        )
        from zoneops.core.ops import rollups as rollup_ops

        background.register_work(rollup_ops.REBUILD_WORK, rollup_ops.rebuild_work, kind="rollup")
        # django-filter names lookups in English ("is greater than or equal to") and has no
        # zh-hans catalogue: generated filter labels use these words instead.
        from django_filters.conf import settings as filter_settings

        from zoneops.core.ui.filters import VERBOSE_LOOKUPS

        filter_settings.VERBOSE_LOOKUPS = VERBOSE_LOOKUPS

        from zoneops.core.models import Department, Zone
        from zoneops.core.registries import writes
        from zoneops.core.zones import services as zone_services

        # One write path per model (core.registries.writes): the page, the API and imports call
        # these.
        writes.register(
            Zone,
            create=zone_services.save_zone,
            update=zone_services.save_zone,
            delete=zone_services.delete_zone,
        )
        writes.register(Department)
