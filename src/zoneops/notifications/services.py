"""Notifications: the bell (``Notification``) and outgoing messages (``OutboxMessage``).

Both are written by signal receivers and by ``scan`` inside the transaction of the change they
report, so that a rolled-back change leaves no notification and no message behind. Outgoing
messages are sent afterwards by ``drain`` (``zoneops notify`` and ``zoneops tick``); see
``zoneops.notifications.delivery``.
"""

import calendar as pycalendar
import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from zoneops.core.access.privacy import mask_phone
from zoneops.core.calendar import workdays as calendar
from zoneops.core.loop import workflows as loop
from zoneops.core.models import LoopCase, Role, User, Zone
from zoneops.notifications.models import (
    Channel,
    DigestRun,
    Event,
    Notification,
    OutboxMessage,
    ProjectLight,
    Route,
)

LEVEL_KIND = {
    LoopCase.Escalation.DUE_SOON: Notification.Kind.DUE_SOON,
    LoopCase.Escalation.OVERDUE: Notification.Kind.OVERDUE,
    LoopCase.Escalation.DEPARTMENT_HEAD: Notification.Kind.ESCALATED,
    LoopCase.Escalation.LEADER: Notification.Kind.ESCALATED,
}


def notify(user_id: int, kind: str, title: str, *, case: LoopCase | None = None, url: str = ""):
    return Notification.objects.create(
        user_id=user_id, kind=kind, title=title[:300], case=case, url=url
    )


def on_account_attacked(sender, username: str, addresses: int, **kwargs) -> None:
    """The security administrators' bell: one account failing from many addresses."""
    from zoneops.core.models import Role, User

    with override("zh-hans"):
        title = _("Account “{username}” failed to log in from {count} addresses").format(
            username=username, count=addresses
        )
        for user_id in User.objects.filter(role=Role.SECURITY_ADMIN, is_active=True).values_list(
            "pk", flat=True
        ):
            notify(user_id, Notification.Kind.INFO, title, url=f"/security/?q={username}")


def on_month_reopened(
    sender, zone, year, month, approved_by, reopened_by, reason, url, what, **kwargs
) -> None:
    """Whoever approved a month hears that it was reopened, by whom and why."""
    if approved_by is None or not approved_by.is_active:
        return
    with override("zh-hans"):
        title = _(
            "{who} reopened the {what} of {zone} for {year}-{month:02d} that you approved: {reason}"
        ).format(
            who=reopened_by.get_full_name() or reopened_by.username if reopened_by else "",
            what=str(what),
            zone=zone,
            year=year,
            month=month,
            reason=reason,
        )
    notify(approved_by.pk, Notification.Kind.INFO, title, url=url)


def on_job_finished(sender, job, state, **kwargs) -> None:
    """The owner's bell when a background job (后台作业) ends: done, failed or cancelled."""
    if job.user_id is None:
        return
    with override(job.language or "zh-hans"):
        if state == "done":
            title = _("Background job done: {title}")
        elif state == "cancelled":
            title = _("Background job cancelled: {title}")
        else:
            title = _("Background job failed: {title}")
        notify(
            job.user_id,
            Notification.Kind.INFO,
            title.format(title=job.title),
            url=job.get_absolute_url(),
        )


def on_transition(sender, case, transition, event, acting_user, **kwargs) -> None:
    """Tell the handler a case was assigned to them; tell staff an approval is waiting."""
    with override("zh-hans"):
        label = loop.get_workflow(case.kind).label
        if (
            transition.assigns
            and case.handler_id
            and case.handler_id != getattr(acting_user, "pk", None)
        ):
            notify(
                case.handler_id,
                Notification.Kind.ASSIGNED,
                _("{kind} assigned to you: {title} (due {due})").format(
                    kind=label, title=case.title, due=case.due_date.isoformat()
                ),
                case=case,
            )
        if transition.request_for:
            deciders = (
                User.objects.filter(is_active=True, role="staff", zones__in=_zone_and_above(case))
                .exclude(pk=getattr(acting_user, "pk", None))
                .distinct()
                .values_list("pk", flat=True)[:20]
            )
            for user_id in deciders:
                notify(
                    user_id,
                    Notification.Kind.REQUEST,
                    _("{action} waits for a decision: {title}").format(
                        action=transition.label, title=case.title
                    ),
                    case=case,
                )
        if transition.to_leader:
            workflow = loop.get_workflow(case.kind)
            leaders = workflow.responsible_leaders(case) if workflow.responsible_leaders else []
            for user_id in leaders:
                if user_id != getattr(acting_user, "pk", None):
                    notify(
                        user_id,
                        Notification.Kind.ESCALATED,
                        _("{kind} needs you as the responsible leader: {title}. {comment}").format(
                            kind=label, title=case.title, comment=event.comment
                        ),
                        case=case,
                    )
            queue_case_event(case, Event.ESCALATED, event, acting_user=acting_user)
        if transition.assigns and case.handler_id:
            queue_case_event(case, Event.ASSIGNED, event, acting_user=acting_user)
        elif transition.target == "returned":
            queue_case_event(case, Event.RETURNED, event, acting_user=acting_user)


def _zone_and_above(case: LoopCase) -> list[int]:
    return [int(p) for p in case.zone.path.strip("/").split("/") if p]


def on_escalation(sender, kind, level, rising, **kwargs) -> None:
    """Due-soon, overdue and escalation notices for the handlers of cases whose level rose.

    One notice per case when a handler has a single one; otherwise one summary per handler,
    linking to the list of their cases at that level.
    """
    notice_kind = LEVEL_KIND.get(level)
    if notice_kind is None:
        return
    with override("zh-hans"):
        queue_escalation(kind, level, [case_id for case_id, _old, _handler in rising])
    by_handler: dict[int, list[int]] = defaultdict(list)
    for case_id, _old, handler_id in rising:
        if handler_id:
            by_handler[handler_id].append(case_id)
    if not by_handler:
        return
    now = timezone.now()
    with override("zh-hans"):
        label = loop.get_workflow(kind).label
        level_label = LoopCase.Escalation(level).label
        single = {ids[0] for ids in by_handler.values() if len(ids) == 1}
        titles = dict(LoopCase.objects.filter(pk__in=single).values_list("pk", "title"))
        rows = []
        for handler_id, ids in by_handler.items():
            if len(ids) == 1:
                title = _("{kind} {level}: {title}").format(
                    kind=label, level=level_label, title=titles.get(ids[0], "")
                )
                rows.append(
                    Notification(user_id=handler_id, kind=notice_kind, title=title, case_id=ids[0])
                )
            else:
                title = _("{count} cases ({kind}) now: {level}").format(
                    count=len(ids), kind=label, level=level_label
                )
                url = (
                    reverse("core:loopcase_list")
                    + f"?kind={kind}&escalation={level}&handler={handler_id}&is_open=true"
                )
                rows.append(
                    Notification(
                        user_id=handler_id, kind=notice_kind, title=title, url=url, count=len(ids)
                    )
                )
        for row in rows:
            row.created_at = now
        Notification.objects.bulk_create(rows, batch_size=2000)


def mark_read(user: User, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    with transaction.atomic():
        return qs.update(read_at=timezone.now())


def target_url(notification: Notification) -> str:
    """Where a notice leads: the appeal/hazard/task of its case, its own link, or the list."""
    if notification.case_id:
        case = notification.case
        for relation in LoopCase._meta.related_objects:
            if relation.one_to_one:
                record = getattr(case, relation.get_accessor_name(), None)
                if record is not None and hasattr(record, "get_absolute_url"):
                    try:
                        return record.get_absolute_url()
                    except Exception:  # noqa: BLE001 - a record without pages
                        continue
        return case.get_absolute_url()
    return notification.url or reverse("notifications:notification_list")


# Outgoing messages ---------------------------------------------------------------------------

LEVEL_EVENT = {
    LoopCase.Escalation.DUE_SOON: Event.DUE_SOON,
    LoopCase.Escalation.OVERDUE: Event.OVERDUE,
    LoopCase.Escalation.DEPARTMENT_HEAD: Event.ESCALATED,
    LoopCase.Escalation.LEADER: Event.ESCALATED,
}
# Mainland mobile numbers inside free text (titles, comments): masked like on the pages.
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# Lines listed in one group message before "and N more".
LIST_LINES = 10


def mask_text(text: str) -> str:
    """Every mobile number in ``text`` masked with ``core.access.privacy.mask_phone``."""
    return MOBILE.sub(lambda match: mask_phone(match.group()), text or "")


def setting(name: str, default):
    return getattr(settings, name, default)


def _path_ids(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p]


class RouteTable:
    """The enabled routes, loaded once per change or tick and matched in Python (a few rows)."""

    def __init__(self):
        self.by_zone: dict[int, list[Route]] = defaultdict(list)
        for route in Route.objects.filter(enabled=True).select_related("zone"):
            self.by_zone[route.zone_id].append(route)
        self._users: dict[int, list[int]] = {}

    def __bool__(self) -> bool:
        return bool(self.by_zone)

    def match(self, zone_path: str, department_id: int | None, event: str) -> list[Route]:
        """Routes of the zone or a zone above it, for all departments or this one."""
        found = []
        for zone_id in _path_ids(zone_path):
            for route in self.by_zone.get(zone_id, ()):
                if f",{event}," in route.events and route.department_id in (None, department_id):
                    found.append(route)
        return found

    def users(self, route: Route) -> list[int]:
        """Whose bells an in-app route rings: the department's members, else the zone's staff."""
        if route.pk not in self._users:
            if route.department_id:
                qs = User.objects.filter(department_id=route.department_id)
            else:
                qs = User.objects.filter(role__in=[Role.STAFF, Role.ADMIN], zones=route.zone_id)
            self._users[route.pk] = sorted(
                set(qs.filter(is_active=True).values_list("pk", flat=True))
            )
        return self._users[route.pk]


def route_messages(
    table: RouteTable,
    route: Route,
    *,
    event: str,
    key: str,
    text: str,
    zone_id: int | None,
    mentions=(),
    url: str = "",
) -> list[OutboxMessage]:
    """The unsaved messages one route gets for one event: per phone for SMS, one otherwise."""
    text = mask_text(text)
    common = dict(route=route, zone_id=zone_id, event=event, text=text, url=url)
    key = f"{key}:r{route.pk}"
    if route.channel == Channel.SMS:
        return [
            OutboxMessage(
                channel=Channel.SMS,
                destination=phone,
                idempotency_key=f"{key}:{_phone_key(phone)}",
                **common,
            )
            for phone in route.phone_list()
        ]
    if route.channel == Channel.INAPP:
        users = table.users(route)
        if not users:
            return []
        return [
            OutboxMessage(
                channel=Channel.INAPP,
                destination=",".join(map(str, users)),
                idempotency_key=key,
                **common,
            )
        ]
    wanted = sorted({m for m in mentions if m} | set(route.phone_list()))
    return [OutboxMessage(channel=route.channel, mentions=wanted, idempotency_key=key, **common)]


def _phone_key(phone: str) -> str:
    """A phone number's part of an idempotency key: keys are shown on pages, numbers are not."""
    return hashlib.sha256(phone.encode()).hexdigest()[:16]


def zone_and_person_messages(
    table: RouteTable,
    zone,
    person_id: int | None,
    *,
    event: str,
    key: str,
    text: str,
    mentions=(),
    url: str = "",
) -> list[OutboxMessage]:
    """One event for the routes of ``zone`` (and above) and the bell of the person in charge."""
    messages = []
    for route in table.match(zone.path, None, event):
        messages += route_messages(
            table, route, event=event, key=key, text=text, zone_id=zone.pk,
            mentions=mentions, url=url,
        )  # fmt: skip
    if person_id:
        messages.append(
            person_message(person_id, event=event, key=key, text=text, zone_id=zone.pk, url=url)
        )
    return messages


def person_message(user_id: int, *, event: str, key: str, text: str, zone_id=None, url: str = ""):
    """An unsaved in-app message for one person's bell."""
    return OutboxMessage(
        channel=Channel.INAPP,
        destination=str(user_id),
        zone_id=zone_id,
        event=event,
        text=mask_text(text),
        url=url,
        idempotency_key=f"{key}:u{user_id}",
    )


def queue(messages: list[OutboxMessage]) -> int:
    """Write messages in the current transaction; a key already queued is skipped, so that the
    same event never queues twice. Returns how many were given."""
    if messages:
        OutboxMessage.objects.bulk_create(messages, batch_size=1000, ignore_conflicts=True)
    return len(messages)


def _person(name_parts) -> str:
    last, first, username = name_parts
    return f"{last or ''}{first or ''}".strip() or (username or "")


def queue_case_event(case: LoopCase, event: str, loop_event, *, acting_user) -> int:
    """An assignment, a return or a hand-off to the leader of a closed-loop case, to the routes
    of its zone."""
    table = RouteTable()
    if not table:
        return 0
    zone = Zone.objects.only("path", "name").get(pk=case.zone_id)
    routes = table.match(zone.path, case.department_id, event)
    if not routes:
        return 0
    label = loop.get_workflow(case.kind).label
    handler = case.handler
    handler_name = str(handler) if handler else "—"
    department = str(case.department) if case.department_id else "—"
    if event == Event.ASSIGNED:
        text = _("[{zone}] {kind} assigned: {title}. Handler: {department} {handler}; due {due}.")
    elif event == Event.ESCALATED:
        text = _("[{zone}] {kind} handed to the responsible leader: {title}. By {actor}: {comment}")
    else:
        text = _("[{zone}] {kind} sent back: {title}. By {actor}: {comment}")
    text = text.format(
        zone=zone.name,
        kind=label,
        title=case.title,
        department=department,
        handler=handler_name,
        due=case.due_date.isoformat(),
        actor=str(acting_user) if acting_user else _("the system"),
        comment=loop_event.comment,
    )
    mentions = [handler.phone] if handler is not None and handler.phone else []
    url = case.get_absolute_url()
    rows = []
    for route in routes:
        rows += route_messages(
            table,
            route,
            event=event,
            key=f"{event}:e{loop_event.pk}",
            text=text,
            zone_id=case.zone_id,
            mentions=mentions,
            url=url,
        )
    return queue(rows)


def queue_escalation(kind: str, level: int, case_ids: list[int]) -> int:
    """Cases of one kind whose level rose to ``level``: one message per route, listing them."""
    event = LEVEL_EVENT.get(level)
    table = RouteTable()
    if event is None or not table or not case_ids:
        return 0
    cases = []
    for start in range(0, len(case_ids), 2000):
        cases += LoopCase.objects.filter(pk__in=case_ids[start : start + 2000]).values_list(
            "pk",
            "title",
            "due_date",
            "zone_id",
            "zone__path",
            "zone__name",
            "department_id",
            "handler__phone",
            "handler__last_name",
            "handler__first_name",
            "handler__username",
        )
    by_route: dict[int, list] = defaultdict(list)
    routes: dict[int, Route] = {}
    for row in cases:
        for route in table.match(row[4], row[6], event):
            routes[route.pk] = route
            by_route[route.pk].append(row)
    label = loop.get_workflow(kind).label
    level_label = LoopCase.Escalation(level).label
    messages = []
    for route_id, rows in by_route.items():
        route = routes[route_id]
        rows.sort(key=lambda r: (r[2], r[0]))
        lines = [
            _("{title} (handler {handler}, due {due})").format(
                title=r[1], handler=_person(r[8:11]) or "—", due=r[2].isoformat()
            )
            for r in rows
        ]
        if len(rows) == 1:
            text = _("[{zone}] {kind} {level}: {line}").format(
                zone=rows[0][5], kind=label, level=level_label, line=lines[0]
            )
            key = f"{event}:l{level}:c{rows[0][0]}:{rows[0][2].isoformat()}"
            url = reverse("core:loopcase_detail", args=[rows[0][0]])
        else:
            text = _("[{zone}] {count} cases ({kind}) now: {level}").format(
                zone=route.zone.name, count=len(rows), kind=label, level=level_label
            )
            text += "\n" + _listing(lines)
            digest = hashlib.sha1(
                ",".join(f"{r[0]}@{r[2].isoformat()}" for r in rows).encode()
            ).hexdigest()[:20]
            key = f"{event}:l{level}:{kind}:{digest}"
            url = reverse("core:loopcase_list") + f"?kind={kind}&escalation={level}&is_open=true"
        messages += route_messages(
            table,
            route,
            event=event,
            key=key,
            text=text,
            zone_id=route.zone_id,
            mentions=[r[7] for r in rows if r[7]][:20],
            url=url,
        )
    return queue(messages)


def _listing(lines: list[str]) -> str:
    shown = "\n".join(f"· {line}" for line in lines[:LIST_LINES])
    if len(lines) > LIST_LINES:
        shown += "\n" + _("… and {count} more").format(count=len(lines) - LIST_LINES)
    return shown


# The periodic scan (run by ``zoneops tick``) --------------------------------------------------


@dataclass
class ScanResult:
    leads: int = 0
    red_projects: int = 0
    digest: int = 0


def scan(*, on: dt.date | None = None, now: dt.datetime | None = None) -> ScanResult:
    """What a change does not announce by itself: leads past their first-contact deadline,
    project lights that turned red, and (once per working day) the digest."""
    now = now or timezone.now()
    day = on or timezone.localdate(now)
    result = ScanResult()
    with override("zh-hans"), transaction.atomic():
        table = RouteTable()
        result.leads = queue_lead_deadlines(table, day)
        result.red_projects = queue_red_lights(table, day)
    result.digest = queue_digest(now=now)
    return result


def scan_and_deliver() -> str:
    """The tick's notification job: queue what the day brings, then deliver the outbox."""
    from zoneops.notifications import delivery

    scanned = scan()
    sent = delivery.drain()
    return (
        f"notifications: {scanned.leads} lead and {scanned.red_projects} red-light messages, "
        f"{scanned.digest} digest messages queued; {sent}"
    )


def on_deadlines_changed(sender, arrangement, changes, acting_user, **kwargs) -> None:
    """One bell notice per handler listing the deadlines a new holiday arrangement moved."""
    by_handler: dict[int, list] = defaultdict(list)
    for change in changes:
        if change.handler_id:
            by_handler[change.handler_id].append(change)
    with override("zh-hans"):
        for user_id, moved in by_handler.items():
            lines = [
                f"{c.object_repr}（{c.deadline}）{c.old_date:%m-%d}→{c.new_date:%m-%d}"
                for c in moved[:5]
            ]
            more = _("and {count} more").format(count=len(moved) - 5) if len(moved) > 5 else ""
            title = _(
                "The {year} holiday arrangement moved {count} of your deadlines: {items}"
            ).format(year=arrangement.year, count=len(moved), items="；".join(lines) + more)
            url = reverse("core:deadline_changes") + f"?arrangement={arrangement.pk}"
            Notification.objects.create(
                user_id=user_id,
                kind=Notification.Kind.INFO,
                title=title[:300],
                url=url,
                count=len(moved),
            )


def queue_lead_deadlines(table: RouteTable, day: dt.date) -> int:
    """Leads not contacted by their first-contact deadline: to the zone's routes and the
    person responsible. Each lead and deadline once."""
    from zoneops.investment.models import Lead

    # Leads announced already (their key is in the outbox) are not built again on every tick.
    announced = OutboxMessage.objects.filter(
        idempotency_key__startswith=Concat(
            Value(f"{Event.LEAD_NO_CONTACT}:lead"),
            Cast(OuterRef("pk"), CharField()),
            Value(":"),
            output_field=CharField(),
        )
    )
    leads = (
        Lead.objects.filter(first_contact_on__isnull=True, first_contact_due__lt=day)
        .exclude(stage=Lead.Stage.TERMINATED)
        .exclude(Exists(announced))
        .select_related("zone")
        .order_by("pk")
    )
    messages = []
    for lead in leads.iterator(chunk_size=2000):
        text = _(
            "[{zone}] Investment lead “{name}” ({company}, contact {contact} {phone}) has had no "
            "first contact; it was due {due}."
        ).format(
            zone=lead.zone.name,
            name=lead.name,
            company=lead.investor_company,
            contact=lead.contact_name or "—",
            phone=mask_phone(lead.contact_phone),
            due=lead.first_contact_due.isoformat(),
        )
        key = f"{Event.LEAD_NO_CONTACT}:lead{lead.pk}:{lead.first_contact_due.isoformat()}"
        url = reverse("investment:lead_detail", args=[lead.pk])
        messages += zone_and_person_messages(
            table, lead.zone, lead.responsible_id,
            event=Event.LEAD_NO_CONTACT, key=key, text=text, url=url,
        )  # fmt: skip
    return queue(messages)


def queue_red_lights(table: RouteTable, day: dt.date) -> int:
    """Projects whose traffic light turned red since the last scan: to the zone's routes and
    the responsible leader, with the reasons."""
    from zoneops.projects.lights import RED, reasons
    from zoneops.projects.models import Project

    current = dict(Project.objects.with_lights(today=day).order_by().values_list("pk", "light"))
    known = dict(ProjectLight.objects.values_list("project_id", "light"))
    turned = [pk for pk, light in current.items() if light == RED and known.get(pk) != RED]
    changed = [pk for pk, light in current.items() if pk in known and known[pk] != light]
    new = [pk for pk in current if pk not in known]
    for start in range(0, len(changed), 2000):
        part = changed[start : start + 2000]
        for light in {current[pk] for pk in part}:
            ProjectLight.objects.filter(
                project_id__in=[pk for pk in part if current[pk] == light]
            ).update(light=light, since=day)
    ProjectLight.objects.bulk_create(
        [ProjectLight(project_id=pk, light=current[pk], since=day) for pk in new],
        batch_size=2000,
    )
    messages = []
    for start in range(0, len(turned), 500):
        projects = (
            Project.objects.with_lights(today=day)
            .filter(pk__in=turned[start : start + 500])
            .select_related("zone", "leader")
        )
        for project in projects:
            why = "；".join(text for level, text in reasons(project) if level == RED)
            text = _("[{zone}] Project “{name}” turned red: {reasons}").format(
                zone=project.zone.name, name=project.name, reasons=why or "—"
            )
            key = f"{Event.PROJECT_RED}:p{project.pk}:{day.isoformat()}"
            url = reverse("projects:project_detail", args=[project.pk])
            mentions = [project.leader.phone] if project.leader and project.leader.phone else []
            messages += zone_and_person_messages(
                table, project.zone, project.leader_id,
                event=Event.PROJECT_RED, key=key, text=text, mentions=mentions, url=url,
            )  # fmt: skip
    return queue(messages)


# The working-day digest -----------------------------------------------------------------------


def digest_hour() -> int:
    return int(setting("ZONEOPS_DIGEST_HOUR", 8))


def queue_digest(*, now: dt.datetime | None = None, on: dt.date | None = None) -> int:
    """Once per working day from ``ZONEOPS_DIGEST_HOUR`` on: each handler's due-soon and overdue
    cases, each leader's red projects and escalations, and one summary per route that takes
    the digest. Returns the number of messages (0 before the hour, on a day off, or when the
    day's digest went out already)."""
    now = timezone.localtime(now or timezone.now())
    day = on or now.date()
    if on is None and now.hour < digest_hour():
        return 0
    if not calendar.is_working_day(day) or DigestRun.objects.filter(day=day).exists():
        return 0
    try:
        with override("zh-hans"), transaction.atomic():
            run = DigestRun.objects.create(day=day)
            count = queue(_digest_messages(day))
            run.messages = count
            run.save(update_fields=["messages"])
    except IntegrityError:  # another process wrote the day's digest first
        return 0
    return count


def _digest_messages(day: dt.date) -> list[OutboxMessage]:
    """The day's digest: to each handler their due-soon and overdue cases; to each leader the
    red projects they lead or in their zones and the cases escalated there; to each group
    route that takes the digest, its zone's (and department's) items. One key a day, so a
    second run writes nothing twice."""
    from zoneops.projects.lights import RED
    from zoneops.projects.models import Project

    key = f"{Event.DIGEST}:{day.isoformat()}"
    cases = list(
        LoopCase.objects.filter(is_open=True, escalation__gte=LoopCase.Escalation.DUE_SOON)
        .order_by("due_date", "pk")
        .values_list(
            "pk", "title", "due_date", "escalation", "handler_id", "zone_id", "zone__path",
            "department_id", "handler__phone",
        )
    )  # fmt: skip
    red = list(
        Project.objects.with_lights(today=day)
        .filter(light=RED)
        .order_by("zone__path", "code")
        .values_list("pk", "name", "leader_id", "zone__path")
    )
    return [
        *_handler_digests(day, key, cases),
        *_leader_digests(day, key, cases, red),
        *_group_digests(day, key, cases, red),
    ]


def _handler_digests(day: dt.date, key: str, cases: list) -> list[OutboxMessage]:
    """Each handler's own due-soon and overdue cases (``cases``: rows of ``_digest_messages``)."""
    url = reverse("core:loopcase_list") + "?is_open=true"
    by_handler: dict[int, list] = defaultdict(list)
    for row in cases:
        if row[4]:
            by_handler[row[4]].append(row)
    return [
        person_message(
            handler_id, event=Event.DIGEST, key=key, text=_case_digest(day, rows), url=url
        )
        for handler_id, rows in by_handler.items()
    ]


def _leader_digests(day: dt.date, key: str, cases: list, red: list) -> list[OutboxMessage]:
    """Leaders (by role, or leading a project): red projects they lead or in their zones, and
    cases escalated to a department head or above in their zones; nothing, no message."""
    messages = []
    leaders = {
        user.pk: user
        for user in User.objects.filter(is_active=True)
        .filter(Q(role=Role.LEADER) | Q(led_projects__isnull=False))
        .distinct()
        .prefetch_related("zones")
    }
    for user in leaders.values():
        paths = [zone.path for zone in user.zones.all()]
        mine = [p for p in red if p[2] == user.pk or any(p[3].startswith(z) for z in paths)]
        escalated = [
            r for r in cases
            if r[3] >= LoopCase.Escalation.DEPARTMENT_HEAD
            and any(r[6].startswith(z) for z in paths)
        ]  # fmt: skip
        if mine or escalated:
            messages.append(
                person_message(
                    user.pk, event=Event.DIGEST, key=key, text=_leader_digest(day, mine, escalated),
                    url=reverse("projects:project_list") + "?light=2",
                )
            )  # fmt: skip
    return messages


def _group_digests(day: dt.date, key: str, cases: list, red: list) -> list[OutboxMessage]:
    """Each group route that takes the digest: its zone's cases (only its department's, for a
    department's route) and, for a zone's route, the zone's red projects."""
    table = RouteTable()
    url = reverse("core:loopcase_list") + "?is_open=true"
    messages = []
    for routes in table.by_zone.values():
        for route in routes:
            if f",{Event.DIGEST}," not in route.events:
                continue
            path = route.zone.path
            rows = [
                r for r in cases
                if r[6].startswith(path) and route.department_id in (None, r[7])
            ]  # fmt: skip
            reds = [p for p in red if p[3].startswith(path)] if not route.department_id else []
            if not rows and not reds:
                continue
            text = _case_digest(day, rows, zone=route.zone.name)
            if reds:
                text += "\n" + _red_lines(reds)
            messages += route_messages(
                table, route, event=Event.DIGEST, key=key, text=text, zone_id=route.zone_id,
                mentions=[r[8] for r in rows if r[8]][:20], url=url,
            )  # fmt: skip
    return messages


def _case_digest(day: dt.date, rows, zone: str = "") -> str:
    soon = [r for r in rows if r[3] == LoopCase.Escalation.DUE_SOON]
    late = [r for r in rows if r[3] >= LoopCase.Escalation.OVERDUE]
    head = _("{zone}Digest for {day}: {soon} due soon, {late} overdue.").format(
        zone=f"[{zone}] " if zone else "", day=day.isoformat(), soon=len(soon), late=len(late)
    )
    lines = [
        _("{title} (due {due}, {level})").format(
            title=r[1], due=r[2].isoformat(), level=LoopCase.Escalation(r[3]).label
        )
        for r in late + soon
    ]
    return head + ("\n" + _listing(lines) if lines else "")


def _red_lines(reds) -> str:
    return (
        _("{count} projects with a red light:").format(count=len(reds))
        + "\n"
        + _listing([p[1] for p in reds])
    )


def _leader_digest(day: dt.date, reds, escalated) -> str:
    text = _("Digest for {day}: {red} red projects, {escalated} escalated cases.").format(
        day=day.isoformat(), red=len(reds), escalated=len(escalated)
    )
    if reds:
        text += "\n" + _red_lines(reds)
    if escalated:
        text += (
            "\n"
            + _("Escalated:")
            + "\n"
            + _listing(
                [
                    _("{title} (due {due}, {level})").format(
                        title=r[1], due=r[2].isoformat(), level=LoopCase.Escalation(r[3]).label
                    )
                    for r in escalated
                ]
            )
        )
    return text


# Messages to enterprises (无事不扰) ------------------------------------------------------------


def enterprise_monthly_limit() -> int:
    return int(setting("ZONEOPS_ENTERPRISE_SMS_PER_MONTH", 4))


def _month_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = day.replace(day=1)
    last = first + dt.timedelta(days=pycalendar.monthrange(day.year, day.month)[1])
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time(), tzinfo=tz),
        dt.datetime.combine(last, dt.time(), tzinfo=tz),
    )


def enterprise_month_count(enterprise, *, on: dt.date | None = None) -> int:
    """Messages queued or sent to the enterprise's contacts this month (dead ones excluded)."""
    start, end = _month_bounds(on or timezone.localdate())
    return (
        OutboxMessage.objects.filter(
            enterprise=enterprise,
            channel=Channel.SMS,
            created_at__gte=start,
            created_at__lt=end,
        )
        .exclude(status=OutboxMessage.Status.DEAD)
        .count()
    )


def _check_enterprise_limit(enterprise, adding: int, *, on: dt.date | None = None) -> int:
    used = enterprise_month_count(enterprise, on=on)
    limit = enterprise_monthly_limit()
    if used + adding > limit:
        raise ValidationError(
            _(
                "“{enterprise}” has had {used} messages this month; the limit is {limit} per "
                "month (无事不扰). Nothing was sent."
            ).format(enterprise=enterprise.name, used=used, limit=limit),
            code="enterprise_limit",
        )
    return used


@transaction.atomic
def send_enterprise_sms(enterprise, text: str, *, acting_user, contact=None) -> OutboxMessage:
    """Queue one SMS to an enterprise's contact (its primary one unless given), within the
    monthly limit per enterprise."""
    from zoneops.enterprises.models import Enterprise

    if acting_user is not None and not (
        Enterprise.objects.restrict(acting_user, "change").filter(pk=enterprise.pk).exists()
    ):
        raise PermissionDenied(_("You may not send messages to this enterprise."))
    # One sender at a time per enterprise, so that two cannot both take the last message.
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the message."), code="empty")
    if contact is None:
        contact = enterprise.contacts.exclude(phone="").order_by("-is_primary", "pk").first()
    if contact is None or not contact.phone or contact.enterprise_id != enterprise.pk:
        raise ValidationError(
            _("“{enterprise}” has no contact with a phone number.").format(
                enterprise=enterprise.name
            ),
            code="no_phone",
        )
    _check_enterprise_limit(enterprise, 1)
    now = timezone.now()
    message = OutboxMessage.objects.create(
        channel=Channel.SMS,
        destination=contact.phone,
        zone_id=enterprise.zone_id,
        enterprise=enterprise,
        event=Event.ENTERPRISE,
        text=mask_text(text),
        idempotency_key=f"{Event.ENTERPRISE}:ent{enterprise.pk}:{now.timestamp():.6f}:"
        f"{getattr(acting_user, 'pk', 0)}",
        created_at=now,
    )
    return message


# Dead letters ---------------------------------------------------------------------------------


@transaction.atomic
def resend(ids, *, acting_user) -> int:
    """Put dead messages the user may see back in the queue, attempts from zero. Messages to an
    enterprise count against its monthly limit again."""
    qs = OutboxMessage.objects.filter(pk__in=ids, status=OutboxMessage.Status.DEAD)
    if acting_user is not None:
        qs = qs.restrict(acting_user, "change")
    messages = list(qs.select_related("enterprise"))
    per_enterprise: dict[int, list] = defaultdict(list)
    for message in messages:
        if message.enterprise_id:
            per_enterprise[message.enterprise_id].append(message)
    for rows in per_enterprise.values():
        _check_enterprise_limit(rows[0].enterprise, len(rows))
    return OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        status=OutboxMessage.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_until=None,
        claim_token=None,
    )


# Routes ---------------------------------------------------------------------------------------


def mask_secret(value: str) -> str:
    """A secret shown back: its first and last four characters at most."""
    value = value or ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}****{value[-4:]}"


def mask_url(url: str) -> str:
    """A webhook address with the values of its query (the robot's key or token) masked."""
    from urllib.parse import parse_qsl, urlsplit, urlunsplit

    parts = urlsplit(url or "")
    if not parts.query:
        return url or ""
    query = "&".join(
        f"{k}={mask_secret(v)}" for k, v in parse_qsl(parts.query, keep_blank_values=True)
    )
    return urlunsplit(parts._replace(query=query))


@transaction.atomic
def save_route(route: Route, *, acting_user) -> Route:
    """Create or change a route; only administrators, and only for zones they are granted."""
    from zoneops.core.access.permissions import role_may

    if acting_user is not None:
        action = "change" if route.pk else "add"
        allowed = role_may(acting_user, action, Route)
        if allowed and route.pk:
            allowed = Route.objects.restrict(acting_user, action).filter(pk=route.pk).exists()
        if allowed and not acting_user.is_zone_admin:
            allowed = acting_user.visible_zones().filter(pk=route.zone_id).exists()
        if not allowed:
            raise PermissionDenied(_("You may not change notification routes of this zone."))
    route.full_clean()
    route.save()
    return route


def send_route_test(route: Route, *, acting_user):
    """Send one test message through a robot or SMS route right away (not through the outbox)
    and return the outcome, so that an administrator sees at once whether the address, key and
    secret work. SMS routes try their first number only."""
    from zoneops.core.access.permissions import role_may
    from zoneops.notifications import delivery

    if acting_user is not None and not (
        role_may(acting_user, "change", Route)
        and Route.objects.restrict(acting_user, "change").filter(pk=route.pk).exists()
    ):
        raise PermissionDenied(_("You may not change notification routes of this zone."))
    if route.channel == Channel.INAPP:
        raise ValidationError(_("In-app routes need no test."), code="inapp")
    with override("zh-hans"):
        text = _("[{zone}] Test message from zoneops for the route “{route}”.").format(
            zone=route.zone.name, route=route.name
        )
    phones = route.phone_list()
    message = OutboxMessage(
        route=route,
        channel=route.channel,
        destination=phones[0] if route.channel == Channel.SMS and phones else "",
        text=text,
        mentions=phones if route.channel != Channel.SMS else [],
    )
    if route.channel == Channel.SMS and not phones:
        raise ValidationError(_("An SMS route needs at least one phone number."), code="phones")
    return delivery.send_http(message)
