"""Writes with rules: task books, their closed loop, milestones, progress each dispatch cycle.

``create_task_from_decision`` turns a meeting decision into a task in one step (used by the
dispatch pack of the ``reports`` app).
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zoneops.core.access.permissions import ADD, CHANGE, role_may
from zoneops.core.calendar import workdays as calendar
from zoneops.core.loop import services as core_services
from zoneops.core.models import Department, User, Zone
from zoneops.tasks.models import Campaign, Goal, Milestone, ProgressUpdate, Task
from zoneops.tasks.workflow import KIND


def check_zone_right(user: User | None, zone: Zone, model, action: str) -> None:
    """PermissionDenied unless ``user`` may ``action`` ``model`` rows in ``zone`` (None: system)."""
    if user is None:
        return
    if not role_may(user, action, model):
        raise PermissionDenied(_("Your role may not do this."))
    if not user.is_zone_admin and not user.visible_zones().filter(pk=zone.pk).exists():
        raise PermissionDenied(_("This zone is not granted to you."))


def _serves(department: Department | None, zone: Zone) -> bool:
    """A department serves its own zone and every zone below it."""
    return department is None or zone.path.startswith(department.zone.path)


def check_task_fields(
    *, zone: Zone, campaign=None, goal=None, lead_unit=None, responsible_unit=None,
    supervising_unit=None,
) -> None:  # fmt: skip
    errors = {}
    for name, department in (
        ("lead_unit", lead_unit),
        ("responsible_unit", responsible_unit),
        ("supervising_unit", supervising_unit),
    ):
        if not _serves(department, zone):
            errors[name] = _("{department} does not serve {zone}.").format(
                department=department, zone=zone
            )
    if campaign is not None and not zone.path.startswith(campaign.zone.path):
        errors["campaign"] = _("The campaign belongs to another zone.")
    if goal is not None and campaign is not None and goal.campaign_id != campaign.pk:
        errors["goal"] = _("The goal belongs to another campaign.")
    if errors:
        raise ValidationError(errors)


def check_deadline(opened_on: dt.date, deadline: dt.date) -> int:
    """The working days from setting the task to its deadline; ValidationError if impossible."""
    if deadline < opened_on:
        raise ValidationError(
            {"deadline": _("The deadline lies before the task is set.")}, code="deadline"
        )
    try:
        return calendar.working_days_between(opened_on, deadline)
    except calendar.CalendarRangeError as exc:
        raise ValidationError({"deadline": str(exc)}, code="calendar") from exc


@transaction.atomic
def create_task(
    *,
    zone: Zone,
    title: str,
    deadline: dt.date,
    acting_user: User | None,
    campaign: Campaign | None = None,
    goal: Goal | None = None,
    description: str = "",
    lead_unit: Department | None = None,
    responsible_unit: Department | None = None,
    supervising_unit: Department | None = None,
    responsible_leader: User | None = None,
    origin: str = Task.Origin.CAMPAIGN,
    meeting: str = "",
    decided_on: dt.date | None = None,
    milestones: Iterable[tuple[str, dt.date]] = (),
    source: str = "",
    opened_on: dt.date | None = None,
) -> Task:
    """A task with its closed-loop case, due on the deadline (its last working day)."""
    check_zone_right(acting_user, zone, Task, ADD)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("A task needs a title.")})
    if goal is not None and campaign is None:
        campaign = goal.campaign
    check_task_fields(
        zone=zone,
        campaign=campaign,
        goal=goal,
        lead_unit=lead_unit,
        responsible_unit=responsible_unit,
        supervising_unit=supervising_unit,
    )
    opened_on = opened_on or core_services.today()
    limit = check_deadline(opened_on, deadline)
    case = core_services.open_case(
        kind=KIND,
        zone=zone,
        title=title[:200],
        acting_user=acting_user,
        opened_on=opened_on,
        limit_working_days=limit,
    )
    if lead_unit is not None:
        case.department = lead_unit
        case.save(update_fields=["department", "updated_at"])
    task = Task.objects.create(
        zone=zone,
        campaign=campaign,
        goal=goal,
        case=case,
        title=title[:200],
        description=description,
        lead_unit=lead_unit,
        responsible_unit=responsible_unit,
        supervising_unit=supervising_unit,
        responsible_leader=responsible_leader,
        deadline=deadline,
        origin=origin,
        meeting=meeting,
        decided_on=decided_on,
        source=source,
    )
    for order, (name, due_on) in enumerate(milestones):
        Milestone.objects.create(
            task=task, name=name, due_on=due_on, sort_order=order, source=source
        )
    return task


# What an edit may change; the deadline moves only by an extension in the task's loop, and
# the zone never (its loop case, departments and campaign belong to it).
EDITABLE_FIELDS = (
    "campaign",
    "goal",
    "title",
    "description",
    "lead_unit",
    "responsible_unit",
    "supervising_unit",
    "origin",
    "meeting",
    "decided_on",
    "source",
)


@transaction.atomic
def update_task(task: Task, *, acting_user: User | None, **changes) -> Task:
    """Edit a task (page or API) and keep its loop case in step: the case carries the task's
    title and its lead unit as the case's department."""
    check_zone_right(acting_user, task.zone, Task, CHANGE)
    refused = sorted(set(changes) - set(EDITABLE_FIELDS))
    if refused:
        raise ValidationError(
            {
                name: _("Change the deadline by an extension in the task's loop.")
                if name == "deadline"
                else _("This field cannot be changed once the task is set.")
                for name in refused
            }
        )
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()[:200]
        if not changes["title"]:
            raise ValidationError({"title": _("A task needs a title.")})
    merged = {name: changes.get(name, getattr(task, name)) for name in EDITABLE_FIELDS}
    check_task_fields(
        zone=task.zone,
        campaign=merged["campaign"],
        goal=merged["goal"],
        lead_unit=merged["lead_unit"],
        responsible_unit=merged["responsible_unit"],
        supervising_unit=merged["supervising_unit"],
    )
    changed = [name for name, value in changes.items() if getattr(task, name) != value]
    for name in changed:
        setattr(task, name, changes[name])
    if changed:
        task.save(update_fields=[*changed, "updated_at"])
    case, case_fields = task.case, []
    if case.title != task.title:
        case.title = task.title
        case_fields.append("title")
    if task.lead_unit_id and case.department_id != task.lead_unit_id and case.handler_id is None:
        case.department = task.lead_unit
        case_fields.append("department")
    if case_fields:
        case.save(update_fields=[*case_fields, "updated_at"])
    return task


def create_task_from_decision(
    *,
    zone: Zone,
    decision: str,
    deadline: dt.date,
    acting_user: User | None,
    meeting: str = "",
    decided_on: dt.date | None = None,
    title: str = "",
    lead_unit: Department | None = None,
    responsible_unit: Department | None = None,
    supervising_unit: Department | None = None,
    campaign: Campaign | None = None,
    goal: Goal | None = None,
    source: str = "",
) -> Task:
    """A decision of a (dispatch) meeting becomes a task in the loop in one step.

    The title defaults to the decision's first line; the full text is the description.
    """
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError({"decision": _("Write down the decision.")})
    title = (title or decision.splitlines()[0]).strip()[:200]
    return create_task(
        zone=zone,
        title=title,
        deadline=deadline,
        acting_user=acting_user,
        campaign=campaign,
        goal=goal,
        description=decision,
        lead_unit=lead_unit,
        responsible_unit=responsible_unit,
        supervising_unit=supervising_unit,
        origin=Task.Origin.DECISION,
        meeting=meeting,
        decided_on=decided_on,
        source=source or _("meeting decision: {meeting}").format(meeting=meeting or "—"),
        opened_on=decided_on if decided_on and decided_on <= core_services.today() else None,
    )


@transaction.atomic
def transition_task(
    task: Task,
    name: str,
    *,
    acting_user: User,
    comment: str = "",
    extra_working_days: int | None = None,
    on: dt.date | None = None,
) -> Task:
    """Move a task through its loop; extensions and closure keep the task in step.

    An extension request records the working days asked; granting without a number grants them.
    """
    task = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
    extra = extra_working_days
    if name == "request_extension" and (not extra or extra < 1):
        raise ValidationError(_("Say how many working days the extension needs."), code="extend")
    if name == "grant_extension" and not extra:
        extra = task.requested_extension_days
    result = core_services.do_transition(
        task.case,
        name,
        acting_user=acting_user,
        comment=comment,
        extra_working_days=extra if name == "grant_extension" else None,
        on=on,
    )
    task.case = result.case
    fields = []
    if name == "request_extension":
        task.requested_extension_days = extra
        fields.append("requested_extension_days")
    if name in ("grant_extension", "refuse_extension"):
        task.requested_extension_days = None
        fields.append("requested_extension_days")
    if name == "close":
        task.progress = 100
        fields.append("progress")
    if fields:
        task.save(update_fields=[*fields, "updated_at"])
    return task


@transaction.atomic
def report_progress(
    task: Task,
    *,
    acting_user: User | None,
    cycle: str,
    progress: int,
    text: str,
    problems: str = "",
    reported_on: dt.date | None = None,
    source: str = "",
    instance: ProgressUpdate | None = None,
) -> ProgressUpdate:
    """Record (or correct) the task's progress for a dispatch cycle; the task shows the latest."""
    check_zone_right(acting_user, task.zone, ProgressUpdate, CHANGE if instance else ADD)
    if not task.case.is_open and instance is None:
        raise ValidationError(_("The task is closed; reopen it to report progress."))
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is between 0 and 100 %.")})
    cycle = (cycle or "").strip()
    if instance is None:
        instance = ProgressUpdate.objects.filter(task=task, cycle=cycle).first()
    update = instance or ProgressUpdate(task=task, cycle=cycle)
    update.task, update.cycle, update.progress = task, cycle, progress
    update.text, update.problems = text, problems
    update.reported_on = reported_on or core_services.today()
    if update.pk is None:  # a correction keeps who reported (or that nobody is named)
        update.reported_by = acting_user
    if source:
        update.source = source
    update.save()
    latest = task.updates.order_by("-reported_on", "-id").values_list("progress", flat=True)[:1]
    if latest and task.progress != latest[0] and task.case.is_open:
        task.progress = latest[0]
        task.save(update_fields=["progress", "updated_at"])
    return update


@transaction.atomic
def complete_milestone(
    milestone: Milestone, *, acting_user: User | None, done_on: dt.date | None = None
) -> Milestone:
    check_zone_right(acting_user, milestone.task.zone, Milestone, CHANGE)
    milestone.done_on = done_on or core_services.today()
    milestone.save(update_fields=["done_on", "updated_at"])
    return milestone


@transaction.atomic
def set_goal_achieved(goal: Goal, achieved: Decimal, *, acting_user: User | None) -> Goal:
    check_zone_right(acting_user, goal.campaign.zone, Goal, CHANGE)
    if achieved < 0:
        raise ValidationError({"achieved": _("A count cannot be negative.")})
    goal.achieved = achieved
    goal.save(update_fields=["achieved", "updated_at"])
    return goal
