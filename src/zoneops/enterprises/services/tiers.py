"""The cultivation tiers (梯度培育): above-scale thresholds by industry and year, the tier a
certification gives while valid, and the pyramid of a zone."""

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db.models import (
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext as _

from zoneops.core.models import Zone
from zoneops.enterprises.industries import DATA
from zoneops.enterprises.models import (
    TIER_RANK,
    Certification,
    Enterprise,
    Tier,
)
from zoneops.enterprises.services import common

RANK_TIER = {rank: tier for tier, rank in TIER_RANK.items()}


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
    year = year or common.today().year
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
    return _threshold_for(full_code, year or common.today().year)


def valid_on(day: dt.date) -> Q:
    return Q(issued_on__lte=day) & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))


def tier_of(enterprise: Enterprise, on: dt.date | None = None) -> str | None:
    """The highest tier an enterprise holds a valid certification for on a day."""
    on = on or common.today()
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
    on = on or common.today()
    return Subquery(
        Certification.objects.filter(valid_on(on), enterprise=OuterRef("pk"), rank__gt=0)
        .order_by("-rank")
        .values("rank")[:1]
    )


def holding(qs: QuerySet, tier: str, on: dt.date | None = None) -> QuerySet:
    """Enterprises of ``qs`` holding a valid certification of ``tier`` on a day."""
    on = on or common.today()
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
    on = on or common.today()
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


def expiring(qs: QuerySet, days: int, on: dt.date | None = None) -> QuerySet:
    """Certifications of ``qs`` valid today that expire within ``days`` days."""
    on = on or common.today()
    return qs.filter(expires_on__gte=on, expires_on__lte=on + dt.timedelta(days=days))
