"""Writes with rules: values (with yoy and review flags), month approval and reopening, computed
values from the other apps."""

import statistics
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access import context
from zoneops.core.access.permissions import ADD, CHANGE, role_may
from zoneops.core.audit.editors import record_editors
from zoneops.core.models import User, Zone
from zoneops.core.registries import writes as core_writes
from zoneops.core.registries.periods import month_reopened
from zoneops.indicators.models import (
    Indicator,
    IndicatorValue,
    MonthClose,
    ValueEditor,
    progress_url,
)

HUNDRED = Decimal(100)
# Used until a zone has enough history of its own to learn a plausible range from.
DEFAULT_YOY_RANGE = (Decimal(-60), Decimal(200))
MIN_HISTORY = 6


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def growth(current: Decimal | None, base: Decimal | None) -> Decimal | None:
    """Growth in % of ``current`` over ``base``; None when it cannot be computed."""
    if current is None or base is None or base == 0:
        return None
    return _q((current / base - 1) * HUNDRED)


def check_zone_right(user: User | None, zone: Zone, model, action: str) -> None:
    """Raise PermissionDenied unless ``user`` may ``action`` ``model`` rows in ``zone``.

    ``None`` is the system itself (demo data, computed values, generators).
    """
    if user is None:
        return
    if not role_may(user, action, model):
        raise PermissionDenied(_("Your role may not change indicator data."))
    if not user.is_zone_admin and not user.visible_zones().filter(pk=zone.pk).exists():
        raise PermissionDenied(_("This zone is not granted to you."))


def is_locked(zone: Zone, year: int, month: int) -> bool:
    return MonthClose.objects.filter(zone=zone, year=year, month=month, is_locked=True).exists()


def check_unlocked(zone: Zone, year: int, month: int) -> None:
    if is_locked(zone, year, month):
        raise ValidationError(
            _(
                "{zone}'s figures for {year}-{month:02d} are approved and locked; "
                "an administrator must reopen the month first."
            ).format(zone=zone, year=year, month=month),
            code="locked",
        )


@transaction.atomic
def delete_value(value: IndicatorValue, *, acting_user) -> None:
    """Delete a figure; one of an approved (locked) month is refused."""
    if is_locked(value.zone, value.year, value.month):
        raise ValidationError(_("The month is approved and locked."))
    core_writes.delete_object(value, acting_user=acting_user)


def plausible_yoy_range(indicator: Indicator, zone: Zone, year: int) -> tuple[Decimal, Decimal]:
    """The range of yoy growth that does not need a second look, learnt from the zone's history.

    Mean ± 3 standard deviations (at least ± 10 points) of the growth rates recorded before
    ``year``; a wide default until there are enough of them.
    """
    history = [
        float(v)
        for v in IndicatorValue.objects.filter(
            zone=zone, indicator=indicator, year__lt=year, yoy__isnull=False
        ).values_list("yoy", flat=True)
    ]
    if len(history) < MIN_HISTORY:
        return DEFAULT_YOY_RANGE
    mean = statistics.fmean(history)
    spread = max(3 * statistics.pstdev(history), 10.0)
    return _q(Decimal(mean - spread)), _q(Decimal(mean + spread))


def review_flags(indicator: Indicator, zone: Zone, year: int, month: int, value, yoy) -> list[str]:
    """Reasons a value should be looked at again before it is relied on (empty: none)."""
    reasons = []
    if indicator.is_cumulative and value is not None and month > 1:
        earlier = (
            IndicatorValue.objects.filter(
                zone=zone, indicator=indicator, year=year, month__lt=month, value__isnull=False
            )
            .order_by("-month")
            .values_list("month", "value")
            .first()
        )
        if earlier is not None and value < earlier[1]:
            reasons.append(
                _("The year-to-date value is below {month}'s ({value}).").format(
                    month=f"{year}-{earlier[0]:02d}", value=earlier[1]
                )
            )
        later = (
            IndicatorValue.objects.filter(
                zone=zone, indicator=indicator, year=year, month__gt=month, value__isnull=False
            )
            .order_by("month")
            .values_list("month", "value")
            .first()
        )
        if later is not None and value > later[1]:
            reasons.append(
                _("The year-to-date value is above {month}'s ({value}).").format(
                    month=f"{year}-{later[0]:02d}", value=later[1]
                )
            )
    if yoy is not None:
        low, high = plausible_yoy_range(indicator, zone, year)
        if not low <= yoy <= high:
            reasons.append(
                _("Growth of {yoy}% is outside the plausible range {low}% to {high}%.").format(
                    yoy=yoy, low=low, high=high
                )
            )
    return reasons


def _last_year_value(zone, indicator, year, month) -> Decimal | None:
    return (
        IndicatorValue.objects.filter(zone=zone, indicator=indicator, year=year - 1, month=month)
        .values_list("value", flat=True)
        .first()
    )


@transaction.atomic
def save_value(
    *,
    zone: Zone,
    indicator: Indicator,
    year: int,
    month: int,
    value: Decimal | None,
    yoy: Decimal | None = None,
    source: str = "",
    acting_user: User | None,
    instance: IndicatorValue | None = None,
) -> IndicatorValue:
    """Create or update a zone's value for a month.

    A growth given here is kept as reported; otherwise it is computed against the same month of
    last year. Values that look wrong are saved but flagged for review. A locked month refuses.
    """
    if not 1 <= month <= 12:
        raise ValidationError(_("The month must be between 1 and 12."), code="month")
    if value is None and yoy is None:
        raise ValidationError(_("Give a value, a growth rate or both."), code="empty")
    if instance is None:
        instance = IndicatorValue.objects.filter(
            zone=zone, indicator=indicator, year=year, month=month
        ).first()
    check_zone_right(acting_user, zone, IndicatorValue, CHANGE if instance else ADD)
    check_unlocked(zone, year, month)
    if instance is not None and instance.pk:
        # Moving a value to another period must respect that period's lock too.
        check_unlocked(instance.zone, instance.year, instance.month)
    reported = yoy is not None
    if yoy is None:
        yoy = growth(value, _last_year_value(zone, indicator, year, month))
    reasons = review_flags(indicator, zone, year, month, value, yoy)
    if instance is None:
        instance = IndicatorValue(zone=zone, indicator=indicator, year=year, month=month)
    instance.zone, instance.indicator, instance.year, instance.month = zone, indicator, year, month
    instance.value, instance.yoy, instance.yoy_reported = value, yoy, reported
    instance.needs_review = bool(reasons)
    instance.review_note = " ".join(reasons)[:300]
    if source:
        instance.source = source
    instance.save()
    note_editor(acting_user, zone.pk, year, month)
    _refresh_next_year_yoy(instance)
    return instance


def note_editor(user, zone_id: int, year: int, month: int) -> None:
    """Record ``user`` as having entered or changed values of the zone's month (the 四眼原则
    ledger that ``approve_month`` reads). ``None`` (the system) is not recorded."""
    record_editors(ValueEditor, user, [(zone_id, year, month)])


def _note_value_editor(sender, instance, **kwargs) -> None:
    """Every save or delete of a value (pages, API, admin) names the person the request acts
    as; once per request and month."""
    fields = kwargs.get("update_fields")
    if fields is not None and "value" not in fields:
        return  # a review mark, or a growth recomputed from last year: nobody's figures
    ctx = context.current()
    user = ctx.user if ctx is not None else None
    if user is None or not getattr(user, "pk", None):
        return
    key = (instance.zone_id, instance.year, instance.month)
    context.memoized(("value_editor", user.pk, *key), lambda: note_editor(user, *key) or True)


def _refresh_next_year_yoy(instance: IndicatorValue) -> None:
    """The same month of next year computes its growth against this value: keep it current."""
    following = IndicatorValue.objects.filter(
        zone=instance.zone,
        indicator=instance.indicator,
        year=instance.year + 1,
        month=instance.month,
        yoy_reported=False,
    ).first()
    if following is None:
        return
    new = growth(following.value, instance.value)
    if new != following.yoy and not is_locked(following.zone, following.year, following.month):
        following.yoy = new
        following.save(update_fields=["yoy", "updated_at"])


@transaction.atomic
def mark_reviewed(value: IndicatorValue, *, note: str = "", acting_user: User) -> IndicatorValue:
    """A person has checked a flagged value and accepts it."""
    check_zone_right(acting_user, value.zone, IndicatorValue, CHANGE)
    check_unlocked(value.zone, value.year, value.month)
    value.needs_review = False
    value.review_note = (note or _("Checked and accepted."))[:300]
    value.save(update_fields=["needs_review", "review_note", "updated_at"])
    return value


def check_can_approve(zone: Zone, year: int, month: int, *, acting_user: User | None) -> None:
    """Raise unless the month can be approved: the right, not yet locked, nothing flagged."""
    check_zone_right(acting_user, zone, MonthClose, ADD)
    if not 1 <= month <= 12:
        raise ValidationError(_("The month must be between 1 and 12."), code="month")
    if is_locked(zone, year, month):
        raise ValidationError(
            _("{zone}'s {year}-{month:02d} is already approved.").format(
                zone=zone, year=year, month=month
            ),
            code="already_locked",
        )
    if (
        acting_user is not None
        and ValueEditor.objects.filter(zone=zone, year=year, month=month, user=acting_user).exists()
    ):
        raise ValidationError(
            _(
                "Four-eyes rule (四眼原则): you entered or changed values of {zone} for "
                "{year}-{month:02d}, so another colleague must approve them."
            ).format(zone=zone, year=year, month=month),
            code="four_eyes",
        )
    flagged = IndicatorValue.objects.filter(
        zone=zone, year=year, month=month, needs_review=True
    ).count()
    if flagged:
        raise ValidationError(
            _("{count} value(s) of this month still need review.").format(count=flagged),
            code="needs_review",
        )


@transaction.atomic
def approve_month(*, zone: Zone, year: int, month: int, acting_user: User | None) -> MonthClose:
    """Approve and lock a zone's month: no value of that month changes until it is reopened."""
    check_can_approve(zone, year, month, acting_user=acting_user)
    close = MonthClose.objects.select_for_update().filter(zone=zone, year=year, month=month).first()
    close = close or MonthClose(zone=zone, year=year, month=month)
    close.is_locked = True
    close.approved_by = acting_user
    close.approved_at = timezone.now()
    close.save()
    return close


@transaction.atomic
def reopen_month(
    *, zone: Zone, year: int, month: int, reason: str, acting_user: User
) -> MonthClose:
    """Unlock an approved month: the zone's statistics staff, with a reason (audited); the
    approver is told. Not the system administrator (三员分立: data decisions are the staff's)."""
    if acting_user is None:
        raise PermissionDenied(_("Reopening an approved month needs a person."))
    check_zone_right(acting_user, zone, MonthClose, CHANGE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the month is reopened."), code="reason")
    close = MonthClose.objects.select_for_update().filter(zone=zone, year=year, month=month).first()
    if close is None or not close.is_locked:
        raise ValidationError(_("This month is not locked."), code="not_locked")
    close.is_locked = False
    close.reopened_by = acting_user
    close.reopened_at = timezone.now()
    close.reopen_reason = reason[:300]
    close.save(
        update_fields=["is_locked", "reopened_by", "reopened_at", "reopen_reason", "updated_at"]
    )
    month_reopened.send(
        sender=MonthClose,
        zone=zone,
        year=year,
        month=month,
        approved_by=close.approved_by,
        reopened_by=acting_user,
        reason=close.reopen_reason,
        url=progress_url(zone, year, month),
        what=gettext_lazy("economic indicators"),
    )
    return close


@transaction.atomic
def recompute(
    *, zone: Zone, year: int, month: int, acting_user: User | None, codes=None
) -> list[IndicatorValue]:
    """Compute the zone's values of every indicator whose origin has a registered computation.

    Indicators without a computation (or whose computation has no data yet) are left alone;
    a locked month is refused as a whole.
    """
    from zoneops.indicators import sources

    check_unlocked(zone, year, month)
    indicators = Indicator.objects.exclude(origin=Indicator.Origin.ENTERED).filter(is_active=True)
    if codes:
        indicators = indicators.filter(code__in=codes)
    saved = []
    for indicator in indicators:
        value = sources.compute(indicator, zone, year, month)
        if value is None:
            continue
        saved.append(
            save_value(
                zone=zone,
                indicator=indicator,
                year=year,
                month=month,
                value=value,
                source=_("computed: {origin}").format(origin=indicator.get_origin_display()),
                acting_user=acting_user,
            )
        )
    return saved
