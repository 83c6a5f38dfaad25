from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _restore_industries(sender, using="default", **kwargs):
    """The industry table comes from a data migration; a test database flush empties it and
    then sends post_migrate, so it is loaded again here when it is missing."""
    from zoneops.enterprises.industries import load
    from zoneops.enterprises.models import Industry

    if not Industry.objects.using(using).exists():
        load(Industry)


class EnterprisesConfig(AppConfig):
    name = "zoneops.enterprises"
    label = "enterprises"

    def ready(self) -> None:
        post_migrate.connect(_restore_industries, sender=self, dispatch_uid="zoneops_industries")
        from django.utils.translation import gettext_lazy as _

        from zoneops.core import zone_figures
        from zoneops.enterprises.models import Enterprise

        for key, label, only in (
            ("enterprises", _("Enterprises"), {}),
            ("enterprises.above_scale", _("Above scale"), {"above_scale": True}),
        ):
            zone_figures.register(
                zone_figures.ZoneFigure(
                    key,
                    label,
                    lambda user, only=only: zone_figures.count_by_zone(
                        Enterprise.objects.restrict(user).filter(**only)
                    ),
                    order=10,
                )
            )
        from django.db.models.signals import post_delete, post_save

        from zoneops.enterprises import locks
        from zoneops.enterprises.models import MonthlyFigure

        for signal in (post_save, post_delete):
            signal.connect(
                locks._note_figure_editor,
                sender=MonthlyFigure,
                dispatch_uid=f"zoneops_figure_editor_{signal is post_save}",
            )
