"""Every rule of the enterprises app: tiers, the pyramid, scale-up candidates, coverage,
month locks, visits, the cultivation pool, idle-enterprise revival and liaison cadres.

Writes take a keyword-only ``acting_user``, run in one transaction, raise ``ValidationError``
or ``PermissionDenied`` and change nothing on error. Reads take querysets that the caller
has already restricted to what the user may see.
"""

import csv
import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access.permissions import ADD, CHANGE, VIEW, role_may
from zoneops.core.access.privacy import mask_phone
from zoneops.core.files.import_engine import ImportEngine
from zoneops.core.files.imports import ImportResult, RowError, bulk_items_error
from zoneops.core.files.photos import check_photo
from zoneops.core.models import Role, User, Zone
from zoneops.core.registries import background
from zoneops.core.registries import writes as core_writes
from zoneops.core.registries.periods import month_reopened
from zoneops.enterprises import uscc
from zoneops.enterprises.importers import FigureImporter, _decimal
from zoneops.enterprises.industries import DATA
from zoneops.enterprises.locks import (  # noqa: F401  (callers use them as services.*)
    editors_of,
    ensure_unlocked,
    is_locked,
    locked_message,
    locked_zone_ids,
    note_editors,
)
from zoneops.enterprises.models import (
    TIER_RANK,
    Certification,
    Contact,
    CultivationEntry,
    Enterprise,
    IdleRevival,
    Industry,
    LiaisonAssignment,
    MonthApproval,
    MonthlyFigure,
    RevivalGoal,
    ScaleUpApplication,
    ScaleUpEvent,
    SupportMeasure,
    Tier,
    Visit,
    VisitPhoto,
)

RANK_TIER = {rank: tier for tier, rank in TIER_RANK.items()}


def today() -> dt.date:
    return timezone.localdate()


def _require(user, action: str, obj) -> None:
    """``user`` may do ``action`` on ``obj`` (role and zone), or PermissionDenied."""
    model = type(obj)
    if user is None:
        return  # system jobs (demo, generate, commands)
    if not role_may(user, action, model):
        raise PermissionDenied(_("Your role may not do this."))
    if obj.pk is None:
        return
    if not model.objects.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("This record belongs to a zone you are not granted."))


def _require_enterprise(user, enterprise: Enterprise) -> None:
    if user is None or user.is_zone_admin:
        return
    if not user.visible_zones().filter(pk=enterprise.zone_id).exists():
        raise PermissionDenied(_("This enterprise belongs to a zone you are not granted."))


# Phones ------------------------------------------------------------------------------------


def may_see_phones(user) -> bool:
    """Administrators, zone staff and liaison cadres call enterprises; leaders read masked."""
    return bool(user and user.is_authenticated and user.is_superuser) or (
        getattr(user, "role", None) in Contact.phone_roles
    )


def phone_for(user, phone: str) -> str:
    return phone if may_see_phones(user) else mask_phone(phone)


MOBILE_RE = re.compile(r"1[3-9]\d{9}")


def clean_phone(text: str) -> str:
    """A contact's phone as stored: an 11-digit mobile (``13812341234``) or a landline with
    its area code as digits (``043188600010``, an extension after a hyphen: ``043188600010-801``).

    Spaces, hyphens, brackets and a leading +86 are accepted and dropped; anything else raises
    ``ValidationError``. Empty stays empty.
    """
    raw = (text or "").strip()
    if not raw:
        return ""
    compact = re.sub(r"[\s()（）]", "", raw).lower()
    compact = re.sub(r"^(?:\+|00)?86(?=1[3-9]\d{9}$)", "", compact)
    if MOBILE_RE.fullmatch(compact.replace("-", "")):
        return compact.replace("-", "")
    match = re.fullmatch(r"(0\d{2,3})-?(\d{7,8})(?:(?:转|ext\.?|x|-)(\d{1,6}))?", compact)
    if match:
        area, number, extension = match.groups()
        return f"{area}{number}" + (f"-{extension}" if extension else "")
    raise ValidationError(
        _(
            "Not a phone number: give an 11-digit mobile number (13812341234) or a landline "
            "with its area code (0431-88600010)."
        ),
        code="phone",
    )


# Above-scale thresholds --------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    sector: str
    label: str
    prefixes: tuple[str, ...]
    measure: str  # "revenue" or "qualification"
    amount: Decimal | None  # 万元 of annual revenue
    source: str
    from_year: int = 0  # the first statistical year it applies to
    to_year: int | None = None  # the last one; None: until replaced

    def applies_to(self, year: int) -> bool:
        return self.from_year <= year and (self.to_year is None or year <= self.to_year)

    @property
    def years(self) -> str:
        return f"{self.from_year}–{self.to_year or ''}"


def parse_thresholds(text: str) -> tuple[Threshold, ...]:
    """Thresholds from the CSV text; each sector's years may not overlap (one threshold per
    sector and year), and a row needs its first year: refused with a message naming the rule."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    result = []
    for number, row in enumerate(csv.DictReader(lines), start=2):
        try:
            from_year = int(row["from_year"])
            to_year = int(row["to_year"]) if (row.get("to_year") or "").strip() else None
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                _("Threshold row {row}: give the year it takes effect (from_year).").format(
                    row=number
                ),
                code="threshold_year",
            ) from None
        if to_year is not None and to_year < from_year:
            raise ValidationError(
                _("Threshold row {row}: it ends ({end}) before it takes effect ({start}).").format(
                    row=number, end=to_year, start=from_year
                ),
                code="threshold_year",
            )
        result.append(
            Threshold(
                sector=row["sector"],
                label=row["label"],
                prefixes=tuple(p.strip() for p in row["prefixes"].split(";") if p.strip()),
                measure=row["measure"],
                amount=Decimal(row["threshold"]) if row["threshold"] else None,
                source=row["source"],
                from_year=from_year,
                to_year=to_year,
            )
        )
    by_sector: dict[str, list[Threshold]] = defaultdict(list)
    for threshold in result:
        by_sector[threshold.sector].append(threshold)
    for sector, rows in by_sector.items():
        rows.sort(key=lambda t: t.from_year)
        for earlier, later in zip(rows, rows[1:], strict=False):
            if earlier.to_year is None or earlier.to_year >= later.from_year:
                raise ValidationError(
                    _(
                        "The thresholds of {sector} overlap ({a} and {b}): a sector has one "
                        "threshold per year, so the earlier one must end before the later one "
                        "takes effect."
                    ).format(sector=sector, a=earlier.years, b=later.years),
                    code="threshold_overlap",
                )
    return tuple(result)


@lru_cache(maxsize=1)
def threshold_history() -> tuple[Threshold, ...]:
    """Every threshold from ``data/above_scale_thresholds.csv``, with the years it applies to."""
    return parse_thresholds((DATA / "above_scale_thresholds.csv").read_text(encoding="utf-8"))


def thresholds(year: int | None = None) -> tuple[Threshold, ...]:
    """The thresholds that apply to a statistical year (by default the current one)."""
    year = year or today().year
    return tuple(t for t in threshold_history() if t.applies_to(year))


@lru_cache(maxsize=8192)
def _threshold_for(full_code: str, year: int) -> Threshold | None:
    best, best_length = None, 0
    for threshold in thresholds(year):
        for prefix in threshold.prefixes:
            if full_code.startswith(prefix) and len(prefix) > best_length:
                best, best_length = threshold, len(prefix)
    return best


def threshold_for(full_code: str | None, year: int | None = None) -> Threshold | None:
    """The threshold of the sector an industry code (with section letter) belongs to, as it
    applies to ``year`` (by default the current one)."""
    if not full_code:
        return None
    return _threshold_for(full_code, year or today().year)


# Tiers and the pyramid -----------------------------------------------------------------------


def valid_on(day: dt.date) -> Q:
    return Q(issued_on__lte=day) & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))


def tier_of(enterprise: Enterprise, on: dt.date | None = None) -> str | None:
    """The highest tier an enterprise holds a valid certification for on a day."""
    on = on or today()
    rank = (
        enterprise.certifications.filter(valid_on(on), rank__gt=0)
        .order_by("-rank")
        .values_list("rank", flat=True)
        .first()
    )
    return RANK_TIER.get(rank)


def tier_for_rank(rank: int | None) -> str | None:
    """The tier of a ``current_tier_rank`` annotation's value."""
    return RANK_TIER.get(rank)


def with_tier_rank(qs: QuerySet) -> QuerySet:
    """Enterprises with ``tier_rank`` (today's highest valid certification's rank): the
    tier of a whole page in its one query instead of one query per enterprise (``tier_of``)."""
    return qs.annotate(tier_rank=current_tier_rank())


def current_tier_rank(on: dt.date | None = None) -> Subquery:
    """An annotation: the rank of the highest valid certification (None for no tier)."""
    on = on or today()
    return Subquery(
        Certification.objects.filter(valid_on(on), enterprise=OuterRef("pk"), rank__gt=0)
        .order_by("-rank")
        .values("rank")[:1]
    )


def holding(qs: QuerySet, tier: str, on: dt.date | None = None) -> QuerySet:
    """Enterprises of ``qs`` holding a valid certification of ``tier`` on a day."""
    on = on or today()
    ids = Certification.objects.filter(valid_on(on), kind=tier).values("enterprise_id")
    return qs.filter(pk__in=ids)


def with_tier(qs: QuerySet, tier: str, on: dt.date | None = None) -> QuerySet:
    """Enterprises of ``qs`` whose highest valid tier is ``tier``."""
    return qs.annotate(_tier_rank=current_tier_rank(on)).filter(_tier_rank=TIER_RANK[tier])


@dataclass
class PyramidLevel:
    tier: str
    label: str
    holders: int = 0  # valid certification of this tier (an enterprise may count on several)
    highest: int = 0  # this tier is the enterprise's highest
    added: int = 0  # holds it now, did not at the end of last year
    lost: int = 0  # held it at the end of last year, does not now
    width: int = 0  # percent, for the drawing


@dataclass
class Pyramid:
    zone: Zone
    on: dt.date
    levels: list[PyramidLevel]  # top (unicorn) first
    enterprises: int
    by_child: list[tuple[Zone, dict[str, int]]] = field(default_factory=list)


def pyramid(zone: Zone, on: dt.date | None = None) -> Pyramid:
    """Counts per tier for a zone and its sub-zones, with this year's additions and losses."""
    on = on or today()
    year_start = dt.date(on.year - 1, 12, 31)  # the state at the end of last year
    zone_ids = zone.subtree_ids()
    rows = Certification.objects.filter(
        enterprise__zone_id__in=zone_ids,
        rank__gt=0,
        issued_on__lte=on,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=year_start))
    now: dict[int, set[int]] = defaultdict(set)
    before: dict[int, set[int]] = defaultdict(set)
    highest: dict[int, int] = {}
    enterprise_path: dict[int, str] = {}
    for enterprise_id, rank, issued_on, expires_on, path in rows.values_list(
        "enterprise_id", "rank", "issued_on", "expires_on", "enterprise__zone__path"
    ).iterator(chunk_size=5000):
        if expires_on is None or expires_on >= on:
            now[rank].add(enterprise_id)
            if rank > highest.get(enterprise_id, 0):
                highest[enterprise_id] = rank
            enterprise_path[enterprise_id] = path
        if issued_on <= year_start:
            before[rank].add(enterprise_id)
    levels = []
    highest_counts: dict[int, int] = defaultdict(int)
    for rank in highest.values():
        highest_counts[rank] += 1
    for tier, label in reversed(Tier.choices):
        rank = TIER_RANK[tier]
        levels.append(
            PyramidLevel(
                tier=tier,
                label=str(label),
                holders=len(now[rank]),
                highest=highest_counts[rank],
                added=len(now[rank] - before[rank]),
                lost=len(before[rank] - now[rank]),
            )
        )
    widest = max((level.holders for level in levels), default=0) or 1
    for level in levels:
        level.width = max(10, 5 * round(20 * level.holders / widest)) if level.holders else 5
    total = Enterprise.objects.filter(zone_id__in=zone_ids).count()
    children = list(zone.children.all())
    by_child = []
    if children:
        prefix = len(zone.path)
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for rank, ids in now.items():
            tier = RANK_TIER[rank]
            for enterprise_id in ids:
                segment = enterprise_path[enterprise_id][prefix:].split("/", 1)[0]
                counts[segment][tier] += 1
        by_child = [(child, dict(counts.get(str(child.pk), {}))) for child in children]
    return Pyramid(zone=zone, on=on, levels=levels, enterprises=total, by_child=by_child)


# Scale-up candidates ---------------------------------------------------------------------------


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


def latest_period(qs: QuerySet) -> tuple[int, int] | None:
    """The most recent (year, month) with figures for the enterprises of ``qs``.

    Walks the periods of all figures from the newest (the ``figure_period_revenue`` index
    gives them in order) and stops at the first one in which one of ``qs`` has a figure:
    usually the first, so no sort of the zone's tens of thousands of figures is needed.
    """
    members = qs.values("pk")
    figures = MonthlyFigure.objects.filter(enterprise__in=members)
    periods = MonthlyFigure.objects.order_by("-year", "-month").values_list("year", "month")
    period = periods.first()
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


def scale_up_candidates(
    qs: QuerySet,
    *,
    year: int | None = None,
    month: int | None = None,
    margin: Decimal = Decimal("0.2"),
) -> list[Candidate]:
    """Operating enterprises of ``qs`` not above scale whose revenue reaches their sector's
    threshold over the trailing twelve months, or is within ``margin`` of it and, growing as
    this year so far, reaches it by the end of the year. The reason is given for each.
    """
    base = qs.filter(above_scale=False, status=Enterprise.Status.OPERATING)
    if year is None or month is None:
        period = latest_period(base)
        if period is None:
            return []
        year, month = period
    threshold_of, industries_by_amount = _revenue_thresholds(base, year)
    if not threshold_of:
        return []
    rows = _near_threshold(base, year, month, margin, threshold_of, industries_by_amount)
    result = []
    for enterprise_id, industry_id, ytd, full, same in rows:
        candidate = _candidate(
            enterprise_id, threshold_of[industry_id], month, margin, ytd, full, same
        )
        if candidate is not None:
            result.append(candidate)
    result.sort(key=lambda c: c.ttm_revenue / c.threshold, reverse=True)
    return result


def _revenue_thresholds(base: QuerySet, year: int):
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


def _near_threshold(base, year, month, margin, threshold_of, industries_by_amount):
    """One query: each enterprise with this month's, last year's same month's and last
    December's year-to-date revenue (three joins on the figures' unique index), screened in
    the database against its threshold less the margin; most enterprises are far below and
    never reach Python. The exact rules (``_candidate``) run on what is left."""

    def figures_of(fig_year: int, fig_month: int) -> FilteredRelation:
        return FilteredRelation(
            "figures", condition=Q(figures__year=fig_year, figures__month=fig_month)
        )

    money = DecimalField(max_digits=16, decimal_places=2)
    relations = {"fig_now": figures_of(year, month), "fig_same": figures_of(year - 1, month)}
    if month != 12:
        relations["fig_full"] = figures_of(year - 1, 12)
    full_revenue = "fig_full__main_revenue" if month != 12 else "fig_same__main_revenue"
    threshold_amount = Case(
        *[
            When(industry_id__in=ids, then=Value(amount))
            for amount, ids in industries_by_amount.items()
        ],
        output_field=money,
    )
    return (
        base.filter(industry_id__in=list(threshold_of))
        .annotate(**relations)
        .annotate(
            ytd=F("fig_now__main_revenue"),
            same=F("fig_same__main_revenue"),
            full=F(full_revenue),
        )
        .filter(ytd__isnull=False)
        .annotate(
            rough=ExpressionWrapper(
                F("ytd") + Coalesce(F("full") - F("same"), Value(Decimal(0))),
                output_field=money,
            )
        )
        .filter(rough__gte=threshold_amount * (1 - margin) - 1)
        .order_by()
        .values_list("pk", "industry_id", "ytd", "full", "same")
    )


def _candidate(enterprise_id, threshold, month, margin, ytd, full, same) -> Candidate | None:
    """A candidate if the trailing twelve months' revenue reaches the threshold, or comes
    within ``margin`` of it and this year's growth carries it there by December."""
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
    if ttm >= amount:
        reached = True
    elif ttm >= amount * (1 - margin) and projected is not None and projected >= amount:
        reached = False
    else:
        return None
    return Candidate(
        enterprise_id=enterprise_id,
        sector=threshold.label,
        threshold=amount,
        ttm_revenue=ttm,
        ytd_revenue=ytd,
        yoy=yoy.quantize(Decimal("0.1")) if yoy is not None else None,
        projected=projected.quantize(Decimal("0.01")) if projected else None,
        reached=reached,
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


# 升规入统 as a process, and manual changes of the above-scale status ------------------------------

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
        on or today(),
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
    on = on or today()
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
        since = enterprise.above_scale_since or today()
    enterprise.above_scale, enterprise.above_scale_since = above_scale, since
    enterprise.save(update_fields=["above_scale", "above_scale_since", "updated_at"])
    _event(
        enterprise,
        None,
        ScaleUpEvent.Type.MARKED_ABOVE if above_scale else ScaleUpEvent.Type.MARKED_BELOW,
        "above" if before else "below",
        "above" if above_scale else "below",
        since or today(),
        acting_user,
        reason,
    )
    return enterprise


# Coverage: visits --------------------------------------------------------------------------


def without_recent_visit(qs: QuerySet, days: int, on: dt.date | None = None) -> QuerySet:
    """Operating above-scale enterprises of ``qs`` not visited in the last ``days`` days."""
    on = on or today()
    since = on - dt.timedelta(days=days)
    recent = Visit.objects.filter(visited_on__gt=since, visited_on__lte=on).values("enterprise_id")
    return (
        qs.filter(above_scale=True, status=Enterprise.Status.OPERATING)
        .exclude(pk__in=recent)
        .annotate(last_visit=Max("visits__visited_on"))
    )


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def visited_too_often(qs: QuerySet, times: int, year: int, month: int) -> QuerySet:
    """无事不扰: enterprises of ``qs`` visited more than ``times`` times in a month."""
    first, last = month_bounds(year, month)
    in_month = Q(visits__visited_on__gte=first, visits__visited_on__lte=last)
    return qs.annotate(visits_in_month=Count("visits", filter=in_month)).filter(
        visits_in_month__gt=times
    )


@transaction.atomic
def record_visit(
    enterprise: Enterprise,
    *,
    acting_user: User,
    visited_on: dt.date | None = None,
    cadre: User | None = None,
    people_met: str = "",
    findings: str = "",
    appeals_raised: str = "",
    photos=(),
) -> Visit:
    """A cadre's visit, with the photos taken there (their location removed).

    A liaison cadre records their own visits only."""
    if acting_user is not None:
        if not role_may(acting_user, ADD, Visit):
            raise PermissionDenied(_("Your role may not record visits."))
        _require_enterprise(acting_user, enterprise)
    cadre = cadre or acting_user
    if cadre is None:
        raise ValidationError(_("A visit needs the cadre who made it."))
    if acting_user is not None and acting_user.role == Role.LIAISON and cadre != acting_user:
        raise PermissionDenied(_("A liaison cadre records their own visits."))
    visited_on = visited_on or today()
    if visited_on > today():
        raise ValidationError(_("A visit cannot be in the future."))
    checked = [check_photo(upload) for upload in photos]
    visit = Visit.objects.create(
        enterprise=enterprise,
        cadre=cadre,
        visited_on=visited_on,
        people_met=people_met,
        findings=findings,
        appeals_raised=appeals_raised,
    )
    for photo in checked:
        _store_visit_photo(visit, photo, acting_user)
    return visit


@transaction.atomic
def add_visit_photo(visit: Visit, upload, *, acting_user: User) -> VisitPhoto:
    """Add a photo to a visit (its location removed); a liaison cadre to their own visits."""
    if not Visit.objects.restrict(acting_user, CHANGE).filter(pk=visit.pk).exists():
        raise PermissionDenied(_("You may not add photos to this visit."))
    if acting_user.role == Role.LIAISON and visit.cadre_id != acting_user.pk:
        raise PermissionDenied(_("A liaison cadre changes their own visits only."))
    return _store_visit_photo(visit, check_photo(upload), acting_user)


def _store_visit_photo(visit: Visit, photo, acting_user) -> VisitPhoto:
    return VisitPhoto.store(
        photo.content,
        name=photo.name,
        content_type=photo.content_type,
        uploaded_by=acting_user,
        visit=visit,
    )


# Liaison cadres ------------------------------------------------------------------------------


def my_enterprises(user) -> QuerySet:
    return Enterprise.objects.restrict(user, VIEW).filter(liaison_assignments__user=user)


@transaction.atomic
def assign_liaison(
    enterprise: Enterprise, user: User, *, acting_user: User, is_lead: bool = False
) -> LiaisonAssignment:
    if acting_user is not None and not role_may(acting_user, ADD, LiaisonAssignment):
        raise PermissionDenied(_("Your role may not assign liaison cadres."))
    _require_enterprise(acting_user, enterprise)
    if not user.is_active:
        raise ValidationError(_("{user} is not an active user.").format(user=user))
    if not user.visible_zones().filter(pk=enterprise.zone_id).exists():
        raise ValidationError(
            _("{user} is not granted the zone of {enterprise}.").format(
                user=user, enterprise=enterprise
            )
        )
    assignment, _created = LiaisonAssignment.objects.get_or_create(
        enterprise=enterprise, user=user, defaults={"is_lead": is_lead}
    )
    if assignment.is_lead != is_lead:
        assignment.is_lead = is_lead
        assignment.save(update_fields=["is_lead", "updated_at"])
    return assignment


# Cultivation pool ---------------------------------------------------------------------------


@transaction.atomic
def add_to_pool(
    enterprise: Enterprise,
    *,
    acting_user: User,
    target: str,
    target_year: int,
    measures: list[dict] | None = None,
    progress: str = "",
) -> CultivationEntry:
    """Put an enterprise in the cultivation pool with its support plan (一企一策)."""
    if acting_user is not None and not role_may(acting_user, ADD, CultivationEntry):
        raise PermissionDenied(_("Your role may not add to the cultivation pool."))
    _require_enterprise(acting_user, enterprise)
    if target == CultivationEntry.Target.SCALE_UP and enterprise.above_scale:
        raise ValidationError(
            _("{enterprise} is already above scale.").format(enterprise=enterprise)
        )
    if target in TIER_RANK and tier_of(enterprise) == target:
        raise ValidationError(
            _("{enterprise} already holds this tier.").format(enterprise=enterprise)
        )
    if CultivationEntry.objects.filter(
        enterprise=enterprise, target=target, target_year=target_year
    ).exists():
        raise ValidationError(_("This enterprise is already in the pool with this target."))
    entry = CultivationEntry.objects.create(
        enterprise=enterprise, target=target, target_year=target_year, progress=progress
    )
    for measure in measures or []:
        SupportMeasure.objects.create(entry=entry, **measure)
    return entry


@transaction.atomic
def add_progress_note(entry: CultivationEntry, text: str, *, acting_user: User) -> None:
    """Append a dated, signed line to the entry's progress notes."""
    _require(acting_user, CHANGE, entry)
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the note first."))
    who = str(acting_user) if acting_user else _("system")
    line = f"{today():%Y-%m-%d} {who}: {text}"
    entry.progress = f"{entry.progress}\n{line}".strip()
    entry.save(update_fields=["progress", "updated_at"])


# Idle enterprises ----------------------------------------------------------------------------

REVIVAL_MOVES = {
    IdleRevival.Status.IDLE: {IdleRevival.Status.REVIVING, IdleRevival.Status.EXITED},
    IdleRevival.Status.REVIVING: {
        IdleRevival.Status.REVIVED,
        IdleRevival.Status.EXITED,
        IdleRevival.Status.IDLE,
    },
    IdleRevival.Status.REVIVED: set(),
    IdleRevival.Status.EXITED: set(),
}


@transaction.atomic
def set_revival_status(
    revival: IdleRevival, status: str, *, acting_user: User, on: dt.date | None = None
) -> IdleRevival:
    """idle → reviving → revived / exited. A revived enterprise is operating again; one
    that exits is deregistered."""
    _require(acting_user, CHANGE, revival)
    revival = IdleRevival.objects.select_for_update().get(pk=revival.pk)
    if status not in REVIVAL_MOVES.get(revival.status, set()):
        raise ValidationError(
            _("An idle enterprise cannot go from “{old}” to “{new}”.").format(
                old=revival.get_status_display(),
                new=IdleRevival.Status(status).label if status in IdleRevival.Status else status,
            )
        )
    revival.status = status
    fields = ["status", "updated_at"]
    if status in (IdleRevival.Status.REVIVED, IdleRevival.Status.EXITED):
        revival.resolved_on = on or today()
        fields.append("resolved_on")
        enterprise = revival.enterprise
        enterprise.status = (
            Enterprise.Status.OPERATING
            if status == IdleRevival.Status.REVIVED
            else Enterprise.Status.DEREGISTERED
        )
        enterprise.save(update_fields=["status", "updated_at"])
    revival.save(update_fields=fields)
    return revival


@dataclass
class RevivalProgress:
    zone: Zone
    year: int
    target: int | None
    revived: int
    exited: int
    open: int

    @property
    def remaining(self) -> int | None:
        return None if self.target is None else max(self.target - self.revived, 0)


def revival_progress(zone: Zone, year: int) -> RevivalProgress:
    """A zone's revival goal for a year against revivals in its subtree (清零 when 0 open)."""
    goal = RevivalGoal.objects.filter(zone=zone, year=year).first()
    counts = dict(
        IdleRevival.objects.filter(enterprise__zone__path__startswith=zone.path, year=year)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return RevivalProgress(
        zone=zone,
        year=year,
        target=goal.target if goal else None,
        revived=counts.get(IdleRevival.Status.REVIVED, 0),
        exited=counts.get(IdleRevival.Status.EXITED, 0),
        open=counts.get(IdleRevival.Status.IDLE, 0) + counts.get(IdleRevival.Status.REVIVING, 0),
    )


# Monthly figures and month locks --------------------------------------------------------------


@transaction.atomic
def delete_figure(figure: MonthlyFigure, *, acting_user) -> None:
    """Delete an enterprise's monthly figures; an approved (locked) month is refused."""
    if is_locked(figure.enterprise, figure.year, figure.month):
        raise PermissionDenied(locked_message(figure.year, figure.month))
    core_writes.delete_object(figure, acting_user=acting_user)


@transaction.atomic
def update_visit(visit: Visit, *, acting_user, fields=None) -> Visit:
    """Change a visit's record; a liaison cadre changes their own visits only."""
    liaison = acting_user is not None and acting_user.role == Role.LIAISON
    if liaison and visit.cadre_id != acting_user.pk:
        raise PermissionDenied(_("A liaison cadre changes their own visits only."))
    return core_writes.save_object(visit, acting_user=acting_user, fields=fields)


@transaction.atomic
def add_measure(measure: SupportMeasure, *, acting_user, fields=None) -> SupportMeasure:
    """Add a support measure to a cultivation entry the user may change."""
    entry = measure.entry
    if acting_user is not None and (
        not CultivationEntry.objects.restrict(acting_user, CHANGE).filter(pk=entry.pk).exists()
    ):
        raise PermissionDenied(_("Unknown cultivation pool entry."))
    return core_writes.save_object(measure, acting_user=acting_user, fields=fields)


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


# Certifications --------------------------------------------------------------------------------


def expiring(qs: QuerySet, days: int, on: dt.date | None = None) -> QuerySet:
    """Certifications of ``qs`` valid today that expire within ``days`` days."""
    on = on or today()
    return qs.filter(expires_on__gte=on, expires_on__lte=on + dt.timedelta(days=days))


# Bulk upsert from other systems (API) ------------------------------------------------------------

FIGURES_BULK_WORK = "enterprises.figures_bulk"  # a large bulk call, as a job (后台作业)
BULK_FIGURE_KEYS = frozenset({"uscc", "enterprise", "year", "month", "source", *FIGURE_FIELDS})


@transaction.atomic
def upsert_monthly_figures(items, *, acting_user: User, source: str = "api") -> ImportResult:
    """Create or update monthly figures keyed by (enterprise, year, month), all or nothing.

    Each item names its enterprise by ``uscc`` (or ``enterprise``, the id) and gives ``year``,
    ``month`` and any of the figures; figures left out keep their value (0 on a new row). The
    same rules as one figure: the enterprise in the user's zones, the role's right to add and
    change figures, no approved (locked) month, no negative amount but tax. Errors name the
    item's index (from 0), the field and the reason, like the Excel import's; on any error
    nothing is written. Every write leaves its audit row.
    """
    if not (
        role_may(acting_user, ADD, MonthlyFigure) and role_may(acting_user, CHANGE, MonthlyFigure)
    ):
        raise PermissionDenied(_("Your role may not record monthly figures."))
    result = ImportResult()
    refused = bulk_items_error(items)
    if refused is not None:
        result.errors.append(refused)
        return result
    return _FigureItems(acting_user, source).import_rows("api", items)


class _FigureItems(ImportEngine):
    """The records of a bulk request through the import engine: every item checked (and
    locked months refused), then all written or none."""

    def __init__(self, user: User, source: str):
        super().__init__(user)
        self.source = source
        self.zone_of: dict[int, int] = {}

    def check(self, items, result: ImportResult) -> list[tuple]:
        parsed = _parse_figure_items(items, self.user, self.source, result.errors.append)
        if result.errors:
            return []
        self.zone_of = dict(
            Enterprise.objects.filter(pk__in={k[0] for _i, k, _v, _s in parsed}).values_list(
                "pk", "zone_id"
            )
        )
        _refuse_locked_months(parsed, self.zone_of, result.errors.append)
        return parsed

    def write(self, name: str, parsed: list[tuple], result: ImportResult) -> None:
        zone_of = self.zone_of
        note_editors(self.user, {(zone_of[k[0]], k[1], k[2]) for _i, k, _v, _s in parsed})
        result.created, result.updated = _write_figure_items(parsed, zone_of)


class _FigureTargets:
    """The enterprises a bulk request's items may name (by USCC or id), in the user's zones."""

    def __init__(self, items, acting_user: User):
        visible = Enterprise.objects.restrict(acting_user, VIEW)
        usccs = {str(i.get("uscc", "")).strip().upper() for i in items if isinstance(i, dict)}
        ids = {
            i.get("enterprise")
            for i in items
            if isinstance(i, dict)
            and type(i.get("enterprise")) is int
            and 0 < i["enterprise"] < 2**63
        }
        self.by_uscc = dict(visible.filter(uscc__in=usccs).values_list("uscc", "pk"))
        self.known_ids = set(
            visible.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list(
                "pk", flat=True
            )
        )

    def enterprise_of(self, index: int, item: dict, error) -> int | None:
        """The id of the item's enterprise; None (with its error) if it names none the user
        sees."""
        if item.get("enterprise") not in (None, ""):
            enterprise_id = item["enterprise"]
            if type(enterprise_id) is not int or enterprise_id not in self.known_ids:
                error(
                    RowError(
                        index,
                        "enterprise",
                        str(enterprise_id)[:100],
                        _("No such enterprise in the zones you are granted."),
                    )
                )
                return None
            return enterprise_id
        code = str(item.get("uscc") or "").strip().upper()
        enterprise_id = self.by_uscc.get(code)
        if enterprise_id is None:
            reason = uscc.problem(code) or _("No such enterprise in the zones you are granted.")
            error(RowError(index, "uscc", code[:100], reason))
        return enterprise_id


def _parse_figure_items(items, acting_user: User, source: str, error) -> list[tuple]:
    """Every item checked: (index, (enterprise id, year, month), figures, source) of the good
    ones; the bad ones' errors go to ``error``."""
    targets = _FigureTargets(items, acting_user)
    parsed = []
    seen: dict[tuple, int] = {}
    report = background.report  # a job's progress (and cancel); nothing outside a job
    for index, item in enumerate(items):
        if not index % 200:
            report(index, len(items), background.CHECKING)
        if not isinstance(item, dict):
            error(RowError(index, "", "", _("Each record is an object.")))
            continue
        unknown = sorted(set(item) - BULK_FIGURE_KEYS)
        if unknown:
            error(RowError(index, unknown[0], "", _("Unknown field.")))
            continue
        enterprise_id = targets.enterprise_of(index, item, error)
        if enterprise_id is None:
            continue
        period = _item_period(index, item, error)
        if period is None:
            continue
        key = (enterprise_id, *period)
        if key in seen:
            error(
                RowError(
                    index,
                    "uscc" if "uscc" in item else "enterprise",
                    str(item.get("uscc") or item.get("enterprise")),
                    _("Duplicates record {row} of this request.").format(row=seen[key]),
                )
            )
            continue
        seen[key] = index
        values = _item_figures(index, item, error)
        parsed.append((index, key, values, str(item.get("source") or source)[:300]))
    return parsed


def _item_period(index: int, item: dict, error) -> tuple[int, int] | None:
    """(year, month) of an item; None (with its error) if either is missing or out of range."""
    period = []
    for name, low, high in (("year", 2000, 2100), ("month", 1, 12)):
        value = item.get(name)
        if isinstance(value, bool) or not isinstance(value, int | str):
            value = None
        try:
            number = int(str(value).strip())
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            error(RowError(index, name, str(item.get(name, ""))[:100], _("Not a year and month.")))
            return None
        period.append(number)
    return period[0], period[1]


@functools.cache
def _figure_limits() -> dict[str, Decimal]:
    return {
        name: Decimal(2**31)
        if name == "employees"
        else Decimal(10) ** (f.max_digits - f.decimal_places)
        for name in FIGURE_FIELDS
        for f in [MonthlyFigure._meta.get_field(name)]
    }


def _item_figures(index: int, item: dict, error) -> dict:
    """The figures an item gives, as numbers; each bad one is an error."""
    limits = _figure_limits()
    values = {}
    for name in FIGURE_FIELDS:
        if name not in item:
            continue
        raw = item[name]
        try:
            number = _decimal(raw)
        except ValueError:
            error(RowError(index, name, str(raw)[:100], _("Not a number.")))
            continue
        if abs(number) >= limits[name]:
            error(RowError(index, name, str(raw)[:100], _("Too large.")))
        elif number < 0 and name not in FigureImporter.may_be_negative:
            error(RowError(index, name, str(raw)[:100], _("Cannot be negative.")))
        elif name == "employees" and number != int(number):
            error(RowError(index, name, str(raw)[:100], _("Not a whole number.")))
        else:
            values[name] = int(number) if name == "employees" else number
    return values


def _refuse_locked_months(parsed: list[tuple], zone_of: dict[int, int], error) -> None:
    """An error for every item of an approved (locked) month of its enterprise's zone."""
    locked = {}
    for index, (enterprise_id, year, month), _values, _source in parsed:
        if (year, month) not in locked:
            locked[(year, month)] = locked_zone_ids(year, month)
        if zone_of[enterprise_id] in locked[(year, month)]:
            error(RowError(index, "month", f"{year}-{month:02d}", locked_message(year, month)))


def _write_figure_items(parsed: list[tuple], zone_of: dict[int, int]) -> tuple[int, int]:
    """Create or update each item's figure (one save each: the audit trail and the signals
    see every write); (created, updated)."""
    created = updated = 0
    report = background.report  # a job's progress (and cancel); nothing outside a job
    existing = {}
    for figure in (
        MonthlyFigure.objects.select_for_update()
        .filter(enterprise_id__in=zone_of, year__in={k[1] for _i, k, _v, _s in parsed})
        .select_related("enterprise")
    ):
        existing[(figure.enterprise_id, figure.year, figure.month)] = figure
    for done, (_index, key, values, row_source) in enumerate(parsed):
        if not done % 200:
            report(done, len(parsed), background.WRITING)
        figure = existing.get(key)
        if figure is None:
            MonthlyFigure.objects.create(
                enterprise_id=key[0], year=key[1], month=key[2], source=row_source, **values
            )
            created += 1
            continue
        changed = [name for name, value in values.items() if getattr(figure, name) != value]
        if changed:
            for name in changed:
                setattr(figure, name, values[name])
            figure.save(update_fields=[*changed, "updated_at"])
        updated += 1
    report(len(parsed), len(parsed), background.WRITING)
    return created, updated
