"""Writes with rules on the closed loop: opening a case, its transitions, and the periodic tick."""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.accounts.models import User
from zoneops.core.calendar import workdays as calendar
from zoneops.core.loop import rollups as loop_rollups
from zoneops.core.loop import workflows as loop
from zoneops.core.loop.models import LoopCase, LoopEvent
from zoneops.core.registries import rollups
from zoneops.core.zones.models import Department, Zone

logger = logging.getLogger(__name__)


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


def keep_case_title(case: LoopCase, title: str) -> None:
    """A record's loop case carries the record's title (lists, reminders, the calendar)."""
    title = (title or "")[:200]
    if case.title != title:
        case.title = title
        case.save(update_fields=["title", "updated_at"])


def pending_request(case: LoopCase, request_name: str) -> LoopEvent | None:
    """The event of a request filed by ``request_name`` that no transition has settled yet."""
    workflow = loop.get_workflow(case.kind)
    last = (
        LoopEvent.objects.filter(
            case=case, transition__in=(request_name, *workflow.settling(request_name))
        )
        .order_by("-time", "-id")
        .first()
    )
    return last if last is not None and last.transition == request_name else None


def _check_four_eyes(case: LoopCase, transition: loop.Transition, user: User | None) -> None:
    if user is None:
        return
    if transition.not_handler and case.handler_id == user.pk:
        raise PermissionDenied(
            _("“{transition}” must be done by someone other than the case's handler.").format(
                transition=transition.label
            )
        )
    if transition.not_actor_of:
        last = (
            LoopEvent.objects.filter(case=case, transition__in=transition.not_actor_of)
            .order_by("-time", "-id")
            .first()
        )
        if last is not None and last.actor_id == user.pk:
            raise PermissionDenied(
                _("“{transition}” must be done by someone other than who did “{other}”.").format(
                    transition=transition.label,
                    other=loop.get_workflow(case.kind).transitions[last.transition].label,
                )
            )


def _check_allowed(case: LoopCase, transition: loop.Transition, user: User | None) -> None:
    if user is None:
        # The system: demo data, commands, or a service that has checked who is acting by
        # other means (the public appeal page: tracking number + phone digits).
        return
    if user.is_administrator:
        # 三员分立: the system, security and audit administrators (and superusers) see every
        # zone for their own duties, which gives no right to decide on a case.
        raise PermissionDenied(
            _("Administrators take no decision on cases (separation of duties).")
        )
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
    acting_user: User | None,
    comment: str = "",
    department: Department | None = None,
    handler: User | None = None,
    extra_working_days: int | None = None,
    on: dt.date | None = None,
) -> TransitionResult:
    """Carry out one transition, or raise and change nothing.

    Raises ValidationError for an illegal transition or missing input, PermissionDenied when
    the acting user's role or zones do not allow it. ``acting_user=None`` is the system
    (or a service that checked the actor itself, e.g. the enterprise on a public page).
    """
    case = LoopCase.objects.select_for_update().get(pk=case.pk)
    workflow = loop.get_workflow(case.kind)
    day = on or today()
    transition = _legal_transition(case, workflow, name)
    _check_allowed(case, transition, acting_user)
    _check_four_eyes(case, transition, acting_user)
    comment = (comment or "").strip()
    if transition.requires_comment and not comment:
        raise ValidationError(
            _("“{action}” needs a comment saying why.").format(action=transition.label),
            code="comment_required",
        )
    request_event = _request_answered(case, workflow, transition)
    if request_event is not None and transition.extends and not extra_working_days:
        extra_working_days = request_event.data.get("extra_working_days")

    from_state = case.state
    fields = {"state", "updated_at"}
    data: dict = {}
    if transition.assigns:
        _assign(case, department, handler, fields, data)
    _pause_or_resume(case, transition, day, fields, data)
    if transition.request_for:
        _note_request(workflow, transition, extra_working_days, data)
    if request_event is not None:
        data.update(request=request_event.pk)
    _move_deadline(case, transition, day, extra_working_days, fields, data)
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
    loop.transitioned.send(
        sender=LoopCase, case=case, transition=transition, event=event, acting_user=acting_user
    )
    return TransitionResult(case=case, event=event)


def _legal_transition(case: LoopCase, workflow: loop.Workflow, name: str):
    """The workflow's transition ``name``, possible from the case's state; else raise."""
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
    return transition


def _request_answered(case: LoopCase, workflow: loop.Workflow, transition) -> LoopEvent | None:
    """The pending request a transition decides (None if it decides none); raise if a
    request is asked for twice, or a decision finds no request waiting."""
    if transition.request_for and pending_request(case, transition.name):
        raise ValidationError(
            _("A request “{action}” is already waiting for a decision.").format(
                action=transition.label
            ),
            code="request_pending",
        )
    if not transition.needs_request:
        return None
    request_event = pending_request(case, transition.needs_request)
    if request_event is None:
        raise ValidationError(
            _("“{action}” needs a pending request “{request}”.").format(
                action=transition.label,
                request=workflow.transitions[transition.needs_request].label,
            ),
            code="no_request",
        )
    return request_event


def _assign(case: LoopCase, department, handler, fields: set, data: dict) -> None:
    """Hand the case to a department's handler (who may take it: zone, duties)."""
    if department is None or handler is None:
        raise ValidationError(_("Assigning needs both a department and a handler."), code="assign")
    # A department serves its own zone and every zone below it.
    if not case.zone.path.startswith(department.zone.path):
        raise ValidationError(
            _("The department {department} does not serve this case's zone.").format(
                department=department
            ),
            code="assign",
        )
    if handler.is_administrator:
        raise ValidationError(
            _("Administrators take no decision on cases (separation of duties)."),
            code="assign",
        )
    if not handler.visible_zones().filter(pk=case.zone_id).exists():
        raise ValidationError(
            _("{handler} is not granted this case's zone.").format(handler=handler),
            code="assign",
        )
    case.department, case.handler = department, handler
    fields |= {"department", "handler"}
    data.update(department=department.pk, handler=handler.pk)


def _pause_or_resume(case: LoopCase, transition, day: dt.date, fields: set, data: dict) -> None:
    """A pause stops the clock; resuming moves the deadline by the working days paused."""
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


def _note_request(workflow: loop.Workflow, transition, extra_working_days, data: dict) -> None:
    """What a request records: the transition asked for (and the days an extension asks)."""
    requested = workflow.transitions.get(transition.request_for)
    if requested is not None and requested.extends:
        if not extra_working_days or extra_working_days < 1:
            raise ValidationError(
                _("An extension needs a number of working days of at least 1."),
                code="extend",
            )
        data.update(extra_working_days=extra_working_days)
    data.update(request_for=transition.request_for)


def _move_deadline(
    case: LoopCase, transition, day: dt.date, extra_working_days, fields: set, data: dict
) -> None:
    """An extension moves the deadline; closing ends the case; reopening starts a new term."""
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


def _level_for(case: LoopCase, workflow: loop.Workflow, day: dt.date) -> int:
    if not case.is_open or case.state in workflow.waiting_states:
        return LoopCase.Escalation.NORMAL
    if case.paused_on:
        return case.escalation
    return loop.escalation_level(workflow, case.due_date, day)


@dataclass
class TickResult:
    checked: int
    changed: int
    escalated: int
    # One line per group of cases the tick could not judge (kind, due date, reason): the
    # others are judged all the same.
    failures: list[str] = field(default_factory=list)


def tick(*, on: dt.date | None = None) -> TickResult:
    """Recompute the escalation level of every open, running case.

    A case's level depends only on its kind and due date, and it falls as the due date moves
    later: so for each kind the levels are consecutive ranges of due dates, and the new level
    is one CASE expression over the due date. The work is two statements per kind (the cases
    whose level rises, then one UPDATE) however many cases and dates there are. An event row
    is written for each case whose level rises, and ``loop.escalated`` is sent for them.
    """
    day = on or today()
    running = LoopCase.objects.filter(is_open=True, paused_on__isnull=True)
    for workflow in loop.registered().values():
        if workflow.waiting_states:
            running = running.exclude(kind=workflow.kind, state__in=workflow.waiting_states)
    levels_by_kind: dict[str, dict[dt.date, int]] = {}
    failures: list[str] = []
    checked = 0
    groups = running.values_list("kind", "due_date").annotate(count=Count("id")).order_by()
    for kind, due_date, count in groups:
        try:
            level = loop.escalation_level(loop.get_workflow(kind), due_date, day)
        except (LookupError, ValueError) as exc:
            # One bad case (an unknown kind, a date no calendar answers for) must not stop
            # the escalation of every other case of every zone.
            failures.append(f"{count} case(s) of kind {kind!r} due {due_date}: {exc}")
            logger.error("tick: %s", failures[-1])
            running = running.exclude(kind=kind, due_date=due_date)
            continue
        levels_by_kind.setdefault(kind, {})[due_date] = level
        checked += count
    changed = escalated = 0
    now = timezone.now()
    with transaction.atomic():
        for kind, levels in levels_by_kind.items():
            new_level = _level_expression(levels)
            cases = running.filter(kind=kind)
            rising = list(
                cases.annotate(new_level=new_level)
                .filter(escalation__lt=F("new_level"))
                .values_list("pk", "escalation", "handler_id", "new_level")
            )
            by_level: dict[int, list[tuple[int, int, int | None]]] = {}
            for pk, old, handler_id, level in rising:
                by_level.setdefault(level, []).append((pk, old, handler_id))
            for level, rows in sorted(by_level.items()):
                for start in range(0, len(rows), 10000):
                    LoopEvent.objects.bulk_create(
                        [
                            LoopEvent(
                                case_id=pk,
                                type=LoopEvent.Type.ESCALATION,
                                time=now,
                                data={"from": old, "to": level},
                            )
                            for pk, old, _handler in rows[start : start + 10000]
                        ],
                        batch_size=2000,
                    )
                loop.escalated.send(sender=LoopCase, kind=kind, level=level, rising=rows)
            escalated += len(rising)
            changed += cases.exclude(escalation=new_level).update(escalation=new_level)
        rollups.touch(loop_rollups.KIND)  # levels changed in bulk: the loop roll-up, once
    return TickResult(checked=checked, changed=changed, escalated=escalated, failures=failures)


def _level_expression(levels: dict[dt.date, int]) -> Case:
    """CASE over ``due_date`` giving each of ``levels``' dates its level.

    The levels fall as the date moves later, so consecutive dates of one level collapse into
    one ``due_date <= last date of the run`` branch: a handful of branches, not one per date.
    """
    branches: list[tuple[dt.date, int]] = []
    for due_date in sorted(levels):
        level = levels[due_date]
        if branches and branches[-1][1] == level:
            branches[-1] = (due_date, level)
        else:
            branches.append((due_date, level))
    return Case(
        *(When(due_date__lte=last, then=Value(level)) for last, level in branches[:-1]),
        default=Value(branches[-1][1]),
        output_field=IntegerField(),
    )
