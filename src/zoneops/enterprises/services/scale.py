"""升规入统: scale-up candidates near their industry's threshold, scale-down risks, and the
scale-up application (start, apply, decide) that sets an enterprise above scale."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    F,
    FilteredRelation,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext as _

from zoneops.core.access.permissions import CHANGE, role_may
from zoneops.enterprises.models import (
    Enterprise,
    Industry,
    MonthlyFigure,
    ScaleUpApplication,
    ScaleUpEvent,
    ScaleUpRollup,
)
from zoneops.enterprises.services import common
from zoneops.enterprises.services.common import _require, _require_enterprise
from zoneops.enterprises.services.tiers import Threshold, threshold_for


@dataclass
class Candidate:
    enterprise_id: int
    sector: str
    threshold: Decimal
    ttm_revenue: Decimal  # trailing twelve months
    ytd_revenue: Decimal
    yoy: Decimal | None  # percent, year to date against the same months of last year
    projected: Decimal | None  # this year's revenue at this year's growth
    reached: bool  # the threshold is reached already (else: within the margin, growing)
    margin: Decimal
    enterprise: Enterprise | None = None

    @property
    def reason(self) -> str:
        """Why the enterprise is a candidate (written when shown: lists may be long)."""
        if self.reached:
            return _(
                "Revenue of the last 12 months is {ttm} (10k yuan), at or above the {sector} "
                "threshold of {amount}."
            ).format(
                ttm=_money(self.ttm_revenue), sector=self.sector, amount=_money(self.threshold)
            )
        return _(
            "Revenue of the last 12 months is {ttm}, within {margin}% of the {sector} "
            "threshold of {amount}; at this year's pace the year closes at {projected}."
        ).format(
            ttm=_money(self.ttm_revenue),
            margin=_money(self.margin * 100),
            sector=self.sector,
            amount=_money(self.threshold),
            projected=_money(self.projected),
        )


def latest_period(qs: QuerySet, *, newest=None) -> tuple[int, int] | None:
    """The most recent (year, month) with figures for the enterprises of ``qs``.

    Walks the periods of all figures from the newest (the ``figure_period_revenue`` index
    gives them in order) and stops at the first one in which one of ``qs`` has a figure:
    usually the first, so no sort of the zone's tens of thousands of figures is needed.
    ``newest``: the latest month of all figures, when the caller has read it already.
    """
    members = qs.values("pk")
    figures = MonthlyFigure.objects.filter(enterprise__in=members)
    periods = MonthlyFigure.objects.order_by("-year", "-month").values_list("year", "month")
    period = newest if newest is not None else latest_month_of_all()
    for _tries in range(3):
        if period is None:
            return None
        year, month = period
        if figures.filter(year=year, month=month).exists():
            return (year, month)
        period = periods.filter(Q(year__lt=year) | Q(year=year, month__lt=month)).first()
    # The zone's figures stop well before everyone else's: ask them directly.
    row = figures.order_by("-year", "-month").values_list("year", "month").first()
    return tuple(row) if row else None


# The widest margin the scale-up roll-up keeps rows for (``ScaleUpRollup``): a list with a
# wider one is worked out from the figures.
KEPT_MARGIN = Decimal("0.2")


def scale_up_base(qs: QuerySet) -> QuerySet:
    """The enterprises that may be scale-up candidates: operating, not above scale yet."""
    return qs.filter(above_scale=False, status=Enterprise.Status.OPERATING)


def scale_up_candidates(
    qs: QuerySet,
    *,
    year: int | None = None,
    month: int | None = None,
    margin: Decimal = Decimal("0.2"),
    within=None,
    whole_zones: bool = False,
) -> "CandidateList":
    """Operating enterprises of ``qs`` not above scale whose revenue reaches their sector's
    threshold over the trailing twelve months, or is within ``margin`` of it and, growing as
    this year so far, reaches it by the end of the year; the most advanced first (revenue over
    threshold), with the reason for each.

    The rule, the order and the count are the database's: a zone's tens of thousands of
    enterprises may hold thousands of candidates, of which a page shows fifty. The answer is a
    sequence read a slice at a time (``len()``, ``[a:b]``, iteration in chunks). The latest
    month with figures is read from the roll-up (``ScaleUpRollup``), an older month or a wider
    margin worked out from the figures. ``within``: the ids of the zones ``qs`` is of (a
    queryset will do; None: every zone), so that a zone's list reads the zone's rows of the
    roll-up instead of walking the province's. ``whole_zones``: ``qs`` is every enterprise of
    those zones, no other filter (a list without search or filters): the roll-up's rows alone
    are the answer, without a look at each enterprise.
    """
    base = scale_up_base(qs)
    newest = latest_month_of_all()
    if newest is None:
        return CandidateList.empty()
    if year is None or month is None:
        period = latest_period(base, newest=newest)
        if period is None:
            return CandidateList.empty()
        year, month = period
    if margin <= KEPT_MARGIN and (year, month) == newest:
        if whole_zones:
            return zone_candidates(within, year, month, margin)
        return kept_candidates(base, year, month, margin, within=within)
    return worked_out_candidates(base, year, month, margin)


def latest_month_of_all() -> tuple[int, int] | None:
    """The latest (year, month) of any figure: the month each zone's roll-up rows are of, for
    every zone whose enterprises have figures that month (the others have no candidates in it).
    """
    row = MonthlyFigure.objects.order_by("-year", "-month").values_list("year", "month").first()
    return tuple(row) if row else None


def _rule(margin: Decimal, prefix: str = "") -> Q:
    """The rule on the columns ``ttm``, ``amount`` and ``projection_reaches`` (``judged``'s
    annotations, the roll-up's fields under ``prefix``): reached, or within ``margin`` and the
    projection reaches the threshold."""
    ttm, amount = f"{prefix}ttm", F(f"{prefix}amount")
    return Q(**{f"{ttm}__gte": amount - _SPARE}) | Q(
        **{f"{ttm}__gte": amount * (1 - margin) - _SPARE, f"{prefix}projection_reaches": True}
    )


def zone_candidates(within, year: int, month: int, margin: Decimal) -> "CandidateList":
    """Every candidate of the zones ``within`` (None: every zone) in the latest month: the
    roll-up's rows alone, read from its covering index (a zone's, or the province's in order)."""
    rows = ScaleUpRollup.objects.filter(_rule(margin), year=year, month=month)
    if within is None:
        rows = rows.order_by("-ratio", "enterprise_id")  # the order index, a page's rows
    else:
        # The zones' rows from their index, sorted with their count (the page's window).
        # Ordered on an expression of the ratio: on the ratio itself the planner would walk
        # the province's order index to the end for the count, reading every zone's rows.
        rows = rows.filter(zone_id__in=within).order_by((F("ratio") + 0.0).desc(), "enterprise_id")
    rows = rows.values_list("enterprise_id", "industry_id", "ytd", "full", "same")
    return CandidateList(rows, year=year, month=month, margin=margin, count_apart=within is None)


def kept_candidates(
    base: QuerySet, year: int, month: int, margin: Decimal, *, within=None
) -> "CandidateList":
    """The candidates of ``base`` in the latest month, read from the roll-up's rows (kept for
    ``KEPT_MARGIN``; a narrower ``margin`` filters them); ``within``: as for
    ``scale_up_candidates``."""
    kept = FilteredRelation(
        "scale_up_rollup", condition=Q(scale_up_rollup__year=year, scale_up_rollup__month=month)
    )
    rule = _rule(margin, prefix="kept__")
    if within is not None:
        rule &= Q(kept__zone_id__in=within)  # a zone's rows, not the province's
    rows = (
        base.annotate(kept=kept)
        .filter(rule)  # one filter: one join of the roll-up
        .order_by(F("kept__ratio").desc(), "pk")
        .values_list("pk", "kept__industry_id", "kept__ytd", "kept__full", "kept__same")
    )
    # A zone's page sorts its few thousand rows anyway: their count comes with it. The
    # province's page walks the index, and its count stops at the paginator's limit.
    return CandidateList(rows, year=year, month=month, margin=margin, count_apart=within is None)


def worked_out_candidates(
    base: QuerySet, year: int, month: int, margin: Decimal
) -> "CandidateList":
    """The candidates of ``base`` worked out from the figures of ``year``-``month``."""
    threshold_of, industries_by_amount = revenue_thresholds(base, year)
    if not threshold_of:
        return CandidateList.empty()
    rows = (
        judged(base, year, month, margin, industries_by_amount)
        .order_by(RATIO.desc(), "pk")
        .values_list("pk", "industry_id", "ytd", "full", "same")
    )
    return CandidateList(rows, year=year, month=month, margin=margin, threshold_of=threshold_of)


class CandidateList(Sequence):
    """Scale-up candidates in order, read from the database a slice at a time.

    Worked out from the figures, a slice is one query whose window count gives the total too
    (a page and its count cost one pass over the zone's figures). Read from the roll-up
    (``count_apart``), a page is a walk of its index and the count a query of its own.
    """

    CHUNK = 2000

    def __init__(
        self,
        rows: QuerySet | None,
        *,
        year: int = 0,
        month: int = 0,
        margin: Decimal | None = None,
        threshold_of: dict | None = None,
        count_apart: bool = False,
    ):
        self._rows = rows
        self._year = year
        self._month = month
        self._margin = margin
        self._threshold_of = dict(threshold_of or {})
        self._count_apart = count_apart
        self._total: int | None = None if rows is not None else 0

    @classmethod
    def empty(cls) -> "CandidateList":
        return cls(None)

    def __len__(self) -> int:
        if self._total is None:
            self._total = self._rows.count()
        return self._total

    def count_up_to(self, limit: int) -> int:
        """The total, or ``limit + 1`` when there are more (a page's count stops there)."""
        if self._total is not None:
            return min(self._total, limit + 1)
        counted = self._rows.order_by()[: limit + 1].count()
        if counted <= limit:
            self._total = counted
        return counted

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1):
                return list(self)[index]
            start, stop = index.start or 0, index.stop
            if start < 0 or (stop is not None and stop < 0):
                return list(self)[index]
            return self._fetch(start, stop)
        if index < 0:
            index += len(self)
        found = self._fetch(index, index + 1)
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self):
        for chunk in self.chunks():
            yield from chunk

    def chunks(self, size: int = CHUNK):
        """The candidates in order, ``size`` at a time, from one pass of the query (a
        server-side cursor on PostgreSQL): an export's rows in bounded memory."""
        if self._rows is None:
            return
        rows = []
        for row in self._rows.iterator(chunk_size=size):
            rows.append(row)
            if len(rows) == size:
                yield self._candidates(rows)
                rows = []
        if rows:
            yield self._candidates(rows)

    def _fetch(self, start: int, stop: int | None) -> list[Candidate]:
        if self._rows is None or (stop is not None and stop <= start):
            return []
        if self._count_apart:
            return self._candidates(list(self._rows[start:stop]))
        rows = list(self._rows.annotate(total=Window(Count("*")))[start:stop])
        if rows:
            self._total = rows[0][-1]
        elif start == 0:
            self._total = 0
        return self._candidates([row[:-1] for row in rows])

    def _candidates(self, rows: list[tuple]) -> list[Candidate]:
        missing = {industry_id for _pk, industry_id, *_figures in rows} - set(self._threshold_of)
        if missing:
            industries = Industry.objects.filter(pk__in=missing).values_list(
                "pk", "section", "code"
            )
            for pk, section, code in industries:
                self._threshold_of[pk] = threshold_for(f"{section}{code}", self._year)
        return [
            _candidate(pk, self._threshold_of[industry_id], self._month, self._margin, *figures)
            for pk, industry_id, *figures in rows
        ]


def revenue_thresholds(base: QuerySet, year: int):
    """The revenue threshold of each industry the enterprises are in (a few hundred
    industries, a handful of sectors, hence of amounts), and the industries of each amount."""
    threshold_of: dict[int, Threshold] = {}
    industries_by_amount: dict[Decimal, list[int]] = defaultdict(list)
    industries = Industry.objects.filter(pk__in=base.values("industry_id")).order_by()
    for pk, section, code in industries.values_list("pk", "section", "code"):
        threshold = threshold_for(f"{section}{code}", year)
        if threshold is None or threshold.measure != "revenue" or threshold.amount is None:
            continue
        threshold_of[pk] = threshold
        industries_by_amount[threshold.amount].append(pk)
    return threshold_of, industries_by_amount


# Amounts are whole cents, so their products are whole ten-thousandths: comparing with half of
# that to spare is exact on PostgreSQL's numeric and immune to SQLite's binary floats.
_SPARE = Value(Decimal("0.00005"))
# The lists' order, revenue over threshold: a float ratio orders alike on both databases
# (SQLite divides whole numbers whole).
RATIO = Cast("ttm", FloatField()) / Cast("amount", FloatField())


def judged(base, year, month, margin, industries_by_amount) -> QuerySet:
    """The candidates of ``base`` with the figures that make them so: ``ytd``, ``full``,
    ``same``, the threshold ``amount``, ``ttm`` and ``projection_reaches`` annotated.

    Each enterprise is joined to this month's, last year's same month's and last December's
    year-to-date revenue (the figures' unique index), and the rule is applied in the query:

    - the trailing twelve months (ttm) are ytd + full − same, or ytd without last year;
    - a candidate has ttm ≥ threshold, or ttm ≥ threshold × (1 − margin) and a projection
      (last year's revenue at this year's growth, full × ytd / same; without it, this year's
      monthly pace, ytd × 12 / month) ≥ threshold.
    """

    def figures_of(fig_year: int, fig_month: int) -> FilteredRelation:
        return FilteredRelation(
            "figures", condition=Q(figures__year=fig_year, figures__month=fig_month)
        )

    money = DecimalField(max_digits=16, decimal_places=2)
    relations = {"fig_now": figures_of(year, month), "fig_same": figures_of(year - 1, month)}
    if month != 12:
        relations["fig_full"] = figures_of(year - 1, 12)
    full_revenue = "fig_full__main_revenue" if month != 12 else "fig_same__main_revenue"
    amount = Case(
        *[
            When(industry_id__in=ids, then=Value(amount))
            for amount, ids in industries_by_amount.items()
        ],
        output_field=money,
    )
    if month == 12:
        ttm = F("ytd")
    else:
        ttm = Case(
            When(full__isnull=False, same__isnull=False, then=F("ytd") + F("full") - F("same")),
            default=F("ytd"),
            output_field=money,
        )
    # projected ≥ amount, multiplied out (no division): full × ytd against amount × same,
    # the inequality turned for a negative base; without history ytd × 12 against amount × month.
    with_history = ~Q(full=0) & Q(full__isnull=False)
    projection_reaches = Case(
        When(
            Q(same__gt=0) & with_history,
            then=GreaterThanOrEqual(F("full") * F("ytd") + _SPARE, F("amount") * F("same")),
        ),
        When(
            Q(same__lt=0) & with_history,
            then=GreaterThanOrEqual(F("amount") * F("same") + _SPARE, F("full") * F("ytd")),
        ),
        default=GreaterThanOrEqual(F("ytd") * 12 + _SPARE, F("amount") * month),
        output_field=BooleanField(),
    )
    industry_ids = [pk for ids in industries_by_amount.values() for pk in ids]
    return (
        base.filter(industry_id__in=industry_ids)
        .annotate(**relations)
        .annotate(
            ytd=F("fig_now__main_revenue"),
            same=F("fig_same__main_revenue"),
            full=F(full_revenue),
            amount=amount,
        )
        .filter(ytd__isnull=False)
        .annotate(ttm=ttm, projection_reaches=projection_reaches)
        .filter(_rule(margin))
    )


def _candidate(enterprise_id, threshold, month, margin, ytd, full, same) -> Candidate:
    """The figures shown for a candidate the query found (its reason, growth, projection)."""
    if month == 12:
        ttm = ytd
    elif full is not None and same is not None:
        ttm = ytd + full - same
    else:
        ttm = ytd  # no history: this year so far is all we know
    yoy = (ytd / same - 1) * 100 if same else None
    projected = full * (1 + (ytd / same - 1)) if (full and same) else None
    if projected is None and month:
        projected = ytd * 12 / month  # no history: this year's monthly pace
    amount = threshold.amount
    return Candidate(
        enterprise_id=enterprise_id,
        sector=threshold.label,
        threshold=amount,
        ttm_revenue=ttm,
        ytd_revenue=ytd,
        yoy=yoy.quantize(Decimal("0.1")) if yoy is not None else None,
        projected=projected.quantize(Decimal("0.01")) if projected else None,
        reached=ttm >= amount,
        margin=margin,
    )


@dataclass
class ScaleDownRisk:
    """退规 risk: an enterprise marked above scale whose revenue is below its sector's
    threshold, as the yearly directory review (名录库年审) would find it, or heading there."""

    enterprise_id: int
    sector: str
    full_year: int
    threshold: Decimal  # the threshold of ``full_year``
    full_revenue: Decimal | None  # the last full year's revenue (its December ytd)
    year: int
    month: int
    ytd_revenue: Decimal | None  # this year so far
    projected: Decimal | None  # this year at its pace so far
    current_threshold: Decimal
    enterprise: Enterprise | None = None

    @property
    def below_last_year(self) -> bool:
        """The yearly review finds it below the threshold: 退规 unless the bureau keeps it."""
        return self.full_revenue is not None and self.full_revenue < self.threshold

    @property
    def gap(self) -> Decimal:
        """How much revenue is missing to the threshold (last full year, else projected)."""
        if self.below_last_year:
            return self.threshold - self.full_revenue
        return self.current_threshold - (self.projected or 0)

    @property
    def reason(self) -> str:
        if self.below_last_year:
            text = _(
                "Revenue of {year} was {revenue} (10k yuan), {gap} below the {sector} threshold "
                "of {amount}: the yearly directory review finds it below scale."
            ).format(
                year=self.full_year,
                revenue=_money(self.full_revenue),
                gap=_money(self.gap),
                sector=self.sector,
                amount=_money(self.threshold),
            )
        else:
            text = _(
                "Early warning: {year} so far is {ytd} to {month}, at this pace {projected} for "
                "the year, {gap} below the {sector} threshold of {amount}."
            ).format(
                year=self.year,
                ytd=_money(self.ytd_revenue or 0),
                month=f"{self.year}-{self.month:02d}",
                projected=_money(self.projected or 0),
                gap=_money(self.gap),
                sector=self.sector,
                amount=_money(self.current_threshold),
            )
        return text


def scale_down_risks(
    qs: QuerySet, *, year: int | None = None, month: int | None = None
) -> list[ScaleDownRisk]:
    """Operating enterprises of ``qs`` marked above scale whose last full year's revenue is
    below their sector's threshold of that year, and, as an early warning, those whose
    revenue this year so far, carried to the end of the year at its pace, is below this
    year's threshold. The largest gaps first (relative to the threshold)."""
    base = qs.filter(above_scale=True, status=Enterprise.Status.OPERATING)
    if year is None or month is None:
        period = latest_period(base)
        if period is None:
            return []
        year, month = period
    full_year = year if month == 12 else year - 1
    rows = (
        base.filter(industry__isnull=False)
        .annotate(
            fig_full=FilteredRelation(
                "figures", condition=Q(figures__year=full_year, figures__month=12)
            ),
            fig_now=FilteredRelation(
                "figures", condition=Q(figures__year=year, figures__month=month)
            ),
        )
        .order_by()
        .values_list(
            "pk",
            "industry__section",
            "industry__code",
            "fig_full__main_revenue",
            "fig_now__main_revenue",
        )
    )
    result = []
    for enterprise_id, section, code, full, ytd in rows:
        then = threshold_for(f"{section}{code}", full_year)
        now = threshold_for(f"{section}{code}", year)
        if then is None or now is None or then.amount is None or now.amount is None:
            continue  # by qualification, or no threshold for the sector
        projected = (ytd * 12 / month).quantize(Decimal("0.01")) if ytd is not None else None
        risk = ScaleDownRisk(
            enterprise_id=enterprise_id,
            sector=then.label,
            full_year=full_year,
            threshold=then.amount,
            full_revenue=full,
            year=year,
            month=month,
            ytd_revenue=ytd,
            projected=projected,
            current_threshold=now.amount,
        )
        early = month != 12 and projected is not None and projected < now.amount
        if risk.below_last_year or early:
            result.append(risk)
    result.sort(key=lambda r: (not r.below_last_year, -(r.gap / r.threshold)))
    return result


def _money(value: Decimal) -> str:
    value = Decimal(value).quantize(Decimal("0.01"))
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def attach_enterprises(candidates: list[Candidate]) -> list[Candidate]:
    by_id = Enterprise.objects.select_related("zone", "industry").in_bulk(
        [c.enterprise_id for c in candidates]
    )
    for candidate in candidates:
        candidate.enterprise = by_id.get(candidate.enterprise_id)
    return candidates


Step = ScaleUpApplication.State


def _staff_decides(user, enterprise: Enterprise) -> None:
    """The system (None) or a user whose role may change applications in the enterprise's
    zone; the three administrators take no such decision (三员分立)."""
    if user is None:
        return
    if not role_may(user, CHANGE, ScaleUpApplication) or user.is_zone_admin:
        raise PermissionDenied(_("Your role may not record the scale-up process."))
    _require_enterprise(user, enterprise)


def _event(enterprise, application, kind, before, after, on, user, comment="") -> ScaleUpEvent:
    return ScaleUpEvent.objects.create(
        enterprise=enterprise,
        application=application,
        type=kind,
        from_state=before,
        to_state=after,
        on=on,
        actor=user if user is not None and user.pk else None,
        comment=comment[:300],
    )


@transaction.atomic
def start_scale_up(
    enterprise: Enterprise, *, year: int, on: dt.date | None = None, acting_user
) -> ScaleUpApplication:
    """培育: start the process for an enterprise not yet above scale (one open at a time)."""
    _staff_decides(acting_user, enterprise)
    if enterprise.above_scale:
        raise ValidationError(_("The enterprise is above scale already."), code="above_scale")
    if enterprise.scale_up_applications.filter(state__in=ScaleUpApplication.OPEN_STATES).exists():
        raise ValidationError(
            _("The enterprise's scale-up process is under way already."), code="open"
        )
    application = ScaleUpApplication.objects.create(
        enterprise=enterprise, year=year, state=Step.CULTIVATING
    )
    _event(
        enterprise,
        application,
        ScaleUpEvent.Type.STARTED,
        "",
        Step.CULTIVATING,
        on or common.today(),
        acting_user,
    )
    return application


@transaction.atomic
def apply_scale_up(
    application: ScaleUpApplication, *, on: dt.date | None = None, acting_user
) -> ScaleUpApplication:
    """申报: the zone has applied to the statistics bureau."""
    application = ScaleUpApplication.objects.select_for_update().get(pk=application.pk)
    _staff_decides(acting_user, application.enterprise)
    if application.state != Step.CULTIVATING:
        raise ValidationError(
            _("Only an enterprise being cultivated can be applied for."), code="state"
        )
    on = on or common.today()
    application.state, application.applied_on = Step.APPLIED, on
    application.save(update_fields=["state", "applied_on", "updated_at"])
    _event(
        application.enterprise,
        application,
        ScaleUpEvent.Type.APPLIED,
        Step.CULTIVATING,
        Step.APPLIED,
        on,
        acting_user,
    )
    return application


@transaction.atomic
def decide_scale_up(
    application: ScaleUpApplication,
    *,
    admitted: bool,
    on: dt.date,
    reason: str = "",
    acting_user,
) -> ScaleUpApplication:
    """The bureau's decision, as recorded by the zone: admitted (入统 on ``on``: the enterprise
    becomes above scale since that date) or refused (with the bureau's reason)."""
    application = (
        ScaleUpApplication.objects.select_for_update()
        .select_related("enterprise")
        .get(pk=application.pk)
    )
    enterprise = application.enterprise
    _staff_decides(acting_user, enterprise)
    if application.state != Step.APPLIED:
        raise ValidationError(_("The bureau decides on an application: apply first."), code="state")
    if on is None:
        raise ValidationError(_("Give the date of the decision."), code="date")
    if application.applied_on and on < application.applied_on:
        raise ValidationError(
            _("The decision ({on}) cannot come before the application ({applied}).").format(
                on=on, applied=application.applied_on
            ),
            code="date",
        )
    reason = (reason or "").strip()
    if admitted:
        application.state, application.admitted_on = Step.ADMITTED, on
        enterprise.above_scale, enterprise.above_scale_since = True, on
        enterprise.save(update_fields=["above_scale", "above_scale_since", "updated_at"])
        kind = ScaleUpEvent.Type.ADMITTED
    else:
        if not reason:
            raise ValidationError(_("Give the bureau's reason for the refusal."), code="reason")
        application.state, application.refusal_reason = Step.REFUSED, reason[:300]
        kind = ScaleUpEvent.Type.REFUSED
    application.decided_on = on
    application.save(
        update_fields=["state", "admitted_on", "refusal_reason", "decided_on", "updated_at"]
    )
    _event(enterprise, application, kind, Step.APPLIED, application.state, on, acting_user, reason)
    return application


@transaction.atomic
def set_above_scale(
    enterprise: Enterprise,
    above_scale: bool,
    *,
    since: dt.date | None = None,
    reason: str,
    acting_user,
) -> Enterprise:
    """A change of the above-scale status by hand (the register says so, a correction):
    only with a reason, kept as a typed event beside the audit trail's row."""
    if acting_user is not None:
        _require(acting_user, CHANGE, enterprise)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Changing the above-scale status by hand needs a reason."), code="reason"
        )
    before = enterprise.above_scale
    since = since if above_scale else None
    if above_scale and since is None:
        since = enterprise.above_scale_since or common.today()
    enterprise.above_scale, enterprise.above_scale_since = above_scale, since
    enterprise.save(update_fields=["above_scale", "above_scale_since", "updated_at"])
    _event(
        enterprise,
        None,
        ScaleUpEvent.Type.MARKED_ABOVE if above_scale else ScaleUpEvent.Type.MARKED_BELOW,
        "above" if before else "below",
        "above" if above_scale else "below",
        since or common.today(),
        acting_user,
        reason,
    )
    return enterprise
