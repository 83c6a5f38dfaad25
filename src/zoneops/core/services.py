"""Writes with rules in core: the closed loop and the periodic tick."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core import calendar, loop
from zoneops.core.models import Department, LoopCase, LoopEvent, User, Zone


def today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def open_case(
    *,
    kind: str,
    zone: Zone,
    title: str,
    acting_user: User | None,
    opened_on: dt.date | None = None,
    limit_working_days: int | None = None,
) -> LoopCase:
    """Start a closed-loop case in its workflow's initial state, with its working-day deadline."""
    workflow = loop.get_workflow(kind)
    opened_on = opened_on or today()
    limit = workflow.limit_working_days if limit_working_days is None else limit_working_days
    case = LoopCase.objects.create(
        kind=kind,
        zone=zone,
        title=title,
        state=workflow.initial,
        opened_on=opened_on,
        limit_working_days=limit,
        due_date=calendar.add_working_days(opened_on, limit),
    )
    LoopEvent.objects.create(
        case=case,
        transition="open",
        to_state=case.state,
        actor=acting_user,
        data={"due": case.due_date},
    )
    return case


def _check_allowed(case: LoopCase, transition: loop.Transition, user: User) -> None:
    if user.is_zone_admin:
        return
    if not user.visible_zones().filter(pk=case.zone_id).exists():
        raise PermissionDenied(_("This case belongs to a zone you are not granted."))
    if user.role in transition.roles:
        return
    if transition.handler_may and case.handler_id == user.pk:
        return
    raise PermissionDenied(
        _("Your role may not “{transition}” this case.").format(transition=transition.label)
    )


@dataclass
class TransitionResult:
    case: LoopCase
    event: LoopEvent


@transaction.atomic
def do_transition(
    case: LoopCase,
    name: str,
    *,
    acting_user: User,
    comment: str = "",
    department: Department | None = None,
    handler: User | None = None,
    extra_working_days: int | None = None,
    on: dt.date | None = None,
) -> TransitionResult:
    """Carry out one transition, or raise and change nothing.

    Raises ValidationError for an illegal transition or missing input, PermissionDenied when
    the acting user's role or zones do not allow it.
    """
    case = LoopCase.objects.select_for_update().get(pk=case.pk)
    workflow = loop.get_workflow(case.kind)
    day = on or today()
    transition = workflow.transitions.get(name)
    if transition is None:
        raise ValidationError(_("Unknown action “{name}”.").format(name=name), code="unknown")
    if case.state not in transition.sources:
        allowed = "、".join(str(t.label) for t in workflow.available(case.state)) or _("none")
        raise ValidationError(
            _(
                "“{action}” is not possible while the case is “{state}”. Possible now: {allowed}."
            ).format(
                action=transition.label,
                state=workflow.states.get(case.state, case.state),
                allowed=allowed,
            ),
            code="illegal_transition",
        )
    _check_allowed(case, transition, acting_user)
    comment = (comment or "").strip()
    if transition.requires_comment and not comment:
        raise ValidationError(
            _("“{action}” needs a comment saying why.").format(action=transition.label),
            code="comment_required",
        )

    from_state = case.state
    fields = {"state", "updated_at"}
    data: dict = {}
    if transition.assigns:
        if department is None or handler is None:
            raise ValidationError(
                _("Assigning needs both a department and a handler."), code="assign"
            )
        # A department serves its own zone and every zone below it.
        if not case.zone.path.startswith(department.zone.path):
            raise ValidationError(
                _("The department {department} does not serve this case's zone.").format(
                    department=department
                ),
                code="assign",
            )
        if (
            not handler.is_zone_admin
            and not handler.visible_zones().filter(pk=case.zone_id).exists()
        ):
            raise ValidationError(
                _("{handler} is not granted this case's zone.").format(handler=handler),
                code="assign",
            )
        case.department, case.handler = department, handler
        fields |= {"department", "handler"}
        data.update(department=department.pk, handler=handler.pk)
    if transition.pauses:
        case.paused_on = day
        fields.add("paused_on")
    if transition.resumes and case.paused_on:
        paused = max(calendar.working_days_between(case.paused_on, day), 0)
        case.due_date = (
            calendar.add_working_days(case.due_date, paused) if paused else case.due_date
        )
        data.update(paused_working_days=paused, due=case.due_date)
        case.paused_on = None
        fields |= {"paused_on", "due_date"}
    if transition.extends:
        if not extra_working_days or extra_working_days < 1:
            raise ValidationError(
                _("An extension needs a number of working days of at least 1."), code="extend"
            )
        case.due_date = calendar.add_working_days(case.due_date, extra_working_days)
        data.update(extra_working_days=extra_working_days, due=case.due_date)
        fields.add("due_date")
    if transition.closes:
        case.is_open, case.closed_at = False, timezone.now()
        fields |= {"is_open", "closed_at"}
    if transition.reopens:
        case.is_open, case.closed_at = True, None
        case.due_date = calendar.add_working_days(day, case.limit_working_days)
        data.update(due=case.due_date)
        fields |= {"is_open", "closed_at", "due_date"}
    if transition.target:
        case.state = transition.target
    case.escalation = _level_for(case, workflow, day)
    fields.add("escalation")
    case.save(update_fields=sorted(fields))
    event = LoopEvent.objects.create(
        case=case,
        transition=transition.name,
        from_state=from_state,
        to_state=case.state,
        actor=acting_user,
        comment=comment,
        data=data,
    )
    return TransitionResult(case=case, event=event)


def _level_for(case: LoopCase, workflow: loop.Workflow, day: dt.date) -> int:
    if not case.is_open:
        return LoopCase.Escalation.NORMAL
    if case.paused_on:
        return case.escalation
    return loop.escalation_level(workflow, case.due_date, day)


@dataclass
class TickResult:
    checked: int
    changed: int
    escalated: int


def tick(*, on: dt.date | None = None) -> TickResult:
    """Recompute the escalation level of every open, running case.

    Cases sharing a kind and a due date share a level, so the work is one UPDATE per
    (kind, due date, level) group however many cases there are; an event row is written for
    each case whose level rises.
    """
    day = on or today()
    groups = (
        LoopCase.objects.filter(is_open=True, paused_on__isnull=True)
        .values_list("kind", "due_date")
        .distinct()
    )
    by_level: dict[tuple[str, int], list[dt.date]] = defaultdict(list)
    for kind, due_date in groups:
        level = loop.escalation_level(loop.get_workflow(kind), due_date, day)
        by_level[(kind, level)].append(due_date)
    checked = LoopCase.objects.filter(is_open=True, paused_on__isnull=True).count()
    changed = escalated = 0
    now = timezone.now()
    with transaction.atomic():
        for (kind, level), dates in by_level.items():
            for start in range(0, len(dates), 500):
                chunk = dates[start : start + 500]
                base = LoopCase.objects.filter(
                    kind=kind, is_open=True, paused_on__isnull=True, due_date__in=chunk
                )
                rising = list(base.filter(escalation__lt=level).values_list("pk", "escalation"))
                LoopEvent.objects.bulk_create(
                    [
                        LoopEvent(
                            case_id=pk,
                            type=LoopEvent.Type.ESCALATION,
                            time=now,
                            data={"from": old, "to": level},
                        )
                        for pk, old in rising
                    ],
                    batch_size=2000,
                )
                escalated += len(rising)
                changed += base.exclude(escalation=level).update(escalation=level)
    return TickResult(checked=checked, changed=changed, escalated=escalated)
