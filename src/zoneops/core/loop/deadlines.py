"""The closed loop's deadline in the work calendar: a case's due date moves when a year's notice
changes the working days it counts, and the move is written to the case's history."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from zoneops.core.calendar import deadlines
from zoneops.core.loop.models import LoopCase, LoopEvent


def record_case_event(
    case, field: deadlines.DeadlineField, old: dt.date, new: dt.date, acting_user
) -> None:
    """A moved deadline of a closed-loop case (or of its appeal's stages) in the case's history."""
    LoopEvent.objects.create(
        case=case,
        type=LoopEvent.Type.DEADLINE,
        from_state=case.state,
        to_state=case.state,
        actor=acting_user,
        data={"deadline": field.key, "from": old, "to": new},
    )


def register_case_deadline() -> None:
    deadlines.register(
        deadlines.DeadlineField(
            key="core.case_due",
            label=_("due date"),
            open_items=lambda: LoopCase.objects.filter(is_open=True),
            anchor="opened_on",
            due="due_date",
            handler="handler_id",
            record_event=record_case_event,
        )
    )
