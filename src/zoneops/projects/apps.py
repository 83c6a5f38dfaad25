from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "zoneops.projects"
    label = "projects"
    verbose_name = _("Key projects")

    def ready(self):
        from zoneops.core.registries import background, ticks
        from zoneops.core.zones import figures as zone_figures
        from zoneops.jobs.services import bulk_work
        from zoneops.projects import (
            rollups,
            services,
            workflow,  # noqa: F401  registers the blocker loop
        )
        from zoneops.projects.models import Project

        rollups.register()  # the lights roll-up (kind "project_lights") and its source models
        ticks.register("project lights", rollups.tick, order=50)
        background.register_work(
            services.INVESTMENTS_BULK_WORK,
            bulk_work(services.upsert_monthly_investments),
            kind="bulk",
        )

        zone_figures.register(
            zone_figures.ZoneFigure(
                "projects",
                _("Key projects"),
                lambda user: zone_figures.count_by_zone(Project.objects.restrict(user)),
                order=20,
            )
        )
        zone_figures.register(
            zone_figures.ZoneFigure(
                "projects.investment",
                _("Total investment (10k yuan)"),
                lambda user: zone_figures.sum_by_zone(
                    Project.objects.restrict(user), "total_investment"
                ),
                order=21,
            )
        )

        from zoneops.core.registries import writes
        from zoneops.projects import models as project_models
        from zoneops.projects import services as project_services

        # One write path per model (core.registries.writes): the page, the API and imports call
        # these.
        s = project_services
        writes.register(project_models.Project, create=s.save_project, update=s.save_project)
        writes.register(project_models.MonthlyInvestment, create=s.record_monthly)
        writes.register(project_models.Blocker, create=s.raise_blocker, update=s.update_blocker)
        writes.register(project_models.ProgressNote, create=s.add_progress_note)
        writes.register(project_models.Milestone)
