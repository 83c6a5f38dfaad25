from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_catalog(sender, using="default", **kwargs):
    """The catalog comes from a data migration; a test database flush empties it and then
    sends post_migrate, so the missing indicators are created again here."""
    from zoneops.indicators.catalog import ensure_catalog
    from zoneops.indicators.models import Indicator

    ensure_catalog(Indicator)


class IndicatorsConfig(AppConfig):
    name = "zoneops.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self):
        # Register the aggregations over the other apps' models that exist in this installation.
        from zoneops.indicators import aggregations

        aggregations.register_available()
        post_migrate.connect(_restore_catalog, sender=self, dispatch_uid="zoneops_catalog")
        from django.db.models.signals import post_delete, post_save

        from zoneops.indicators import services
        from zoneops.indicators.models import IndicatorValue

        for signal in (post_save, post_delete):
            signal.connect(
                services._note_value_editor,
                sender=IndicatorValue,
                dispatch_uid=f"zoneops_value_editor_{signal is post_save}",
            )

        from zoneops.indicators import start_page

        start_page.register()
        from zoneops.core.registries import writes
        from zoneops.indicators import models as indicator_models

        # One write path per model (core.registries.writes): the page, the API and imports call
        # these.
        writes.register(
            indicator_models.IndicatorValue,
            create=services.save_value,
            update=services.save_value,
            delete=services.delete_value,
        )
        writes.register(indicator_models.MonthClose, create=services.approve_month)
        writes.register(indicator_models.Indicator)
        writes.register(indicator_models.Target)
