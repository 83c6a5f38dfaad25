"""Writing notifications. Called from signal receivers inside the transaction of the change
they report, so that a rolled-back change leaves no notification behind."""

from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from zoneops.core import loop
from zoneops.core.models import LoopCase, User
from zoneops.notifications.models import Notification

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
