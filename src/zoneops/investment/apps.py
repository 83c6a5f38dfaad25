from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    name = "zoneops.investment"
    label = "investment"
    verbose_name = _("Investment attraction")

    def ready(self) -> None:
        from zoneops.core.calendar import deadlines
        from zoneops.investment.models import Lead

        # The response deadlines of a lead still being worked on (首次联系, 研判).
        for key, label, due, reached in (
            (
                "investment.first_contact_due",
                _("first contact due"),
                "first_contact_due",
                "first_contact_on",
            ),
            ("investment.assessment_due", _("assessment due"), "assessment_due", "assessed_on"),
        ):
            deadlines.register(
                deadlines.DeadlineField(
                    key=key,
                    label=label,
                    open_items=lambda reached=reached: Lead.objects.exclude(
                        stage=Lead.Stage.TERMINATED
                    ).filter(**{f"{reached}__isnull": True}),
                    anchor="received_on",
                    due=due,
                    handler="responsible_id",
                )
            )

        from zoneops.core.registries import writes
        from zoneops.investment import models as investment_models
        from zoneops.investment import services as investment_services

        # One write path per model (core.registries.writes): the page, the API and imports call
        # these.
        s = investment_services
        writes.register(investment_models.Lead, create=s.save_lead, update=s.save_lead)
        writes.register(investment_models.FollowUp, create=s.log_follow_up)
        writes.register(
            investment_models.Signing,
            create=s.record_signing,
            update=s.record_signing,
            delete=s.delete_signing,
        )
        writes.register(investment_models.FundsInPlace, create=s.record_funds)
        writes.register(investment_models.Event)
        writes.register(investment_models.AnnualTarget)
