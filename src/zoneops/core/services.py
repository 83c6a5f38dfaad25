"""Writes with rules in core: the closed loop and the periodic tick."""

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core import calendar, deadlines, loop
from zoneops.core.models import (
    CalendarDay,
    DeadlineChange,
    Department,
    HolidayArrangement,
    LoopCase,
    LoopEvent,
    Role,
    User,
    Zone,
)

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


# Forms sent from phones that may arrive twice -------------------------------------------------


class DuplicateSubmission(Exception):
    """The form with this client token was received before: nothing was written again."""

    def __init__(self, submission):
        super().__init__(str(submission.token))
        self.submission = submission


def parse_client_token(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def previous_submission(request, token):
    """The earlier arrival of the form with ``token`` from this user, if there was one.

    A token another user has claimed is refused (it is not theirs to look up).
    """
    from zoneops.core.models import ClientSubmission

    token = parse_client_token(token)
    if token is None:
        return None
    found = ClientSubmission.objects.filter(token=token).first()
    if found is not None and found.user_id != request.user.pk:
        raise PermissionDenied(_("This form was sent by someone else; please reload the page."))
    return found


def claim_client_token(request, token, result_url: str):
    """Record that the form with ``token`` has been received and where its result is.

    Call it inside the transaction that writes the form's result: when the token was claimed
    already (a retry, or a second request racing this one), it raises ``DuplicateSubmission``,
    which rolls back the whole write. Without a token (a form from an old page, the API) it
    does nothing and returns None.
    """
    from django.db import IntegrityError

    from zoneops.core.models import ClientSubmission

    token = parse_client_token(token)
    if token is None:
        return None
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_client_token() belongs inside the write's transaction")
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            return ClientSubmission.objects.create(
                token=token, user=request.user, path=request.path[:300], result_url=result_url
            )
    except IntegrityError:
        earlier = ClientSubmission.objects.filter(token=token).first()
        if earlier is None or earlier.user_id != request.user.pk:
            raise PermissionDenied(
                _("This form was sent by someone else; please reload the page.")
            ) from None
        raise DuplicateSubmission(earlier) from None


def purge_client_submissions(*, now: dt.datetime | None = None) -> int:
    """Forget client tokens older than ``ZONEOPS_CLIENT_TOKEN_DAYS`` (default 30): a phone
    retries a queued form when it is back online, which is hours or days, not months.
    Returns how many were forgotten.
    """
    from zoneops.core.models import ClientSubmission

    days = int(getattr(settings, "ZONEOPS_CLIENT_TOKEN_DAYS", 30))
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _by_model = ClientSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def already_received(request, submission):
    """The answer to a form that arrived before: back to its first result, saying so."""
    from django.contrib import messages
    from django.http import HttpResponseRedirect

    messages.info(request, _("Already received: this form was saved before, not again."))
    return HttpResponseRedirect(submission.result_url or "/")


def submit_once(request, token, write, result_url=lambda obj: obj.get_absolute_url()):
    """Run ``write()`` and claim ``token`` in one transaction.

    Returns ``(result, None)`` after a first arrival, ``(None, response)`` redirecting to the
    first result when the form arrived before (whether found before writing or by losing a
    race to claim the token). ``write`` raises as usual (ValidationError, PermissionDenied).
    """
    earlier = previous_submission(request, token)
    if earlier is not None:
        return None, already_received(request, earlier)
    try:
        with transaction.atomic():
            result = write()
            claim_client_token(request, token, result_url(result))
    except DuplicateSubmission as exc:
        return None, already_received(request, exc.submission)
    return result, None


# Account security: second factor and unlocking (等保 2.0) -----------------------------------


@transaction.atomic
def confirm_second_factor(
    user: User, secret: str, code: str, *, acting_user: User, request=None
) -> User:
    """Turn the second factor on with a code from the new secret (which is then used up)."""
    from zoneops.core import security, twofactor
    from zoneops.core.models import SecurityEvent

    if acting_user is None or acting_user.pk != user.pk:
        raise PermissionDenied(_("Only the account's owner may set up its second factor."))
    step = twofactor.matching_step(secret, code)
    if step is None:
        raise ValidationError(
            _("The code is wrong or has expired. Check the phone's clock and try again."),
            code="totp",
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    user.totp_secret = twofactor.join(secret, step)
    user.totp_confirmed_at = timezone.now()
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    security.log_event(SecurityEvent.Type.SECOND_FACTOR_ENROLLED, request, user=user)
    return user


@transaction.atomic
def use_second_factor(user: User, code: str) -> bool:
    """Check a login code: right, within its window, and not used before (then it is used up)."""
    from zoneops.core import twofactor

    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.has_second_factor:
        return False
    secret, last_step = twofactor.split(locked.totp_secret)
    step = twofactor.matching_step(secret, code)
    if step is None or step <= last_step:
        return False
    locked.totp_secret = twofactor.join(secret, step)
    locked.save(update_fields=["totp_secret"])
    return True


@transaction.atomic
def remove_second_factor(user: User, *, acting_user: User, code: str = "", request=None) -> User:
    """Turn the second factor off: the owner with a current code (unless it is required for
    them), or the security administrator for someone who lost their phone (they enrol again).
    """
    from zoneops.core import security, twofactor
    from zoneops.core.models import Role, SecurityEvent

    owner = acting_user is not None and acting_user.pk == user.pk
    if not owner and (acting_user is None or acting_user.role != Role.SECURITY_ADMIN):
        raise PermissionDenied(_("Only the owner or the security administrator may do this."))
    if owner:
        if twofactor.required_for(user):
            raise PermissionDenied(_("Administrators must keep their second factor."))
        if not use_second_factor(user, code):
            raise ValidationError(_("The code is wrong, expired or already used."), code="totp")
    user = User.objects.select_for_update().get(pk=user.pk)
    user.totp_secret, user.totp_confirmed_at = "", None
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    security.log_event(
        SecurityEvent.Type.SECOND_FACTOR_REMOVED,
        request,
        user=user,
        removed_by=acting_user.get_username(),
    )
    return user


@transaction.atomic
def unlock_account(username: str, *, acting_user: User, request=None) -> None:
    """The security administrator lifts a lockout: earlier failures no longer count."""
    from zoneops.core import security
    from zoneops.core.models import Role, SecurityEvent

    if acting_user is None or not acting_user.is_active or acting_user.role != Role.SECURITY_ADMIN:
        raise PermissionDenied(_("Only the security administrator may unlock accounts."))
    target = User.objects.filter(username__iexact=username).first()
    if target is None:
        raise ValidationError(_("There is no account “{name}”.").format(name=username))
    security.log_event(
        SecurityEvent.Type.UNLOCKED, request, user=target, unlocked_by=acting_user.get_username()
    )


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


# Roles and zone grants (the security administrator's) -----------------------------------------


def administrator_duties(role: str, is_superuser: bool) -> set[str]:
    """The 三员 duties an account would hold: its role's, plus the system administrator's
    for the superuser flag (Django's admin site)."""
    from zoneops.core.models import ADMINISTRATOR_ROLES, Role

    duties = {role} & set(ADMINISTRATOR_ROLES)
    if is_superuser:
        duties.add(Role.ADMIN)
    return duties


@transaction.atomic
def grant_access(target: User, *, role: str, zones, acting_user: User | None, request=None) -> None:
    """Give an account its role and granted zones. Only the security administrator does this,
    never on its own account, and never so that one person holds two administrator duties."""
    from zoneops.core import security
    from zoneops.core.models import Role, SecurityEvent

    if acting_user is not None:
        if not acting_user.is_active or acting_user.role != Role.SECURITY_ADMIN:
            raise PermissionDenied(
                _("Only the security administrator gives roles and zone grants.")
            )
        if acting_user.pk == target.pk:
            raise PermissionDenied(_("No account may change its own role, zones or permissions."))
    if role not in Role.values:
        raise ValidationError(_("Unknown role “{role}”.").format(role=role))
    if len(administrator_duties(role, target.is_superuser)) > 1:
        raise ValidationError(
            _("One person may not hold two of the three administrator duties (三员分立).")
        )
    zones = list(zones)
    before = {
        "role": target.role,
        "zones": sorted(target.zones.values_list("code", flat=True)),
    }
    target.role = role
    target.save(update_fields=["role"])
    target.zones.set(zones)
    after = {"role": role, "zones": sorted(z.code for z in zones)}
    if before != after:
        security.log_event(
            SecurityEvent.Type.ACCESS_CHANGED,
            request,
            user=target,
            changed_by=acting_user.get_username() if acting_user else "system",
            before=before,
            after=after,
        )


# The zone tree --------------------------------------------------------------------------------


def _refuse_unless_system_admin(user) -> None:
    # ``acting_user=None`` is the system itself (seeding, generators, commands).
    if user is not None and getattr(user, "role", None) != "admin":
        raise PermissionDenied(_("Only the system administrator changes the zone tree."))


def check_zone_tree(zone: Zone, parent: Zone | None, *, acting_user) -> None:
    """Refuse a change of the tree: by anyone but the system administrator, a non-top zone
    made top-level, or a zone moved below itself or one of its sub-zones (a cycle)."""
    _refuse_unless_system_admin(acting_user)
    if not zone.pk:
        return
    stored = Zone.objects.filter(pk=zone.pk).values("parent_id", "path").first()
    if stored is None:
        return
    if parent is None and stored["parent_id"] is not None:
        raise ValidationError({"parent": _("A zone below another cannot become a top-level zone.")})
    if parent is not None and (
        parent.pk == zone.pk
        or Zone.objects.filter(pk=parent.pk, path__startswith=stored["path"]).exists()
    ):
        raise ValidationError(
            {"parent": _("A zone cannot move below itself or one of its sub-zones.")}
        )


def zone_data(zone: Zone) -> list[str]:
    """The kinds of record still held by the zone (sub-zones, accounts granted it, data)."""
    held = []
    for relation in Zone._meta.related_objects:
        accessor = relation.get_accessor_name()
        if relation.many_to_many:
            exists = getattr(zone, accessor).exists()
        else:
            exists = relation.related_model._base_manager.filter(
                **{relation.field.name: zone}
            ).exists()
        if exists:
            held.append(str(relation.related_model._meta.verbose_name_plural))
    return held


@transaction.atomic
def delete_zone(zone: Zone, *, acting_user) -> None:
    """Delete an empty leaf zone; a zone with sub-zones or any data is refused, saying which."""
    _refuse_unless_system_admin(acting_user)
    held = zone_data(zone)
    if held:
        raise ValidationError(
            _("“{zone}” still holds {what}; it cannot be deleted.").format(
                zone=zone, what="、".join(held)
            )
        )
    zone.delete()
