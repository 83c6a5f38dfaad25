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

        from zoneops.core.zones import figures as zone_figures
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

        from zoneops.core.registries import background
        from zoneops.enterprises import locks, services
        from zoneops.enterprises.models import MonthlyFigure
        from zoneops.jobs.services import bulk_work

        background.register_work(
            services.FIGURES_BULK_WORK, bulk_work(services.upsert_monthly_figures), kind="bulk"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                locks._note_figure_editor,
                sender=MonthlyFigure,
                dispatch_uid=f"zoneops_figure_editor_{signal is post_save}",
            )

        from zoneops.enterprises import rollups
        from zoneops.enterprises.models import enterprise_moved

        post_save.connect(enterprise_moved, sender=Enterprise, dispatch_uid="zoneops_cert_zone")
        rollups.register()  # the scale-up candidates' roll-up (kind "scale_up")
        from zoneops.enterprises import start_page

        start_page.register()
        from zoneops.core.registries import writes
        from zoneops.enterprises import models as enterprise_models
        from zoneops.enterprises import services as enterprise_services

        # One write path per model (core.registries.writes): the page, the API and imports call
        # these. Each is named by the package path callers write (``services.record_visit``),
        # not the sub-module it lives in, so that the name the registry looks up at call time
        # (and a test's spy on it) is the one the views and the API call too.
        m, s = enterprise_models, enterprise_services

        def named(service) -> str:
            return f"{s.__name__}.{service.__name__}"

        writes.register(m.Visit, create=named(s.record_visit), update=named(s.update_visit))
        writes.register(m.SupportMeasure, create=named(s.add_measure))
        writes.register(m.MonthlyFigure, delete=named(s.delete_figure))
        writes.register(m.CultivationEntry, create=named(s.add_to_pool))
        writes.register(m.ScaleUpApplication, create=named(s.start_scale_up))
        writes.register(m.MonthApproval, create=named(s.approve_month))
        for model in (
            m.Industry,
            m.IndustrialChain,
            m.Enterprise,
            m.Contact,
            m.Certification,
            m.LiaisonAssignment,
            m.IdleRevival,
            m.RevivalGoal,
        ):
            writes.register(model)
