from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "zoneops.appeals"
    label = "appeals"

    def ready(self) -> None:
        """Plug the appeals into the framework's registries: tabs on an enterprise's and a
        visit's pages, the zone figure, the stage deadlines, and the one write path."""
        _register_detail_panels()
        _register_zone_figure()
        _register_stage_deadlines()
        _register_writes()
        from zoneops.appeals import rollups

        rollups.register()  # the appeals roll-up (kind "appeals") and its source models


def _register_detail_panels() -> None:
    """An enterprise's page lists its open appeals; a visit's, the appeals raised at it."""
    from zoneops.appeals.models import Appeal
    from zoneops.core.access.permissions import ADD, VIEW, role_may
    from zoneops.core.registries import detail_panels

    def enterprise_appeals(request, enterprise):
        """The enterprise's appeals still in the loop, the next deadline first."""
        found = (
            Appeal.objects.restrict(request.user, VIEW)
            .filter(enterprise=enterprise, case__is_open=True)
            .select_related("case", "submission")
            .order_by("case__due_date", "pk")[:20]
        )
        return {"appeals": found}

    def visit_appeals(request, visit):
        found = (
            Appeal.objects.restrict(request.user, VIEW)
            .filter(visit=visit)
            .select_related("case", "submission")
        )
        return {"appeals": found, "may_raise": role_may(request.user, ADD, Appeal)}

    detail_panels.register(
        detail_panels.DetailPanel(
            "enterprises.enterprise",
            "appeals.open",
            "appeals/_enterprise_appeals.html",
            enterprise_appeals,
        )
    )
    detail_panels.register(
        detail_panels.DetailPanel(
            "enterprises.visit", "appeals.raised", "appeals/_visit_appeals.html", visit_appeals
        )
    )


def _register_zone_figure() -> None:
    from zoneops.appeals.models import Appeal
    from zoneops.core.zones import figures as zone_figures

    zone_figures.register(
        zone_figures.ZoneFigure(
            "appeals.open",
            _("Open appeals"),
            lambda user: zone_figures.count_by_zone(
                Appeal.objects.restrict(user).filter(case__is_open=True)
            ),
            order=30,
        )
    )


def _register_stage_deadlines() -> None:
    """The stage deadlines (accept by, first answer by), while their stage is still ahead of
    an open appeal: the calendar moves them with the working days, and a move is recorded on
    the appeal's case."""
    from zoneops.appeals.models import Appeal
    from zoneops.core.calendar import deadlines
    from zoneops.core.loop import deadlines as case_deadlines

    def record(appeal, field, old, new, acting_user):
        case_deadlines.record_case_event(appeal.case, field, old, new, acting_user)

    for key, label, due, reached in (
        ("appeals.accept_due", _("accept by"), "accept_due", "accepted_on"),
        ("appeals.answer_due", _("first answer by"), "answer_due", "answered_on"),
    ):
        deadlines.register(
            deadlines.DeadlineField(
                key=key,
                label=label,
                open_items=lambda reached=reached: Appeal.objects.filter(
                    case__is_open=True, **{f"{reached}__isnull": True}
                ),
                anchor="case__opened_on",
                due=due,
                handler="case__handler_id",
                record_event=record,
            )
        )


def _register_writes() -> None:
    from zoneops.appeals import models as appeal_models
    from zoneops.appeals import services as appeal_services
    from zoneops.core.registries import writes

    # One write path per model (core.registries.writes): the page, the API and imports call
    # these.
    writes.register(
        appeal_models.Appeal,
        create=appeal_services.submit_one,
        update=appeal_services.update_appeal,
    )
