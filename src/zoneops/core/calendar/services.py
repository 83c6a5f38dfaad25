"""Entering a year's holiday notice, and moving every open deadline it changes (in a job when
there is a job system)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.access.roles import Role
from zoneops.core.calendar import deadlines
from zoneops.core.calendar import workdays as calendar
from zoneops.core.calendar.models import CalendarDay, DeadlineChange, HolidayArrangement
from zoneops.core.registries import background
from zoneops.core.registries.background import WorkResult

if TYPE_CHECKING:
    from zoneops.core.accounts.models import User


def enter_holiday_arrangement(
    year: int,
    days: list[calendar.ArrangedDay],
    *,
    acting_user: User | None,
    title: str = "",
    text: str = "",
) -> tuple[HolidayArrangement, list[DeadlineChange]]:
    """Save the State Council's arrangement for ``year`` (replacing an earlier entry) and move
    every open deadline it changes; closed items never change."""
    if acting_user is not None and acting_user.role != Role.ADMIN:
        raise PermissionDenied(_("Only the system administrator enters the work calendar."))
    calendar.validate_arrangement(year, days)
    first, last = calendar.year_window(year)
    try:
        with transaction.atomic():
            planned = deadlines.plan(first, last)
            arrangement, _created = HolidayArrangement.objects.update_or_create(
                year=year,
                defaults={
                    "title": title or _("{year} holiday arrangement").format(year=year),
                    "text": text,
                    "entered_by": acting_user,
                    "entered_at": timezone.now(),
                },
            )
            arrangement.days.all().delete()
            clashes = CalendarDay.objects.filter(day__in=[d.day for d in days])
            if clashes.exists():
                clash = clashes.select_related("arrangement").first()
                raise ValidationError(
                    _("{day} is already set by the notice for {year}.").format(
                        day=clash.day.isoformat(), year=clash.arrangement.year
                    )
                )
            CalendarDay.objects.bulk_create(
                CalendarDay(
                    arrangement=arrangement, day=d.day, is_workday=d.is_workday, name=d.name
                )
                for d in days
            )
            calendar.reload()
            changes = deadlines.apply(planned, arrangement=arrangement, acting_user=acting_user)
            deadlines.deadlines_changed.send(
                sender=HolidayArrangement,
                arrangement=arrangement,
                changes=changes,
                acting_user=acting_user,
            )
    except BaseException:
        calendar.reload()  # what was read inside the rolled-back transaction must not stay
        raise
    return arrangement, changes


ARRANGEMENT_WORK = "core.holiday_arrangement"  # saving a year, as a job (后台作业)


def start_holiday_arrangement(
    year: int, days: list[calendar.ArrangedDay], *, acting_user: User, text: str = ""
):
    """Queue ``enter_holiday_arrangement`` (and its recomputation of every open deadline) as a
    job: ``(job, created)``; None without a job system (the caller saves in the request)."""
    if acting_user.role != Role.ADMIN:
        raise PermissionDenied(_("Only the system administrator enters the work calendar."))
    calendar.validate_arrangement(year, days)
    return background.start_work(
        ARRANGEMENT_WORK,
        params={
            "year": year,
            "days": [[d.day.isoformat(), d.is_workday, d.name, d.year] for d in days],
            "text": text,
        },
        title=_("{year} holiday arrangement: recompute open deadlines").format(year=year),
        acting_user=acting_user,
        return_url=reverse("core:calendar_year", args=[year]),
    )


def arrangement_work(params: dict, *, acting_user: User, content: bytes = b"") -> WorkResult:
    """The job's body: the arrangement saved and the open deadlines moved, in one transaction
    (one step of progress per open deadline the year may move; a cancel writes nothing)."""
    days = [
        calendar.ArrangedDay(dt.date.fromisoformat(day), is_workday, name, year)
        for day, is_workday, name, year in params["days"]
    ]
    year = int(params["year"])
    arrangement, changes = enter_holiday_arrangement(
        year, days, acting_user=acting_user, text=params.get("text", "")
    )
    return WorkResult(
        updated=len(changes),
        message=_("The {year} arrangement is saved; {count} open deadlines moved.").format(
            year=year, count=len(changes)
        ),
        url=reverse("core:deadline_changes") + f"?arrangement={arrangement.pk}",
    )
