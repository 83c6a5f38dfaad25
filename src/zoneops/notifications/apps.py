from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "zoneops.notifications"
    label = "notifications"

    def ready(self):
        from zoneops.core.calendar import deadlines
        from zoneops.core.loop import workflows as loop
        from zoneops.core.registries import ticks
        from zoneops.notifications import services

        loop.transitioned.connect(services.on_transition, dispatch_uid="notifications_transition")
        loop.escalated.connect(services.on_escalation, dispatch_uid="notifications_escalation")
        deadlines.deadlines_changed.connect(
            services.on_deadlines_changed, dispatch_uid="notifications_deadlines"
        )
        ticks.register("notifications", services.scan_and_deliver, order=10)
        from zoneops.core.accounts import security
        from zoneops.core.registries import periods

        periods.month_reopened.connect(
            services.on_month_reopened, dispatch_uid="notifications_month_reopened"
        )

        security.account_attacked.connect(
            services.on_account_attacked, dispatch_uid="notifications_account_attacked"
        )
        from zoneops.core.registries import background

        background.job_finished.connect(
            services.on_job_finished, dispatch_uid="notifications_job_finished"
        )

        from zoneops.core.registries import writes
        from zoneops.notifications.models import OutboxMessage, Route

        # One write path per model (core.registries.writes): the page, the API and imports call
        # these.
        writes.register(Route, create=services.save_route, update=services.save_route)
        writes.register(OutboxMessage)
