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
        from django.db.models.signals import post_delete, post_save

        from zoneops.enterprises import services
        from zoneops.enterprises.models import MonthlyFigure

        for signal in (post_save, post_delete):
            signal.connect(
                services._note_figure_editor,
                sender=MonthlyFigure,
                dispatch_uid=f"zoneops_figure_editor_{signal is post_save}",
            )
