"""Approved months of enterprise figures: which zones' months are locked, and the 四眼原则
ledger of who entered or changed a zone's month (``services.approve_month`` reads both).

Kept apart from ``services`` so that the importers, which refuse locked months and record
their editors, need not import the services (which run imports for the bulk API)."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zoneops.core.access import context
from zoneops.core.audit.editors import record_editors
from zoneops.core.models import Zone
from zoneops.enterprises.models import Enterprise, FigureEditor, MonthApproval


def locked_zone_ids(year: int, month: int) -> set[int]:
    """Zones whose figures for the month are locked: approved zones and everything below."""
    paths = list(
        MonthApproval.objects.filter(year=year, month=month, approved=True).values_list(
            "zone__path", flat=True
        )
    )
    if not paths:
        return set()
    query = Q()
    for path in paths:
        query |= Q(path__startswith=path)
    return set(Zone.objects.filter(query).values_list("pk", flat=True))


def is_locked(enterprise: Enterprise, year: int, month: int) -> bool:
    ancestors = [int(p) for p in enterprise.zone.path.strip("/").split("/") if p]
    return MonthApproval.objects.filter(
        zone_id__in=ancestors, year=year, month=month, approved=True
    ).exists()


def locked_message(year: int, month: int) -> str:
    """The refusal of a change to an approved month, naming the rule."""
    return _(
        "{year}-{month:02d} is approved for this zone. Rule: an approved month is locked; an "
        "administrator must reopen it with a reason before its figures change."
    ).format(year=year, month=month)


def ensure_unlocked(enterprise: Enterprise, year: int, month: int) -> None:
    if is_locked(enterprise, year, month):
        raise ValidationError(locked_message(year, month), code="locked")


def note_editors(user, keys) -> None:
    """Record ``user`` as having entered or changed figures of each ``(zone_id, year, month)``
    (the 四眼原则 ledger that ``approve_month`` reads). ``None`` (the system) is not recorded."""
    record_editors(FigureEditor, user, keys)


def _note_figure_editor(sender, instance, **kwargs) -> None:
    """Every single save or delete of a figure (pages, API, admin) names its editor, the
    person the request acts as; once per request and period."""
    ctx = context.current()
    user = ctx.user if ctx is not None else None
    if user is None or not getattr(user, "pk", None):
        return
    zone_id = (
        Enterprise.objects.filter(pk=instance.enterprise_id)
        .values_list("zone_id", flat=True)
        .first()
    )
    if zone_id is None:
        return
    key = (zone_id, instance.year, instance.month)
    context.memoized(("figure_editor", user.pk, *key), lambda: note_editors(user, [key]) or True)


def editors_of(zone: Zone, year: int, month: int) -> QuerySet:
    """The ledger rows of people who entered or changed figures of the month in ``zone`` or
    a zone below it."""
    return FigureEditor.objects.filter(zone__path__startswith=zone.path, year=year, month=month)
