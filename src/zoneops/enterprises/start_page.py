"""The enterprises' section of the start page: the months whose figures wait for the user's
approval (``core.registries.start_page``)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access.permissions import ADD, role_may
from zoneops.core.registries import start_page
from zoneops.enterprises import services
from zoneops.enterprises.models import MonthApproval


def months_to_approve(user, today) -> start_page.StartBlock | None:
    """None for a role that approves no month: the section is then left out."""
    if not role_may(user, ADD, MonthApproval):
        return None
    found = services.months_awaiting_approval(user, today)
    url = reverse("enterprises:monthapproval_add")
    items = [
        start_page.StartItem(
            text=_("{zone}: figures of {year}-{month:02d}").format(
                zone=zone.name, year=year, month=month
            ),
            url=url,
        )
        for zone, year, month in found[: start_page.SHOWN]
    ]
    return start_page.StartBlock(
        items=items,
        total=len(found),
        more_url=reverse("enterprises:monthapproval_list"),
        empty=gettext_lazy("No month's figures wait for approval."),
    )


def register() -> None:
    start_page.register(
        start_page.StartSection(
            "enterprises.months_to_approve",
            gettext_lazy("Months awaiting approval"),
            months_to_approve,
            order=20,
        )
    )
