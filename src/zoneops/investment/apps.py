from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    name = "zoneops.investment"
    label = "investment"
    verbose_name = _("Investment attraction")

    def ready(self) -> None:
        from zoneops.core import deadlines
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
