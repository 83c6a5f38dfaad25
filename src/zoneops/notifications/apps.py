from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "zoneops.notifications"
    label = "notifications"

    def ready(self):
        from zoneops.core import loop
        from zoneops.notifications import services

        loop.transitioned.connect(services.on_transition, dispatch_uid="notifications_transition")
        loop.escalated.connect(services.on_escalation, dispatch_uid="notifications_escalation")
        from zoneops.core import security

        security.account_attacked.connect(
            services.on_account_attacked, dispatch_uid="notifications_account_attacked"
        )
