from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "zoneops.hazards"
    label = "hazards"

    def ready(self) -> None:
        from zoneops.core.calendar import deadlines
        from zoneops.core.loop import deadlines as case_deadlines
        from zoneops.core.zones import figures as zone_figures
        from zoneops.hazards.models import Hazard

        zone_figures.register(
            zone_figures.ZoneFigure(
                "hazards.open",
                _("Hazards not yet closed"),
                lambda user: zone_figures.count_by_zone(
                    Hazard.objects.restrict(user).filter(case__is_open=True)
                ),
                order=40,
            )
        )

        def record(hazard, field, old, new, acting_user):
            case_deadlines.record_case_event(hazard.case, field, old, new, acting_user)

        # The rectification deadline shown on the hazard, counted in working days like its case.
        deadlines.register(
            deadlines.DeadlineField(
                key="hazards.deadline",
                label=_("rectification deadline"),
                open_items=lambda: Hazard.objects.filter(case__is_open=True),
                anchor="found_on",
                due="deadline",
                handler="case__handler_id",
                record_event=record,
            )
        )

        from zoneops.core.registries import writes
        from zoneops.hazards import models as hazard_models
        from zoneops.hazards import services as hazard_services

        # One write path per model (core.registries.writes): the page, the API and imports call
        # these.
        writes.register(
            hazard_models.Hazard,
            create=hazard_services.report_hazard,
            update=hazard_services.update_hazard,
        )
        writes.register(hazard_models.InspectionRound)
