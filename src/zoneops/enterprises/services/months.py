"""Monthly figures (本年累计) and their 同比, and the month approval that locks a zone's month."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access.permissions import ADD, CHANGE, role_may
from zoneops.core.models import User, Zone
from zoneops.core.registries import writes as core_writes
from zoneops.core.registries.periods import month_reopened
from zoneops.enterprises.locks import (
    editors_of,
    ensure_unlocked,
    is_locked,
    locked_message,
    note_editors,
)
from zoneops.enterprises.models import (
    MonthApproval,
    MonthlyFigure,
)
from zoneops.enterprises.services.common import _require, _require_enterprise


@transaction.atomic
def delete_figure(figure: MonthlyFigure, *, acting_user) -> None:
    """Delete an enterprise's monthly figures; an approved (locked) month is refused."""
    if is_locked(figure.enterprise, figure.year, figure.month):
        raise PermissionDenied(locked_message(figure.year, figure.month))
    core_writes.delete_object(figure, acting_user=acting_user)


@transaction.atomic
def approve_month(zone: Zone, year: int, month: int, *, acting_user: User) -> MonthApproval:
    """Lock a month's figures for a zone and its sub-zones."""
    if acting_user is not None:
        if not role_may(acting_user, ADD, MonthApproval):
            raise PermissionDenied(_("Your role may not approve months."))
        if not acting_user.visible_zones().filter(pk=zone.pk).exists():
            raise PermissionDenied(_("This zone is not granted to you."))
    if not 1 <= month <= 12:
        raise ValidationError(_("A month is 1 to 12."))
    approval = MonthApproval.objects.filter(zone=zone, year=year, month=month).first()
    if approval is None:
        approval = MonthApproval(zone=zone, year=year, month=month)
    elif approval.approved:
        raise ValidationError(_("This month is already approved."))
    if acting_user is not None and editors_of(zone, year, month).filter(user=acting_user).exists():
        raise ValidationError(
            _(
                "Four-eyes rule (四眼原则): you entered or changed figures of {zone} for "
                "{year}-{month:02d}, so another colleague must approve them."
            ).format(zone=zone, year=year, month=month),
            code="four_eyes",
        )
    approval.approved = True
    approval.approved_by = acting_user
    approval.approved_at = timezone.now()
    approval.save()
    return approval


@transaction.atomic
def reopen_month(approval: MonthApproval, *, acting_user: User, reason: str) -> MonthApproval:
    """The zone's statistics staff reopen an approved month, with a reason (audited), and the
    approver is told. Not the system administrator: under 三员分立 data decisions are the
    staff's, and the administrator only reads approvals."""
    if acting_user is None:
        raise PermissionDenied(_("Reopening an approved month needs a person."))
    _require(acting_user, CHANGE, approval)
    if not reason.strip():
        raise ValidationError(_("Give the reason for reopening."))
    approval = MonthApproval.objects.select_for_update().get(pk=approval.pk)
    if not approval.approved:
        raise ValidationError(_("This month is not approved."))
    approval.approved = False
    approval.reopened_by = acting_user
    approval.reopened_at = timezone.now()
    approval.reason = reason.strip()
    approval.save(update_fields=["approved", "reopened_by", "reopened_at", "reason", "updated_at"])
    month_reopened.send(
        sender=MonthApproval,
        zone=approval.zone,
        year=approval.year,
        month=approval.month,
        approved_by=approval.approved_by,
        reopened_by=acting_user,
        reason=approval.reason,
        url=approval.get_absolute_url(),
        what=gettext_lazy("enterprise monthly figures"),
    )
    return approval


FIGURE_FIELDS = (
    "main_revenue",
    "output_value",
    "tax_paid",
    "employees",
    "rd_expense",
    "energy_use",
)


def with_yoy(qs: QuerySet) -> QuerySet:
    """Figures with last year's same-month values (``prev_<field>``) for 同比."""
    # No ordering (the model's sorts by the enterprise's name: a join per row for nothing).
    previous = MonthlyFigure.objects.filter(
        enterprise=OuterRef("enterprise"), year=OuterRef("year") - 1, month=OuterRef("month")
    ).order_by()
    return qs.annotate(
        **{
            f"prev_{name}": Subquery(previous.values(name)[:1])
            for name in ("main_revenue", "output_value", "tax_paid")
        }
    )


def yoy(current, previous) -> Decimal | None:
    """Growth in percent, one decimal; None when there is nothing to compare with."""
    if current is None or not previous:
        return None
    return ((Decimal(current) / Decimal(previous) - 1) * 100).quantize(Decimal("0.1"))


def figure_yoy(figure: MonthlyFigure) -> dict[str, Decimal | None]:
    previous = MonthlyFigure.objects.filter(
        enterprise_id=figure.enterprise_id, year=figure.year - 1, month=figure.month
    ).first()
    return {
        name: yoy(getattr(figure, name), getattr(previous, name, None))
        for name in ("main_revenue", "output_value", "tax_paid")
    }


@transaction.atomic
def save_figure(figure: MonthlyFigure, *, acting_user: User) -> MonthlyFigure:
    """Create or change one month's figures, unless the month (new or old) is approved."""
    _require(acting_user, CHANGE if figure.pk else ADD, figure)
    _require_enterprise(acting_user, figure.enterprise)
    ensure_unlocked(figure.enterprise, figure.year, figure.month)
    if figure.pk:
        old = MonthlyFigure.objects.select_related("enterprise__zone").get(pk=figure.pk)
        ensure_unlocked(old.enterprise, old.year, old.month)
    figure.full_clean()
    figure.save()
    note_editors(acting_user, [(figure.enterprise.zone_id, figure.year, figure.month)])
    return figure


def months_awaiting_approval(user, today, *, months: int = 3) -> list[tuple[Zone, int, int]]:
    """(zone, year, month) of the user's granted zones whose figures of one of the last
    ``months`` months (before ``today``'s) are entered but not approved: what the user should
    approve next. Empty for a role that does not approve. Three queries, whatever the number of
    zones and figures."""
    if not role_may(user, ADD, MonthApproval):
        return []
    periods = []
    year, month = today.year, today.month
    for _step in range(months):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        periods.append((year, month))
    zones = list(
        user.zones.all() if not user.is_zone_admin else Zone.objects.filter(parent__isnull=True)
    )
    if not zones:
        return []
    in_periods = Q()
    for year, month in periods:
        in_periods |= Q(year=year, month=month)
    entered = set(
        MonthlyFigure.objects.filter(in_periods, enterprise__zone__in=user.visible_zones())
        .values_list("enterprise__zone__path", "year", "month")
        .distinct()
    )
    approved = set(
        MonthApproval.objects.filter(in_periods, zone__in=zones, approved=True).values_list(
            "zone_id", "year", "month"
        )
    )
    return [
        (zone, year, month)
        for year, month in periods
        for zone in zones
        if (zone.pk, year, month) not in approved
        and any(p.startswith(zone.path) and (y, m) == (year, month) for p, y, m in entered)
    ]
