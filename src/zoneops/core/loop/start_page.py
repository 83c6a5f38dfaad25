"""The start page's first section: the user's open closed-loop items (appeals, hazards, tasks,
blockers: every kind shares the one case table), those past their due date first."""

import datetime as dt

from django.db.models import BooleanField, Case, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access.permissions import VIEW
from zoneops.core.loop import workflows as loop
from zoneops.core.loop.models import LoopCase
from zoneops.core.registries import start_page


def open_items(user, today: dt.date) -> start_page.StartBlock:
    """Open cases handled by the user or in the zones they see (two queries: the first few,
    and how many there are): overdue first, then the user's own, then by due date."""
    running = Q(paused_on__isnull=True, due_date__lt=today)
    cases = (
        LoopCase.objects.restrict(user, VIEW)
        .filter(is_open=True)
        .annotate(
            late=Case(When(running, then=Value(True)), default=Value(False)),
            mine=Case(
                When(handler=user, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
    shown = cases.order_by("-late", "-mine", "due_date", "pk")[: start_page.SHOWN]
    items = [
        start_page.StartItem(
            text=f"{loop.get_workflow(case.kind).label} · {case.title}",
            url=case.get_absolute_url(),
            note=_("due {date} · {state}").format(
                date=case.due_date.isoformat(), state=case.get_state_display()
            ),
            overdue=case.late,
        )
        for case in shown
    ]
    return start_page.StartBlock(
        items=items,
        total=cases.count(),
        more_url=reverse("core:loopcase_list") + "?is_open=true",
        empty=gettext_lazy("Nothing open: no appeal, hazard or task waits for you."),
    )


def register() -> None:
    start_page.register(
        start_page.StartSection(
            "core.open_items", gettext_lazy("My open items"), open_items, order=10
        )
    )
