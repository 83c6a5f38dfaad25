"""Deadlines counted in working days, and what happens to them when a year's notice is entered.

Each app registers its deadline-bearing records here from its AppConfig.ready() (core imports
no app). When the system administrator enters a year's holiday arrangement, every open
deadline whose count crosses the changed days keeps its number of working days from its start
and is moved to where the new calendar puts it: each move is a typed ``DeadlineChange`` row (and
whatever event the app records on the item), the save writes the audit row, and
``deadlines_changed`` tells the notifications app to send each handler one digest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.dispatch import Signal

from zoneops.core.calendar import workdays as calendar
from zoneops.core.registries import background, rollups

# Sent inside the transaction that saved the arrangement: sender=HolidayArrangement,
# arrangement, changes=[DeadlineChange, ...], acting_user.
deadlines_changed = Signal()


@dataclass(frozen=True)
class DeadlineField:
    """One working-day deadline on one model."""

    key: str  # e.g. "appeals.accept_due"
    label: object  # what the handler reads (lazy translation)
    open_items: Callable[[], QuerySet]  # records whose deadline may still move
    anchor: str  # ORM path of the date the deadline counts from
    due: str  # the deadline field on the model
    handler: str  # ORM path of the responsible user's id
    zone: str = "zone_id"
    # Writes the item's own typed event (e.g. a LoopEvent), if it keeps a history.
    record_event: Callable[[Model, DeadlineField, dt.date, dt.date, object], None] | None = None


_registry: dict[str, DeadlineField] = {}


def register(deadline: DeadlineField) -> DeadlineField:
    _registry[deadline.key] = deadline
    return deadline


def registered() -> list[DeadlineField]:
    return list(_registry.values())


@dataclass(frozen=True)
class Planned:
    field: DeadlineField
    pk: int
    anchor: dt.date
    due: dt.date
    working_days: int
    handler_id: int | None
    zone_id: int | None


def plan(first: dt.date, last: dt.date) -> list[Planned]:
    """Open deadlines whose count may cross [first, last], measured on the current calendar."""
    planned = []
    for field in _registry.values():
        rows = (
            field.open_items()
            .filter(**{f"{field.due}__gte": first, f"{field.anchor}__lte": last})
            .values_list("pk", field.anchor, field.due, field.handler, field.zone)
        )
        for pk, anchor, due, handler_id, zone_id in rows.iterator(chunk_size=2000):
            if anchor is None or due is None or due <= anchor:
                continue
            days = calendar.working_days_between(anchor, due)
            planned.append(Planned(field, pk, anchor, due, days, handler_id, zone_id))
    return planned


@rollups.batched  # each touched zone's roll-ups recomputed once, not once per deadline
def apply(planned: list[Planned], *, arrangement, acting_user) -> list:
    """Move each planned deadline to its working-day count on the (reloaded) calendar."""
    from zoneops.core.calendar.models import DeadlineChange

    changes = []
    for done, item in enumerate(planned):
        background.report(done, len(planned), background.WORKING)  # a job's progress, if any
        new = calendar.add_working_days(item.anchor, item.working_days)
        if new == item.due:
            continue
        model = item.field.open_items().model
        record = model._base_manager.get(pk=item.pk)
        setattr(record, item.field.due, new)
        record.save(update_fields=[item.field.due])
        changes.append(
            DeadlineChange.objects.create(
                arrangement=arrangement,
                content_type=ContentType.objects.get_for_model(model),
                object_id=item.pk,
                object_repr=str(record)[:200],
                deadline=str(item.field.label)[:60],
                old_date=item.due,
                new_date=new,
                zone_id=item.zone_id,
                handler_id=item.handler_id,
                actor=acting_user,
            )
        )
        if item.field.record_event is not None:
            item.field.record_event(record, item.field, item.due, new, acting_user)
    return changes
